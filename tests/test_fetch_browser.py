"""The Playwright fetcher with a real Chromium against the simulated Meta site."""

from __future__ import annotations

import asyncio
import socket

import pytest
from browser_harness import BrowserHarness

from watcher.demo import ACCEPT_ESSENTIAL_COOKIES
from watcher.fetch.base import Action, FailureKind, FetchFailure, FetchRequest, FetchResult
from watcher.fetch.proxy import Proxy
from watcher.health import assess_page
from watcher.normalize import normalize_html
from watcher.simsite import SimulatedMetaSite

pytestmark = pytest.mark.browser

ACCEPT = ACCEPT_ESSENTIAL_COOKIES
REGIONS = {
    "fr": ("fr-FR", "Europe/Paris", "fr-FR,fr;q=0.9"),
    "us": ("en-US", "America/New_York", "en-US,en;q=0.9"),
    "de": ("de-DE", "Europe/Berlin", "de-DE,de;q=0.9"),
}


def request(
    site: SimulatedMetaSite,
    page: str,
    region: str,
    *,
    wait_for: str | None = '[role="main"] h1',
    timeout_s: float = 10,
    actions: tuple[Action, ...] = (ACCEPT,),
    url: str | None = None,
) -> FetchRequest:
    locale, zone, accept = REGIONS[region]
    return FetchRequest(
        target_id=f"{page}@{region}",
        url=url or site.url(page, locale=locale.replace("-", "_")),
        region_id=region,
        locale=locale,
        timezone=zone,
        accept_language=accept,
        proxy=Proxy.from_url(site.egress_proxy(region)),
        wait_for=wait_for,
        actions=actions,
        timeout_s=timeout_s,
    )


def fetched(browser: BrowserHarness, req: FetchRequest) -> FetchResult:
    outcome = browser.fetch(req)
    assert isinstance(outcome, FetchResult), outcome
    return outcome


def main_text(result: FetchResult) -> str:
    document = normalize_html(result.html, base_url=result.final_url, select=['[role="main"]'])
    return document.canonical_text()


def test_javascript_rendered_text_is_captured(
    site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    result = fetched(browser, request(site, "genai", "us"))
    assert result.status == 200
    text = main_text(result)
    assert "generative AI" in text
    assert len(text) > 1000
    assert result.timings.total_ms > 0
    # Served HTML carries the content only as a script payload; the rendered page has it in the DOM.
    assert assess_page(result, expected_variant="us").failure is None


def test_fr_sees_french_and_the_objection_link_us_does_not(
    site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    site.set_version(None, 1)
    fr = main_text(fetched(browser, request(site, "genai", "fr")))
    us = main_text(fetched(browser, request(site, "genai", "us")))
    assert "intérêts légitimes" in fr
    assert "/help/contact/6359191084165019" in fr
    assert "/help/contact/" not in us
    assert "legitimate interests" not in us


def test_locale_and_timezone_reach_the_page(
    site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    result = fetched(browser, request(site, "genai", "de"))
    assert 'lang="de' in result.html or "Datenschutz" in main_text(result)


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        ("login_wall", FailureKind.LOGIN_WALL),
        ("rate_limited", FailureKind.RATE_LIMITED),
        ("blocked", FailureKind.BLOCKED),
        ("http_error", FailureKind.HTTP_ERROR),
        ("consent_stuck", FailureKind.CONSENT_WALL),
        ("wrong_region", FailureKind.REGION_MISMATCH),
    ],
)
def test_each_page_failure_is_named(
    site: SimulatedMetaSite, browser: BrowserHarness, mode: str, kind: FailureKind
) -> None:
    site.set_version(None, 4)
    site.set_mode("privacy_policy", mode, region="fr")
    outcome = browser.fetch(request(site, "privacy_policy", "fr", timeout_s=6))
    failure = (
        outcome
        if isinstance(outcome, FetchFailure)
        else assess_page(outcome, expected_variant="eu").failure
    )
    assert failure is not None, f"{mode} passed as a healthy page"
    assert failure.kind is kind, failure
    # The same page in another region is unaffected.
    healthy = fetched(browser, request(site, "privacy_policy", "us"))
    assert assess_page(healthy, expected_variant="us").failure is None


def test_a_page_that_never_finishes_is_a_timeout(
    site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    site.set_mode("genai", "hang", region="fr")
    outcome = browser.fetch(request(site, "genai", "fr", timeout_s=2))
    assert isinstance(outcome, FetchFailure)
    assert outcome.kind is FailureKind.TIMEOUT


def test_an_unreachable_host_is_a_network_error(
    site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    req = request(site, "genai", "us", url=f"http://127.0.0.1:{port}/privacy/genai/")
    req = FetchRequest(**{**req.__dict__, "proxy": None})
    outcome = browser.fetch(req)
    assert isinstance(outcome, FetchFailure)
    assert outcome.kind is FailureKind.NETWORK_ERROR
    assert "ERR_CONNECTION_REFUSED" in outcome.detail


def test_a_required_action_that_fails_is_named(
    site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    missing = Action(kind="click", selector="#no-such-button", timeout_s=0.5)
    result = fetched(browser, request(site, "genai", "us", actions=(missing,)))
    failure = assess_page(result).failure
    assert failure is not None and failure.kind is FailureKind.ACTION_FAILED
    assert "#no-such-button" in failure.detail


def test_regions_do_not_share_cookies(site: SimulatedMetaSite, browser: BrowserHarness) -> None:
    """Accepting cookies in the fr context leaves the de context with its own dialog."""
    fetched(browser, request(site, "genai", "fr"))
    no_click = fetched(browser, request(site, "genai", "de", actions=()))
    failure = assess_page(no_click, expected_variant="eu").failure
    assert failure is not None and failure.kind is FailureKind.CONSENT_WALL


def test_concurrent_fetches_share_one_browser(
    site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    launches = browser.fetcher.launches
    requests = [
        request(site, page, region) for page in ("genai", "privacy_policy") for region in REGIONS
    ]

    async def all_at_once() -> list[object]:
        return list(await asyncio.gather(*(browser.fetcher.fetch(r) for r in requests)))

    outcomes = browser.run(all_at_once())
    assert all(isinstance(o, FetchResult) and o.status == 200 for o in outcomes)
    assert browser.fetcher.launches == launches


def _open_pages(browser: BrowserHarness) -> dict[str, list[str]]:
    async def pages() -> dict[str, list[str]]:
        fetcher = browser.fetcher
        return {
            key[0]: [page.url for page in pooled.context.pages]
            for key, pooled in fetcher._pool.items()
        }

    return browser.run(pages())


def test_a_page_is_navigated_to_its_regions_next_target_and_pages_stay_bounded(
    site: SimulatedMetaSite, browser: BrowserHarness
) -> None:
    first = fetched(browser, request(site, "genai", "fr"))
    second = fetched(browser, request(site, "privacy_policy", "fr"))
    # One page for the region, now showing the second target: kept and navigated, not piled up.
    assert _open_pages(browser)["fr"] == [second.final_url] != [first.final_url]

    many = [request(site, p, r) for p in ("genai", "privacy_policy", "genai") for r in REGIONS]

    async def all_at_once() -> list[object]:
        return list(await asyncio.gather(*(browser.fetcher.fetch(r) for r in many)))

    assert all(isinstance(o, FetchResult) for o in browser.run(all_at_once()))
    open_now = sum(len(urls) for urls in _open_pages(browser).values())
    assert 1 <= open_now <= browser.fetcher.settings.max_concurrency
