"""Evidence of a load: a full-page screenshot (height capped) and the main response's headers.

Taken only when a request asks for it (a load that becomes a new version), after the page was
serialized, so the screenshot shows the page as its HTML was read.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Response

from watcher.fetch.base import PageEvidence

# Taller pages are cut here (the cut is recorded): ~20 viewports, a few MiB of PNG at most.
SCREENSHOT_MAX_HEIGHT = 20_000
# Its own budget, on top of the page's timeout: a slow screenshot never fails the load.
SCREENSHOT_TIMEOUT_S = 30.0
# Headers a site sets per visitor; kept out of the record (they say nothing of the page).
_DROPPED_HEADERS = frozenset({"set-cookie", "set-cookie2"})
_MAX_HEADERS = 100
_MAX_HEADER_CHARS = 2048

_PAGE_SIZE_JS = """() => {
  const root = document.documentElement, body = document.body;
  const height = Math.max(root.scrollHeight, body ? body.scrollHeight : 0, window.innerHeight);
  return [Math.ceil(height), Math.ceil(window.innerWidth)];
}"""


async def capture_evidence(
    page: Page, response: Response | None, browser_version: str
) -> tuple[PageEvidence, float]:
    """The page's evidence and the milliseconds it took. A screenshot that fails is recorded
    as such (`screenshot_error`): the load itself stays good."""
    started = time.perf_counter()
    fetched_at = datetime.now(UTC)
    headers = await _main_headers(response)
    screenshot: bytes | None = None
    height: int | None = None
    error: str | None = None
    try:
        height, width = (int(v) for v in await page.evaluate(_PAGE_SIZE_JS))
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, SCREENSHOT_MAX_HEIGHT)}
        screenshot = await page.screenshot(
            full_page=True,
            clip=clip,  # type: ignore[arg-type]
            type="png",
            timeout=SCREENSHOT_TIMEOUT_S * 1000,
        )
    except PlaywrightError as failure:
        error = (failure.message or type(failure).__name__).strip().splitlines()[0]
    evidence = PageEvidence(
        fetched_at=fetched_at,
        browser_version=browser_version,
        response_headers=headers,
        screenshot_png=screenshot,
        page_height=height,
        screenshot_capped=height is not None and height > SCREENSHOT_MAX_HEIGHT,
        screenshot_error=error,
    )
    return evidence, (time.perf_counter() - started) * 1000


async def _main_headers(response: Response | None) -> tuple[tuple[str, str], ...]:
    if response is None:
        return ()
    try:
        pairs = await response.headers_array()
    except PlaywrightError:
        return ()
    kept = [
        (pair["name"].lower(), pair["value"][:_MAX_HEADER_CHARS])
        for pair in pairs
        if pair["name"].lower() not in _DROPPED_HEADERS
    ]
    return tuple(kept[:_MAX_HEADERS])
