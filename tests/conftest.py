"""Fixtures shared across the suite: the simulated Meta site and one real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from watcher.errors import FetchError
from watcher.fetch.browser import choose_executable
from watcher.simsite import SimulatedMetaSite


def chromium_problem() -> str | None:
    """Why no Chromium can be used here, or None when one can."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            bundled = playwright.chromium.executable_path
        choose_executable(None, bundled)
    except FetchError as error:
        return str(error)
    return None


@pytest.fixture(scope="session")
def chromium_available() -> None:
    problem = chromium_problem()
    if problem:
        pytest.skip(f"needs a real Chromium: {problem}")


@pytest.fixture
def site() -> Iterator[SimulatedMetaSite]:
    """A fresh simulated Meta site per test: its versions and modes start from scratch."""
    with SimulatedMetaSite(render_delay_ms=60) as running:
        yield running


@pytest.fixture(scope="session")
def browser(chromium_available: None) -> Iterator[object]:
    from browser_harness import BrowserHarness

    harness = BrowserHarness()
    yield harness
    harness.close()
