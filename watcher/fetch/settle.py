"""Waiting for a JavaScript-rendered page to finish: until its DOM goes quiet, for a while.

A page that is still adding elements fast when the wait reaches its cap is not read half-built:
the wait goes on while it keeps growing, so a script that floods the document runs into the
page guard's element limit (a `too_large` failure) instead of being serialized mid-flood. A
page that never goes quiet but does not grow (a ticking clock, a carousel) ends at the cap as
before; one still growing (or too busy to tell) at the target's timeout is a
`StillGrowingError`, which the fetcher reports as a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Sequence
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeout

from watcher.fetch.browser import BrowserSettings
from watcher.fetch.guard import READ_JS, Rendered, read_arguments
from watcher.fetch.limits import PageLimits

# How often the element count is sampled once the quiet wait has reached its cap.
GROWTH_SAMPLE_MS = 500
# A page adding at least this many elements a second (1% of the element limit, and never
# fewer than this floor) is still being built: waiting on it reaches the limit or goes quiet.
MIN_GROWTH_PER_S = 2_000
# Past the target's timeout, a page too busy to run the wait's own timers is given up on.
_GRACE_S = 1.0

# Resolves with `false` once the DOM has had no mutation for `quiet` ms. Otherwise, from
# `max - every` ms on, the element count is sampled every `every` ms while the document grows by
# `minPerS` elements a second or more; it resolves with `false` once the growth falls below
# that, with `true` once `remaining` ms have passed since the start. Meanwhile the root is hidden
# by an adopted stylesheet (never serialized, removed when the wait ends): laying out a flood
# of elements each frame would slow the flood below the rate that keeps the wait going, so a
# page would be read half-built precisely because it is huge. Counting all elements is O(n)
# but happens once per sample, never per mutation.
_SETTLE_JS = """([quiet, max, every, minPerS, remaining]) => new Promise(resolve => {
  const all = document.getElementsByTagName('*');
  const deadline = performance.now() + remaining;
  let quietTimer, capTimer, sampled = 0, sampledAt = 0, finished = false, hiding = null;
  const finish = growing => {
    if (finished) return;
    finished = true;
    if (hiding) document.adoptedStyleSheets = document.adoptedStyleSheets.filter(s => s !== hiding);
    observer.disconnect();
    clearTimeout(quietTimer);
    clearTimeout(capTimer);
    resolve(growing);
  };
  const observer = new MutationObserver(() => {
    clearTimeout(quietTimer);
    quietTimer = setTimeout(() => finish(false), quiet);
  });
  const sample = () => {
    sampled = all.length;
    sampledAt = performance.now();
    capTimer = setTimeout(check, every);
  };
  const check = () => {
    const perS = (all.length - sampled) * 1000 / Math.max(1, performance.now() - sampledAt);
    if (perS < minPerS) return finish(false);
    if (performance.now() >= deadline) return finish(true);
    sample();
  };
  observer.observe(document, {subtree: true, childList: true, characterData: true});
  quietTimer = setTimeout(() => finish(false), quiet);
  const hideThenSample = () => {
    hiding = new CSSStyleSheet();
    hiding.replaceSync('html { display: none !important; }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, hiding];
    sample();
  };
  capTimer = setTimeout(hideThenSample, Math.max(0, max - every));
})"""


# True when `selector` (CSS) matches an element of the document or of an open shadow root in it
# (both are where Playwright's CSS engine looks; only a selector whose parts sit on both sides of
# a shadow boundary matches there and not here). Throws for a selector that is not CSS.
_MATCHES_JS = """(selector => {
  if (document.querySelector(selector) !== null) return true;
  const hosts = [...document.getElementsByTagName('*')].filter(e => e.shadowRoot);
  while (hosts.length) {
    const root = hosts.pop().shadowRoot;
    if (root.querySelector(selector) !== null) return true;
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) hosts.push(e);
  }
  return false;
})"""

# `selector` attached (unless null), then the wait, then (unless the page is still growing, or no
# reading is asked for) `READ_JS`, all in one round trip: `['unsupported']` for a selector that
# is not CSS, `['unmatched']` when nothing matched within `matchMs`, else
# `['read', growing, page, absent]` where `absent` are the `probes` (CSS selectors) that match
# nothing in the page as read; none are when the page has a shadow root. Matching is checked on
# every batch of mutations in the light document, and every `every` ms across shadow roots too.
_MATCH_SETTLE_READ_JS = f"""async ([selector, matchMs, wait, read, probes]) => {{
  const started = performance.now();
  if (selector !== null) {{
    const matches = {_MATCHES_JS};
    let found;
    try {{
      found = matches(selector);
    }} catch (error) {{
      return ['unsupported'];
    }}
    if (!found) {{
      found = await new Promise(resolve => {{
        let timer, poll;
        const done = value => {{
          observer.disconnect();
          clearTimeout(timer);
          clearInterval(poll);
          resolve(value);
        }};
        const observer = new MutationObserver(() => {{
          if (document.querySelector(selector) !== null) done(true);
        }});
        observer.observe(document, {{subtree: true, childList: true, attributes: true}});
        poll = setInterval(() => {{ if (matches(selector)) done(true); }}, wait[2] / 5);
        timer = setTimeout(() => done(false), matchMs);
      }});
      if (!found) return ['unmatched'];
    }}
  }}
  wait[4] = Math.max(0, wait[4] - (performance.now() - started));
  const growing = await ({_SETTLE_JS})(wait);
  if (growing || read === null) return ['read', growing, null, []];
  const page = ({READ_JS})(read);
  const absent = page[3] ? [] : probes.filter(probe => {{
    try {{
      return document.querySelector(probe) === null;
    }} catch (error) {{
      return false;
    }}
  }});
  return ['read', false, page, absent];
}}"""

# Once Playwright has seen `wait_for` match, how long the combined wait may go on before it is
# asked whether it saw the match too (a page still settling has; a selector across a shadow
# boundary never will).
_MATCH_GRACE_MS = 500
_MATCHES_OR_FALSE_JS = f"""selector => {{
  try {{
    return {_MATCHES_JS}(selector);
  }} catch (error) {{
    return false;
  }}
}}"""


class StillGrowingError(Exception):
    """The page was still adding elements fast when the target's timeout came."""


