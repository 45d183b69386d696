"""A real change on the simulated site, checked by `watcher check` in real Chromium, then its
change page opened in Chromium from `watcher serve`'s server: both screenshots load side by
side, and the kept HTML opens as text, with nothing of it run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from evidence_testkit import History, build_history
from playwright.sync_api import Page, sync_playwright
from web_testkit import BASE_URL

from watcher.fetch.browser import CHROMIUM_ARGS, choose_executable
from watcher.web import WebContext, create_app
from watcher.web.server import WebServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory, chromium_available: None) -> History:
    return build_history(tmp_path_factory.mktemp("evidence-web"))


@pytest.fixture
def served(checked: History) -> Iterator[str]:
    database = checked.database()
    context = WebContext(database=database, base_url=BASE_URL, evidence=checked.blobs)
    server = WebServer(create_app(context), port=0)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()
        database.dispose()


@pytest.fixture
def page(chromium_available: None) -> Iterator[Page]:
    with sync_playwright() as playwright:
        executable = choose_executable(None, playwright.chromium.executable_path)
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        finally:
            browser.close()


def test_the_change_page_shows_both_screenshots_of_a_real_change(
    checked: History, served: str, page: Page, tmp_path: Path
) -> None:
    assert checked.outcomes[-1] == "changed"
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{served}/changes/{checked.change_id}")
    images = page.locator(".screenshots img")
    assert images.count() == 2
    for index in range(2):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        image.wait_for(state="visible")
        page.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=image.element_handle())
    # Both boxes in the document's coordinates, once both are loaded: scrolling to the second
    # image must not move the first one's measured position.
    before, after = (
        images.nth(index).evaluate(
            "e => { const r = e.getBoundingClientRect();"
            " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width}; }"
        )
        for index in range(2)
    )
    assert before["x"] + before["width"] <= after["x"]  # side by side, before on the left
    assert abs(before["y"] - after["y"]) < 1

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the bundle (zip)").click()
    saved = tmp_path / "bundle.zip"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"PK")

    page.locator(".screenshots").get_by_role("link", name="rendered HTML (as text)").last.click()
    page.wait_for_url("**/page.html")
    assert page.evaluate("document.contentType") == "text/plain"
    assert page.evaluate("document.querySelectorAll('script, h1').length") == 0
    # The page's heading is there as markup to read, not as an element.
    assert "<h1" in page.locator("body").inner_text()
    assert not [m for m in console if "Content Security Policy" in m]
