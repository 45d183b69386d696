"""Region proxies that want a password: real Chromium, real loopback proxies that say 407.

The HTTP proxies are the simulated site's region egresses with Basic authentication; the SOCKS5
proxy is a real RFC 1928/1929 server whose exit is the French egress.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_harness import BrowserHarness
from socks5_server import Address, Socks5Server

from watcher.cli.main import main
from watcher.demo import demo_config_yaml, demo_fetch_request
from watcher.fetch.base import FailureKind, FetchFailure, FetchRequest, FetchResult
from watcher.fetch.proxy import Proxy
from watcher.health import assess_page
from watcher.normalize import normalize_html
from watcher.simsite import EgressCredentials, SimulatedMetaSite

pytestmark = pytest.mark.browser

USER = "watcher-fr"
PASSWORD = "s3cret-pass-42"
WRONG = "wr0ng-s3cret-99"
# Every character that must be percent-encoded in a URL's user information, and a non-ASCII one.
SPECIAL = "p@ss:w/o?r#d%25 é"


@pytest.fixture
def locked_site() -> Iterator[SimulatedMetaSite]:
    """The simulated site whose region egresses want USER and PASSWORD."""
    credentials = EgressCredentials(USER, PASSWORD)
    with SimulatedMetaSite(render_delay_ms=60, egress_credentials=credentials) as running:
        running.set_version(None, 1)
        yield running


def genai_request(site: SimulatedMetaSite, proxy: str, *, https: bool = False) -> FetchRequest:
    url = site.url("genai", locale="fr_FR")
    if https:
        url = url.replace("http://", "https://", 1)
    request = demo_fetch_request(site, "fr", target_id="genai@fr", url=url, timeout_s=10)
    return replace(request, proxy=Proxy.from_url(proxy))


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    return url.replace(f":{parts.password}@", f":{password}@", 1)


def french_text(result: FetchResult) -> str:
    document = normalize_html(result.html, base_url=result.final_url, select=['[role="main"]'])
    return document.canonical_text()


def assert_hidden(secret: str, *texts: str) -> None:
    for text in texts:
        assert secret not in text, text


# ---- HTTP proxies with Basic authentication -------------------------------------------------


def test_credentials_reach_the_proxy_and_the_region_text_is_served(
    locked_site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    request = genai_request(locked_site, locked_site.egress_proxy("fr", with_credentials=True))
    outcome = browser.fetch(request)
    assert isinstance(outcome, FetchResult), outcome
    assert outcome.status == 200
    assert assess_page(outcome, expected_variant="eu").failure is None
    assert "intérêts légitimes" in french_text(outcome)
    assert locked_site.egress_auth_counts("fr")["accepted"] >= 1
    assert_hidden(PASSWORD, repr(request), str(request.proxy))


def test_a_password_with_special_characters_works_percent_encoded(
    browser: BrowserHarness,
) -> None:
    credentials = EgressCredentials("watcher@fr", SPECIAL)
    with SimulatedMetaSite(render_delay_ms=60, egress_credentials=credentials) as site:
        url = site.egress_proxy("fr", with_credentials=True)
        assert "%40" in url and "%2F" in url and "%25" in url
        request = genai_request(site, url)
        assert request.proxy is not None and request.proxy.password == SPECIAL
        outcome = browser.fetch(request)
        assert isinstance(outcome, FetchResult), outcome
        assert assess_page(outcome, expected_variant="eu").failure is None
        assert site.egress_auth_counts("fr")["accepted"] >= 1
        assert site.egress_auth_counts("fr")["rejected"] == 0


def test_a_wrong_password_is_a_named_proxy_failure_that_never_shows_it(
    locked_site: SimulatedMetaSite, browser: BrowserHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = with_password(locked_site.egress_proxy("fr", with_credentials=True), WRONG)
    request = genai_request(locked_site, wrong)
    outcome = browser.fetch(request)
    assert isinstance(outcome, FetchFailure), outcome
    assert outcome.kind is FailureKind.PROXY_ERROR
    assert "refused the user name or password" in outcome.detail
    assert f"{USER}:***@" in outcome.detail
    assert locked_site.egress_auth_counts("fr")["rejected"] >= 1
    assert_hidden(WRONG, outcome.detail, repr(outcome), repr(request), caplog.text)
    # The right password afterwards works: the failed context is not reused for it.
    right = genai_request(locked_site, locked_site.egress_proxy("fr", with_credentials=True))
    assert isinstance(browser.fetch(right), FetchResult)


def test_a_wrong_password_on_an_https_tunnel_is_named_too(
    locked_site: SimulatedMetaSite, browser: BrowserHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """Chromium reports a 407 to CONNECT as ERR_HTTP_RESPONSE_CODE_FAILURE; the proxy says why."""
    caplog.set_level(logging.DEBUG)
    wrong = with_password(locked_site.egress_proxy("fr", with_credentials=True), WRONG)
    outcome = browser.fetch(genai_request(locked_site, wrong, https=True))
    assert isinstance(outcome, FetchFailure), outcome
    assert outcome.kind is FailureKind.PROXY_ERROR
    assert "refused the user name or password (HTTP 407 to CONNECT)" in outcome.detail
    assert_hidden(WRONG, outcome.detail, caplog.text)


def test_a_proxy_that_wants_credentials_and_gets_none(
    locked_site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    outcome = browser.fetch(genai_request(locked_site, locked_site.egress_proxy("fr")))
    assert isinstance(outcome, FetchFailure), outcome
    assert outcome.kind is FailureKind.PROXY_ERROR
    assert "wants a user name and password" in outcome.detail
    assert locked_site.egress_auth_counts("fr")["accepted"] == 0


def test_check_json_names_the_failure_and_never_prints_the_password(
    locked_site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    proxies = {
        region: with_password(locked_site.egress_proxy(region, with_credentials=True), WRONG)
        for region in locked_site.regions
    }
    config = tmp_path / "sources.yaml"
    config.write_text(demo_config_yaml(locked_site.base_url, proxies, pages=("genai",)))
    database = f"sqlite:///{tmp_path / 'watcher.db'}"
    args = ["--config", str(config), "--db", database]
    assert main(["check", *args, "--json", "--only", "genai@fr"]) == 0
    assert main(["validate", "--config", str(config)]) == 0
    assert main(["changes", "--db", database, "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out.splitlines()[0])
    assert (report["outcome"], report["failure_kind"]) == ("failed", "proxy_error"), report
    assert "refused the user name or password" in report["failure_detail"]
    assert report["change_id"] is None
    assert_hidden(WRONG, captured.out, captured.err, caplog.text)


# ---- SOCKS5 with a user name and password, through the loopback bridge -----------------------


@pytest.fixture
def socks_in_france(site: SimulatedMetaSite) -> Iterator[Socks5Server]:
    """A SOCKS5 proxy with a password whose exit is in (simulated) France."""
    main_port = urlsplit(site.base_url).port
    french_exit = ("127.0.0.1", urlsplit(site.egress_proxy("fr")).port or 0)

    def exit_to(address: Address) -> Address:
        return french_exit if address[1] == main_port else address

    with Socks5Server(USER, SPECIAL, exit_to=exit_to) as server:
        yield server


def test_socks5_with_a_password_reaches_the_region_text(
    site: SimulatedMetaSite, socks_in_france: Socks5Server, browser: BrowserHarness
) -> None:
    site.set_version(None, 1)
    request = genai_request(site, socks_in_france.url())
    outcome = browser.fetch(request)
    assert isinstance(outcome, FetchResult), outcome
    assert assess_page(outcome, expected_variant="eu").failure is None
    assert "intérêts légitimes" in french_text(outcome)
    assert socks_in_france.counts["accepted"] >= 1
    assert socks_in_france.counts["rejected"] == 0
    assert request.proxy is not None
    bridge = browser.fetcher.proxies.bridge_for(request.proxy)
    assert bridge is not None and bridge.tunnels_opened >= 1


def test_socks5_with_a_wrong_password_is_a_named_proxy_failure(
    site: SimulatedMetaSite,
    socks_in_france: Socks5Server,
    browser: BrowserHarness,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    request = genai_request(site, socks_in_france.url(password=WRONG))
    outcome = browser.fetch(request)
    assert isinstance(outcome, FetchFailure), outcome
    assert outcome.kind is FailureKind.PROXY_ERROR
    assert "SOCKS5" in outcome.detail and "user name or password" in outcome.detail
    assert socks_in_france.counts["rejected"] >= 1
    assert socks_in_france.counts["accepted"] == 0
    assert_hidden(WRONG, outcome.detail, repr(outcome), repr(request), caplog.text)


def test_an_unreachable_proxy_is_a_named_proxy_failure(
    site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for scheme in ("http", "socks5"):
        proxy = f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{port}"
        outcome = browser.fetch(replace(genai_request(site, proxy), target_id=f"genai@{scheme}"))
        assert isinstance(outcome, FetchFailure), outcome
        assert outcome.kind is FailureKind.PROXY_ERROR, outcome
        assert f"127.0.0.1:{port}" in outcome.detail
        assert_hidden(PASSWORD, outcome.detail)
