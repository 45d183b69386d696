"""The simulated site's region egresses with Basic authentication, spoken to over raw HTTP."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from watcher.simsite import EgressCredentials, SimulatedMetaSite

PASSWORD = "p@ss:w/rd é"


@pytest.fixture
def locked_site() -> Iterator[SimulatedMetaSite]:
    credentials = EgressCredentials("watcher", PASSWORD, realm="egress fr")
    with SimulatedMetaSite(render_delay_ms=0, egress_credentials=credentials) as running:
        yield running


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def ask(proxy_url: str, request_line: str, authorization: str | None = None) -> tuple[int, str]:
    """One request to a proxy on a fresh connection: the status and the response head."""
    proxy = urlsplit(proxy_url)
    lines = [request_line, f"Host: {proxy.hostname}", "Connection: close"]
    if authorization is not None:
        lines.append(f"Proxy-Authorization: {authorization}")
    with socket.create_connection((proxy.hostname or "", proxy.port or 0), timeout=10) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        received = b""
        while b"\r\n\r\n" not in received and (chunk := conn.recv(4096)):
            received += chunk
    head = received.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    return int(head.split()[1]), head


def page_line(site: SimulatedMetaSite) -> str:
    return f"GET {site.url('genai', locale='fr_FR')} HTTP/1.1"


def test_plain_requests_without_the_right_credentials_get_407(
    locked_site: SimulatedMetaSite,
) -> None:
    proxy = locked_site.egress_proxy("fr")
    status, head = ask(proxy, page_line(locked_site))
    assert status == 407
    assert 'Proxy-Authenticate: Basic realm="egress fr"' in head
    assert ask(proxy, page_line(locked_site), basic("watcher", "wrong"))[0] == 407
    assert ask(proxy, page_line(locked_site), "Basic %%%not-base64")[0] == 407
    assert ask(proxy, page_line(locked_site), basic("watcher", PASSWORD))[0] == 200
    assert locked_site.egress_auth_counts("fr") == {"missing": 1, "rejected": 2, "accepted": 1}
    # The page itself was asked for once: refused requests never reach it.
    assert locked_site.request_count("genai", "fr") == 1


def test_connect_without_the_right_credentials_gets_407(locked_site: SimulatedMetaSite) -> None:
    proxy = locked_site.egress_proxy("uk")
    connect = f"CONNECT 127.0.0.1:{urlsplit(locked_site.base_url).port} HTTP/1.1"
    status, head = ask(proxy, connect)
    assert status == 407 and "Proxy-Authenticate: Basic" in head
    assert ask(proxy, connect, basic("watcher", "wrong"))[0] == 407
    # Past the login, the egress still carries plain HTTP only.
    assert ask(proxy, connect, basic("watcher", PASSWORD))[0] == 405
    assert locked_site.egress_auth_counts("uk")["accepted"] == 1


def test_the_url_with_credentials_is_percent_encoded(locked_site: SimulatedMetaSite) -> None:
    url = locked_site.egress_proxy("de", with_credentials=True)
    parts = urlsplit(url)
    assert parts.username == "watcher"
    assert parts.password == "p%40ss%3Aw%2Frd%20%C3%A9"
    assert parts.port == urlsplit(locked_site.egress_proxy("de")).port


def test_the_main_listener_and_an_open_site_want_no_credentials(
    locked_site: SimulatedMetaSite, site: SimulatedMetaSite
) -> None:
    main = locked_site.base_url
    assert ask(main, "GET /privacy/genai/ HTTP/1.1")[0] == 200
    assert ask(site.egress_proxy("fr"), page_line(site))[0] == 200
    assert site.egress_proxy("fr", with_credentials=True) == site.egress_proxy("fr")
    assert site.egress_auth_counts("fr") == {"missing": 0, "rejected": 0, "accepted": 0}


def test_credentials_repr_hides_the_password() -> None:
    assert PASSWORD not in repr(EgressCredentials("watcher", PASSWORD))
