"""The SOCKS5 client and the loopback bridge, over real sockets, without a browser.

Chromium reaches https:// pages through CONNECT tunnels; the simulated site is plain HTTP, so
the tunnel path is driven here by hand: CONNECT through the bridge, then HTTP inside it.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Iterator
from urllib.parse import urlsplit

import pytest
from socks5_server import Address, Socks5Server

from watcher.fetch.proxy import Proxy
from watcher.fetch.proxy_check import diagnose_proxy
from watcher.fetch.socks5 import Socks5Error, open_tunnel
from watcher.fetch.socks_bridge import Socks5Bridge
from watcher.simsite import SimulatedMetaSite

USER = "watcher"
PASSWORD = "p@ss:w/rd"
WRONG = "wr0ng-s3cret"


@pytest.fixture
def socks(site: SimulatedMetaSite) -> Iterator[Socks5Server]:
    """A SOCKS5 proxy with a password whose exit is the French egress of the site."""
    site.set_version(None, 1)
    main_port = urlsplit(site.base_url).port
    french_exit = ("127.0.0.1", urlsplit(site.egress_proxy("fr")).port or 0)

    def exit_to(address: Address) -> Address:
        return french_exit if address[1] == main_port else address

    with Socks5Server(USER, PASSWORD, exit_to=exit_to) as server:
        yield server


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), timeout=30))


def site_address(site: SimulatedMetaSite) -> tuple[str, int]:
    parts = urlsplit(site.base_url)
    return parts.hostname or "", parts.port or 0


async def http_exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: str
) -> tuple[int, str, str]:
    """Sends one request and reads the answer to the end: status, head and body."""
    writer.write(request.encode())
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    length = next(
        (
            int(line.split(":", 1)[1])
            for line in head.split("\r\n")
            if line.lower().startswith("content-length:")
        ),
        None,
    )
    body = await (reader.readexactly(length) if length is not None else reader.read())
    return int(head.split()[1]), head, body.decode("utf-8", "replace")


def authorization(proxy: Proxy) -> str:
    token = base64.b64encode(f"{proxy.username}:{proxy.password}".encode()).decode()
    return f"Proxy-Authorization: Basic {token}\r\n"


async def through_bridge(
    bridge_proxy: Proxy, request: str, *, login: bool = True
) -> tuple[int, str, str, asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(bridge_proxy.host, bridge_proxy.port)
    first_line, rest = request.split("\r\n", 1)
    sent = first_line + "\r\n" + (authorization(bridge_proxy) if login else "") + rest
    status, head, body = await http_exchange(reader, writer, sent)
    return status, head, body, reader, writer


# ---- the SOCKS5 client --------------------------------------------------------------------


def test_a_tunnel_with_the_right_password_reaches_the_exit(
    site: SimulatedMetaSite, socks: Socks5Server
) -> None:
    async def test() -> None:
        host, port = site_address(site)
        reader, writer = await open_tunnel(Proxy.from_url(socks.url()), host, port)
        status, _, body = await http_exchange(
            reader, writer, f"GET /privacy/genai/ HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n"
        )
        writer.close()
        assert status == 200 and "generative" in body

    run(test)
    assert socks.counts["accepted"] == 1
    assert socks.destinations == [site_address(site)]
    assert site.request_count("genai", "fr") == 1  # served as to a visitor in France


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"socks5://{USER}:{WRONG}@127.0.0.1:PORT", "rejected the user name or password"),
        ("socks5://127.0.0.1:PORT", "wants a login"),
    ],
)
def test_a_refused_login_is_an_auth_error_that_never_shows_the_password(
    site: SimulatedMetaSite, socks: Socks5Server, url: str, reason: str
) -> None:
    proxy = Proxy.from_url(url.replace("PORT", str(socks.port)))

    async def test() -> None:
        with pytest.raises(Socks5Error) as refused:
            await open_tunnel(proxy, *site_address(site))
        assert refused.value.auth_rejected
        assert reason in str(refused.value)
        assert f"127.0.0.1:{socks.port}" in str(refused.value)
        assert WRONG not in str(refused.value)
        assert await diagnose_proxy(proxy, site.base_url) == str(refused.value)

    run(test)
    assert socks.counts["accepted"] == 0


def test_a_destination_the_proxy_cannot_reach_is_named(socks: Socks5Server) -> None:
    async def test() -> None:
        with pytest.raises(Socks5Error) as refused:
            await open_tunnel(Proxy.from_url(socks.url()), "192.0.2.1", 80)
        assert not refused.value.auth_rejected
        assert "connection not allowed by ruleset" in str(refused.value)

    run(test)


# ---- the bridge ---------------------------------------------------------------------------


def test_connect_through_the_bridge_carries_a_tunnel(
    site: SimulatedMetaSite, socks: Socks5Server
) -> None:
    async def test() -> None:
        bridge = Socks5Bridge(Proxy.from_url(socks.url()))
        bridge_proxy = await bridge.start()
        assert bridge_proxy.server.startswith("http://127.0.0.1:")
        assert PASSWORD not in bridge_proxy.password
        host, port = site_address(site)
        connect = f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n"
        try:
            reader, writer = await asyncio.open_connection(bridge_proxy.host, bridge_proxy.port)
            # Without the bridge's own credentials: 407, and the same connection is kept.
            writer.write(connect.encode())
            await writer.drain()
            refused = (await reader.readuntil(b"\r\n\r\n")).decode()
            assert refused.startswith("HTTP/1.1 407")
            assert 'Proxy-Authenticate: Basic realm="watcher SOCKS5 bridge"' in refused
            first, rest = connect.split("\r\n", 1)
            writer.write(f"{first}\r\n{authorization(bridge_proxy)}{rest}".encode())
            await writer.drain()
            assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
            status, _, body = await http_exchange(
                reader, writer, f"GET /privacy/genai/ HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n"
            )
            writer.close()
            assert status == 200 and "generative" in body
            assert bridge.tunnels_opened == 1
        finally:
            await bridge.close()

    run(test)
    assert socks.counts["accepted"] == 1
    assert site.request_count("genai", "fr") == 1


def test_plain_requests_are_forwarded_with_their_body_and_closed_after(
    site: SimulatedMetaSite, socks: Socks5Server
) -> None:
    async def test() -> None:
        bridge = Socks5Bridge(Proxy.from_url(socks.url()))
        bridge_proxy = await bridge.start()
        try:
            post = (
                f"POST {site.base_url}/__sim__/advance?page=genai HTTP/1.1\r\n"
                f"Host: {urlsplit(site.base_url).netloc}\r\nContent-Length: 5\r\n"
                "Proxy-Connection: keep-alive\r\n\r\nx=1&y"
            )
            status, head, body, reader, writer = await through_bridge(bridge_proxy, post)
            assert status == 200 and '"genai": 2' in body
            assert "Connection: close" in head
            assert await reader.read() == b""  # the bridge closes after one answer
            writer.close()
        finally:
            await bridge.close()

    run(test)
    assert site.version_of("genai") == 2


def test_the_bridge_wants_its_own_credentials(socks: Socks5Server) -> None:
    async def test() -> None:
        bridge = Socks5Bridge(Proxy.from_url(socks.url()))
        bridge_proxy = await bridge.start()
        stranger = Proxy("http", bridge_proxy.host, bridge_proxy.port, "watcher", "guess")
        try:
            request = "GET http://127.0.0.1:9/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n"
            status, *_ = await through_bridge(bridge_proxy, request, login=False)
            assert status == 407
            status, *_ = await through_bridge(stranger, request)
            assert status == 407
        finally:
            await bridge.close()

    run(test)
    assert socks.counts == {}  # nothing reached the SOCKS5 proxy


def test_an_upstream_that_refuses_the_login_is_a_407_from_the_bridge(
    site: SimulatedMetaSite, socks: Socks5Server
) -> None:
    async def test() -> None:
        bridge = Socks5Bridge(Proxy.from_url(socks.url(password=WRONG)))
        bridge_proxy = await bridge.start()
        host, port = site_address(site)
        try:
            connect = f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n"
            status, _, body, *_ = await through_bridge(bridge_proxy, connect)
            assert status == 407 and "rejected the user name or password" in body
            assert WRONG not in body
            get = f"GET {site.base_url}/ HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n"
            assert (await through_bridge(bridge_proxy, get))[0] == 407
        finally:
            await bridge.close()

    run(test)
    assert socks.counts["rejected"] == 2


def test_an_unreachable_upstream_is_a_502_for_tunnels_and_silence_for_plain_requests(
    site: SimulatedMetaSite,
) -> None:
    async def test() -> None:
        listener = await asyncio.start_server(lambda _r, w: w.close(), "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        listener.close()
        await listener.wait_closed()  # now nothing listens on `port`
        bridge = Socks5Bridge(Proxy.from_url(f"socks5://{USER}:{WRONG}@127.0.0.1:{port}"))
        bridge_proxy = await bridge.start()
        host, site_port = site_address(site)
        try:
            connect = f"CONNECT {host}:{site_port} HTTP/1.1\r\nHost: {host}:{site_port}\r\n\r\n"
            status, _, body, *_ = await through_bridge(bridge_proxy, connect)
            assert status == 502 and "cannot reach SOCKS5 proxy" in body
            reader, writer = await asyncio.open_connection(bridge_proxy.host, bridge_proxy.port)
            writer.write(
                f"GET {site.base_url}/ HTTP/1.1\r\n{authorization(bridge_proxy)}\r\n".encode()
            )
            await writer.drain()
            assert await reader.read() == b""
            writer.close()
        finally:
            await bridge.close()

    run(test)


def test_closing_the_bridge_ends_open_tunnels_and_stops_listening(
    site: SimulatedMetaSite, socks: Socks5Server
) -> None:
    async def test() -> None:
        bridge = Socks5Bridge(Proxy.from_url(socks.url()))
        bridge_proxy = await bridge.start()
        host, port = site_address(site)
        connect = f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n"
        reader, writer = await asyncio.open_connection(bridge_proxy.host, bridge_proxy.port)
        first, rest = connect.split("\r\n", 1)
        writer.write(f"{first}\r\n{authorization(bridge_proxy)}{rest}".encode())
        await writer.drain()
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
        await bridge.close()
        assert await reader.read() == b""  # the open tunnel was closed
        writer.close()
        with pytest.raises(OSError):
            await asyncio.open_connection(bridge_proxy.host, bridge_proxy.port)

    run(test)


def test_a_bridge_is_only_for_socks5_proxies() -> None:
    with pytest.raises(ValueError, match="socks5"):
        Socks5Bridge(Proxy.from_url("http://u:p@127.0.0.1:3128"))
