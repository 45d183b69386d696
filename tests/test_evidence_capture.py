"""The screenshot of an evidence load, in a real Chromium: full page, cut at the height cap."""

from __future__ import annotations

import struct
from urllib.parse import quote

import pytest
from browser_harness import BrowserHarness

from watcher.fetch.base import FetchRequest, FetchResult
from watcher.fetch.evidence import SCREENSHOT_MAX_HEIGHT

pytestmark = pytest.mark.browser


def _page(height_px: int) -> str:
    body = f'<main><h1>Tall page</h1><div style="height:{height_px}px">our own text</div></main>'
    return "data:text/html," + quote(f"<html><body style='margin:0'>{body}</body></html>")


def _request(url: str, *, evidence: bool) -> FetchRequest:
    return FetchRequest(
        target_id="tall@us",
        url=url,
        region_id="us",
        locale="en-US",
        timezone="America/New_York",
        accept_language="en-US,en;q=0.9",
        wait_for="h1",
        timeout_s=30,
        evidence=evidence,
    )


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


@pytest.mark.parametrize(("content_px", "capped"), [(3_000, False), (30_000, True)])
def test_the_screenshot_is_the_whole_page_up_to_the_cap(
    browser: BrowserHarness, content_px: int, capped: bool
) -> None:
    result = browser.fetch(_request(_page(content_px), evidence=True))
    assert isinstance(result, FetchResult), result
    evidence = result.evidence
    assert evidence is not None and evidence.screenshot_png is not None
    assert evidence.page_height is not None and evidence.page_height > content_px
    assert evidence.screenshot_capped is capped
    _, height = _png_size(evidence.screenshot_png)
    assert height == min(evidence.page_height, SCREENSHOT_MAX_HEIGHT)
    assert evidence.browser_version.startswith("Chromium ")
    assert result.timings.evidence_ms > 0


def test_a_load_that_does_not_ask_keeps_no_evidence(browser: BrowserHarness) -> None:
    result = browser.fetch(_request(_page(1_000), evidence=False))
    assert isinstance(result, FetchResult), result
    assert result.evidence is None and result.timings.evidence_ms == 0