def min_growth_per_s(limits: PageLimits) -> int:
    return max(MIN_GROWTH_PER_S, limits.max_dom_nodes // 100)


async def settle(
    page: Page,
    settings: BrowserSettings,
    deadline: float,
    quiet_ms: int | None = None,
    *,
    read: bool = False,
    probes: Sequence[str] = (),
) -> Rendered | None:
    """Waits for the page's DOM to go quiet (see the module's docstring); `deadline` is a
    `time.perf_counter()` value: the end of the target's timeout. With `read`, the quiet page
    is read in the same round trip (see `READ_JS`), with which of `probes` (CSS selectors) match
    nothing in it; None when it could not be read."""
    quiet = settings.settle_quiet_ms if quiet_ms is None else quiet_ms
    # A page navigating away mid-settle (or closed for its size) is judged elsewhere.
    with contextlib.suppress(PlaywrightError):
        waiting = _combined(page, None, settings, deadline, quiet, read=read, probes=probes)
        return _answer(await _bounded(waiting, settings, deadline), settings)
    return None


async def match_then_settle(
    page: Page,
    selector: str,
    settings: BrowserSettings,
    deadline: float,
    *,
    quiet_ms: int,
    probes: Sequence[str] = (),
    followed: bool = False,
) -> tuple[bool, Rendered | None]:
    """Waits for `selector` to be attached, then for the DOM to be quiet for `quiet_ms`, and reads
    the page: (whether it matched, the page as read, or None when it could not be).

    Playwright's `wait_for_selector` is the judge of a match. A CSS selector is also awaited
    inside the page, with the settling and the reading that follow, in one evaluate sent at the
    same time: one round trip to the browser where waiting, settling and reading took three.
    Where the in-page wait cannot follow (not CSS, a navigation, a shadow boundary), the page is
    settled and read after Playwright's match, as before; a page that navigated meanwhile is
    awaited once more (`followed`) in the document it landed on."""
    remaining_ms = max(1000.0, (deadline - time.perf_counter()) * 1000)
    matching = asyncio.ensure_future(
        page.wait_for_selector(selector, state="attached", timeout=remaining_ms)
    )
    combined = asyncio.ensure_future(
        _bounded(
            _combined(page, selector, settings, deadline, quiet_ms, read=True, probes=probes),
            settings,
            deadline,
            matching_too=True,
        )
    )
    for task in (matching, combined):
        task.add_done_callback(_retrieved)
    try:
        await asyncio.wait({matching, combined}, return_when=asyncio.FIRST_COMPLETED)
        if not combined.done():
            try:
                await matching
            except PlaywrightTimeout:
                return False, None
            if await _in_page_matched(page, selector, combined, settings):
                await asyncio.wait({combined})
        navigated = False
        if combined.done() and not combined.cancelled():
            failure = combined.exception()
            if failure is None and combined.result()[0] == "read":
                return True, _answer(combined.result(), settings)
            if failure is not None and not isinstance(failure, PlaywrightError):
                raise failure  # a page still growing, or too busy to settle
            navigated = failure is not None
        # The in-page wait could not follow this selector or this page: Playwright's match, then
        # the settling and reading on their own.
        try:
            await matching
        except PlaywrightTimeout:
            return False, None
        if navigated and not followed:
            # The page went elsewhere while it was awaited (a script's redirect): the content is
            # awaited again in the document that is read.
            return await match_then_settle(
                page, selector, settings, deadline, quiet_ms=quiet_ms, probes=probes, followed=True
            )
        return True, await settle(page, settings, deadline, quiet_ms, read=True, probes=probes)
    finally:
        for task in (matching, combined):
            if not task.done():
                task.cancel()


async def _in_page_matched(
    page: Page, selector: str, combined: asyncio.Future[list[Any]], settings: BrowserSettings
) -> bool:
    """After Playwright's match: whether the combined wait has ended or saw the match too (it is
    then settling), so that its answer is worth awaiting."""
    grace_s = (settings.settle_quiet_after_match_ms + _MATCH_GRACE_MS) / 1000
    done, _ = await asyncio.wait({combined}, timeout=grace_s)
    if done:
        return True
    try:
        return bool(await page.evaluate(_MATCHES_OR_FALSE_JS, selector))
    except PlaywrightError:
        return False


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Marks an abandoned evaluate's error as seen (a later navigation ends it with one)."""
    if not future.cancelled():
        future.exception()


def _combined(
    page: Page,
    selector: str | None,
    settings: BrowserSettings,
    deadline: float,
    quiet: int,
    *,
    read: bool,
    probes: Sequence[str],
) -> Awaitable[list[Any]]:
    remaining_ms = max(0.0, (deadline - time.perf_counter()) * 1000)
    wait = [
        quiet,
        settings.settle_max_ms,
        GROWTH_SAMPLE_MS,
        min_growth_per_s(settings.limits),
        remaining_ms,
    ]
    reading = read_arguments(settings.limits) if read else None
    arguments = [selector, max(1000.0, remaining_ms), wait, reading, list(probes)]
    return page.evaluate(_MATCH_SETTLE_READ_JS, arguments)


async def _bounded(
    waiting: Awaitable[list[Any]],
    settings: BrowserSettings,
    deadline: float,
    *,
    matching_too: bool = False,
) -> list[Any]:
    """The page's own timers end the wait; a page too busy to run them is bounded here. A wait
    that also awaits a match may settle for as long after a match at its last moment."""
    remaining_ms = max(1000.0, (deadline - time.perf_counter()) * 1000)
    settling_ms = max(remaining_ms, settings.settle_max_ms)
    bound_s = (remaining_ms * matching_too + settling_ms) / 1000 + _GRACE_S
    try:
        return await asyncio.wait_for(waiting, bound_s)
    except TimeoutError:
        detail = "page was still too busy to settle when its timeout came"
        raise StillGrowingError(detail) from None


def _answer(answer: list[Any], settings: BrowserSettings) -> Rendered | None:
    """The page as read by `_MATCH_SETTLE_READ_JS`; raises for a page still growing."""
    _, growing, page, absent = answer
    if growing:
        raise StillGrowingError(
            f"page was still adding elements (at least {min_growth_per_s(settings.limits):,} "
            "a second) when its timeout came"
        )
    return None if page is None else Rendered.of(page, frozenset(absent))
