"""Running a source's scripted `actions` (dismiss a cookie dialog, expand a section) on a page."""

from __future__ import annotations

from collections.abc import Sequence, Set

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from watcher.fetch.base import Action


class ActionError(Exception):
    """A required action could not be carried out."""


# Actions whose target may be missing, in which case they are skipped.
_TARGETED = frozenset({"click", "fill", "press"})


def optional_selectors(actions: Sequence[Action]) -> list[str]:
    """The selectors of the optional actions that are skipped when they match nothing."""
    return [a.selector for a in actions if a.optional and a.kind in _TARGETED]


async def run_actions(
    page: Page, actions: Sequence[Action], *, absent: Set[str] = frozenset()
) -> int:
    """Runs the actions in order; returns how many acted on the page (skipped ones do not).
    `absent`: selectors known to match nothing in the page as it was read before the actions;
    an optional action on one of them is skipped without asking the browser, until an action
    has changed the page."""
    acted = 0
    for index, action in enumerate(actions):
        try:
            known_absent = absent if acted == 0 else frozenset()
            acted += await _run_one(page, action, known_absent)
        except PlaywrightError as error:
            if action.optional:
                continue
            first_line = (error.message or str(error)).strip().splitlines()[0]
            raise ActionError(
                f"actions[{index}] {action.kind} {action.selector!r} failed: {first_line}"
            ) from error
    return acted


async def _run_one(page: Page, action: Action, absent: Set[str]) -> int:
    timeout_ms = action.timeout_s * 1000
    # The page has rendered and settled by now: an optional target that is not there (a cookie
    # dialog already accepted in this context) is skipped instead of waited for.
    if (
        action.optional
        and action.kind in _TARGETED
        and (action.selector in absent or await page.locator(action.selector).count() == 0)
    ):
        return 0
    if action.kind == "click":
        await page.locator(action.selector).first.click(timeout=timeout_ms)
    elif action.kind == "fill":
        await page.locator(action.selector).first.fill(action.value, timeout=timeout_ms)
    elif action.kind == "press":
        await page.locator(action.selector).first.press(action.value, timeout=timeout_ms)
    elif action.kind == "wait_for":
        await page.wait_for_selector(action.selector, state="attached", timeout=timeout_ms)
    elif action.kind == "scroll":
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    return 1
