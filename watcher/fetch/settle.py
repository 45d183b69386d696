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

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

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


# The wait, then (unless the page is still growing, or no reading is asked for) `READ_JS`: a page
# read as soon as it is quiet, in the wait's own round trip.
_SETTLE_THEN_READ_JS = f"""async ([wait, read]) => {{
  const growing = await ({_SETTLE_JS})(wait);
  return [growing, growing || read === null ? null : ({READ_JS})(read)];
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
) -> Rendered | None:
    """Waits for the page's DOM to go quiet (see the module's docstring); `deadline` is a
    `time.perf_counter()` value: the end of the target's timeout. With `read`, the quiet page
    is read in the same round trip (see `READ_JS`); None when it could not be."""
    quiet = settings.settle_quiet_ms if quiet_ms is None else quiet_ms
    remaining_ms = max(0.0, (deadline - time.perf_counter()) * 1000)
    arguments = [
        quiet,
        settings.settle_max_ms,
        GROWTH_SAMPLE_MS,
        min_growth_per_s(settings.limits),
        remaining_ms,
    ]
    growing = False
    rendered: Rendered | None = None
    # A page navigating away mid-settle (or closed for its size) is judged elsewhere.
    with contextlib.suppress(PlaywrightError):
        try:
            reading = read_arguments(settings.limits) if read else None
            waiting = page.evaluate(_SETTLE_THEN_READ_JS, [arguments, reading])
            # The page's own timers end the wait; a page too busy to run them is bounded here.
            bound_s = max(remaining_ms, settings.settle_max_ms) / 1000 + _GRACE_S
            answer = await asyncio.wait_for(waiting, bound_s)
            growing = bool(answer[0])
            rendered = None if answer[1] is None else Rendered.of(answer[1])
        except TimeoutError:
            detail = "page was still too busy to settle when its timeout came"
            raise StillGrowingError(detail) from None
    if growing:
        raise StillGrowingError(
            f"page was still adding elements (at least {min_growth_per_s(settings.limits):,} "
            "a second) when its timeout came"
        )
    return rendered
