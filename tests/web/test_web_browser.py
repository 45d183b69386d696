"""A person's path through the web app in a real Chromium: feed → filter → change page →
snapshot → back, against `watcher serve`'s server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, sync_playwright
from web_testkit import History, context_for

from storage import Database
from watcher.fetch.browser import CHROMIUM_ARGS, choose_executable
from watcher.web import create_app
from watcher.web.server import WebServer

pytestmark = pytest.mark.browser


@pytest.fixture
def served(database: Database, history: History) -> Iterator[str]:
    server = WebServer(create_app(context_for(database, history.seeded.target_ids)), port=0)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def page(chromium_available: None) -> Iterator[Page]:
    with sync_playwright() as playwright:
        executable = choose_executable(None, playwright.chromium.executable_path)
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
            yield context.new_page()
        finally:
            browser.close()


def test_feed_filter_change_snapshot_and_back(served: str, page: Page) -> None:
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    page.goto(f"{served}/changes")
    assert page.locator("article.change").count() == 25
    page.select_option("select[name=region]", "fr")
    page.select_option("select[name=min_severity]", "high")
    page.click("button[type=submit]")
    page.wait_for_url("**/changes?*region=fr*")
    assert "min_severity=high" in page.url
    regions = page.locator("article.change h2").all_inner_texts()
    assert regions and all(text.endswith("· fr") for text in regions)
    feed_url = page.url

    page.locator("article.change h2 a").first.click()
    page.wait_for_url("**/changes/*")
    change_url = page.url
    assert page.locator("h1").inner_text().startswith("Change #")
    assert page.locator(".findings .finding").count() >= 1
    assert page.locator(".watcher-diff ins").count() >= 1
    # Marks not by colour alone: inserted words are underlined, removed ones struck through.
    decoration = page.locator(".watcher-diff ins").first.evaluate(
        "e => getComputedStyle(e).textDecorationLine"
    )
    assert decoration == "underline"
    assert page.locator(".diff-frame").get_attribute("lang") == "fr-FR"  # the quoted text's

    page.get_by_role("link", name="Version after").click()
    page.wait_for_url("**/snapshots/*")
    assert page.locator("h1").inner_text().startswith("Version #")
    assert page.locator(".document").get_attribute("lang") in ("fr-FR", "en")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone's screen

    page.go_back()
    page.wait_for_url(change_url)
    page.go_back()
    page.wait_for_url(feed_url)
    assert page.locator("select[name=region]").input_value() == "fr"
    assert not [m for m in blocked if "Content Security Policy" in m]
