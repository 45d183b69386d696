"""Waiting for `wait_for`, settling and reading in one round trip (`settle.match_then_settle`),
with Playwright's own wait as the judge where the in-page wait cannot follow: a selector that is
not CSS, one inside or across a shadow root, a page that navigates while it is awaited; and
optional actions skipped when the page as read lacks their target."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser_harness import BrowserHarness
from watcher.fetch.base import Action, FetchRequest, FetchResult

TIMEOUT_S = 20.0

# Each page inserts its content a little after `load`, as a JS-rendered page does.
_LATE = "<script>setTimeout(() => {{ {body} }}, 200);</script>"
PAGES: dict[str, str] = {
    "/light": "<title>t</title><main id=m></main>"
    + _LATE.format(body="document.getElementById('m').innerHTML = '<h1>Late heading</h1>';"),
    "/shadow": "<title>t</title><div id=host></div>"
    + _LATE.format(
        body="const root = document.getElementById('host').attachShadow({mode: 'open'});"
        "root.innerHTML = '<p class=late>Inside a shadow root</p>';"
    ),
    "/moves": "<title>t</title><main id=m></main>"
    + _LATE.format(
        body="document.getElementById('m').innerHTML = '<h1>First page</h1>';"
        "setTimeout(() => location.replace('/light'), 0);"
    ),
    "/banner": "<title>t</title><main id=m></main>"
    + _LATE.format(
        body="document.getElementById('m').innerHTML = '<h1>Heading</h1>"
        "<div role=dialog><button id=accept "
        'onclick="this.parentNode.remove()">Accept</button></div>\';'
    ),
}


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGES.get(self.path.split("?")[0])
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "not here").encode())

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def pages_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _request(url: str, wait_for: str | None, actions: tuple[Action, ...] = ()) -> FetchRequest:
    return FetchRequest(
        target_id=f"wait-{url.rsplit('/', 1)[-1]}-{wait_for}",
        url=url,
        region_id="wait",
        locale="en-US",
        timezone="UTC",
        accept_language="en-US,en;q=0.9",
        proxy=None,
        wait_for=wait_for,
        actions=actions,
        timeout_s=TIMEOUT_S,
    )


def _fetched(browser: BrowserHarness, request: FetchRequest) -> FetchResult:
    outcome = browser.fetch(request)
    assert isinstance(outcome, FetchResult), outcome
    assert outcome.wait_error is None, outcome.wait_error
    # Waiting never ran into the timeout: the match was seen where it happened.
    assert outcome.timings.render_ms < TIMEOUT_S * 1000 / 2, outcome.timings
    return outcome


@pytest.mark.parametrize(
    "wait_for",
    ["main h1", "text=Late heading", "main h1:has-text('Late')", "xpath=//main/h1"],
    ids=["css", "text", "playwright-css", "xpath"],
)
def test_the_late_content_is_read_whatever_the_selector_engine(
    browser: BrowserHarness, pages_url: str, wait_for: str
) -> None:
    result = _fetched(browser, _request(f"{pages_url}/light", wait_for))
    assert "<h1>Late heading</h1>" in result.html


@pytest.mark.parametrize("wait_for", ["p.late", "#host p.late"], ids=["inside", "across"])
def test_a_selector_in_a_shadow_root_is_awaited_as_playwright_awaits_it(
    browser: BrowserHarness, pages_url: str, wait_for: str
) -> None:
    """`p.late` matches inside the shadow root (found by the in-page wait too); `#host p.late`
    only matches across the boundary, which Playwright's CSS crosses and `querySelector` does
    not: the fetch goes on from Playwright's match instead of waiting out its timeout."""
    result = _fetched(browser, _request(f"{pages_url}/shadow", wait_for))
    assert result.final_url.endswith("/shadow")


def test_a_page_that_navigates_once_its_content_is_there_is_read_where_it_lands(
    browser: BrowserHarness, pages_url: str
) -> None:
    result = _fetched(browser, _request(f"{pages_url}/moves", "main h1"))
    assert result.final_url.endswith("/light")
    assert "Late heading" in result.html


def test_nothing_matching_is_a_wait_error_naming_the_selector(
    browser: BrowserHarness, pages_url: str
) -> None:
    request = _request(f"{pages_url}/light", "main h2")
    outcome = browser.fetch(replace(request, timeout_s=2.0))
    assert isinstance(outcome, FetchResult), outcome
    assert outcome.wait_error == "wait_for 'main h2' matched nothing within 2s"


@pytest.mark.parametrize(
    ("selector", "dialog_left"),
    [
        ("#accept", False),
        ("button:has-text('Accept')", False),
        ("#missing", True),
        ("button:has-text('Nope')", True),
    ],
    ids=["css-there", "pw-there", "css-absent", "pw-absent"],
)
def test_an_optional_click_acts_on_a_target_that_is_there_and_skips_one_that_is_not(
    browser: BrowserHarness, pages_url: str, selector: str, dialog_left: bool
) -> None:
    click = Action(kind="click", selector=selector, optional=True, timeout_s=2)
    result = _fetched(browser, _request(f"{pages_url}/banner", "main h1", (click,)))
    assert result.action_error is None
    assert "Heading" in result.html
    assert ('role="dialog"' in result.html) is dialog_left
