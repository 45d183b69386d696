"""`PlaywrightFetcher`: one browser per process, one context per region (or per target).

Locale, timezone, Accept-Language and proxy are properties of a browser context, so a context is
keyed by them. Keeping one context per region across that region's targets isolates regions at a
third of the CPU cost of a fresh context per page (FACTS.md); `context_reuse: per_target` gives
the strict variant. A context is replaced after a failure and after `recycle_after_pages` pages.

Every page is watched by a `PageGuard` while it loads and renders: a page over the size limits
is closed as soon as it is over them and reported as `too_large`, never serialized whole.

A page that served a sound fetch is kept, with its guard, and navigated to the context's next
target instead of opening a new one (a new page and its guard cost several DevTools round trips
each). Kept pages are bounded: with the pages at work, never more than `max_concurrency` open,
so memory stays what it is with a page per fetch. A page that failed or went over a limit is
closed, never reused. A free slot goes first to the oldest waiting fetch whose context keeps a
page, then to the oldest: a region's pages keep serving it while other regions wait, where
taking fetches strictly in turn opened a page at nearly every change of region.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from functools import partial

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from watcher.errors import FetchError
from watcher.fetch.actions import ActionError, optional_selectors, run_actions
from watcher.fetch.base import (
    FailureKind,
    FetchFailure,
    FetchOutcome,
    FetchRequest,
    FetchResult,
    FetchTimings,
)
from watcher.fetch.browser import CHROMIUM_ARGS, BrowserSettings, choose_executable
from watcher.fetch.browser_proxy import BrowserProxies, blame_proxy
from watcher.fetch.evidence import SCREENSHOT_TIMEOUT_S, capture_evidence
from watcher.fetch.guard import READ_JS, PageGuard, Rendered, guard_context, read_arguments
from watcher.fetch.proxy import Proxy
from watcher.fetch.proxy_check import proxy_refused
from watcher.fetch.settle import StillGrowingError, match_then_settle, settle

# The proxy holds its password (two accounts on one proxy are two contexts); its repr hides it.
ContextKey = tuple[str, str, str, str, Proxy | None]


@dataclass
class _PooledContext:
    context: BrowserContext
    pages_served: int = 0
    broken: bool = False
    # Pages that served a sound fetch, with their guards, waiting for this context's next one.
    idle: list[tuple[Page, PageGuard]] = field(default_factory=list)
    # The guard of each open page, for the context's element counter to call back.
    guards: dict[Page, PageGuard] = field(default_factory=dict)


class PlaywrightFetcher:
    """Fetches rendered pages with a real Chromium; safe to share across concurrent tasks."""

    def __init__(self, settings: BrowserSettings | None = None) -> None:
        self.settings = settings or BrowserSettings()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._start_lock = asyncio.Lock()
        self._pool_lock = asyncio.Lock()
        self._pool: dict[ContextKey, _PooledContext] = {}
        self._busy = 0  # fetches holding a slot
        # Fetches waiting for a slot, in arrival order, with their context's key.
        self._waiting: list[tuple[ContextKey, asyncio.Future[None]]] = []
        self.proxies = BrowserProxies()
        self.launches = 0

    async def __aenter__(self) -> PlaywrightFetcher:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    @property
    def browser_version(self) -> str:
        """The running Chromium's version (`Chromium 156.0.…`), or "" before it started."""
        if self._browser is None:
            return ""
        return f"{self._browser.browser_type.name.capitalize()} {self._browser.version}"

    @property
    def browser_pid(self) -> int | None:
        """Process id of the browser (for memory measurements), when known."""
        browser = self._browser
        process = getattr(getattr(browser, "_impl_obj", None), "_browser_process", None)
        pid = getattr(process, "pid", None)
        return pid if isinstance(pid, int) else None

    async def start(self) -> None:
        async with self._start_lock:
            if self._browser is not None and self._browser.is_connected():
                return
            if self._playwright is None:
                self._playwright = await async_playwright().start()
            executable = choose_executable(
                self.settings.executable_path, self._playwright.chromium.executable_path
            )
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=executable,
                    headless=self.settings.headless,
                    args=[*CHROMIUM_ARGS, *self.settings.extra_args],
                )
            except PlaywrightError as error:
                raise FetchError(f"could not launch Chromium: {error.message}") from error
            self._pool.clear()
            self.launches += 1

    async def close(self) -> None:
        for pooled in list(self._pool.values()):
            await _close_quietly(pooled.context)
        self._pool.clear()
        if self._browser is not None:
            with contextlib.suppress(PlaywrightError):
                await self._browser.close()
            self._browser = None
        await self.proxies.close()
        if self._playwright is not None:
            # The driver may already be gone (Ctrl-C reaches its process group too).
            with contextlib.suppress(Exception):
                await self._playwright.stop()
            self._playwright = None

    async def fetch(self, request: FetchRequest) -> FetchOutcome:
        await self._take_slot(self._key(request))
        try:
            return await self._fetch_in_slot(request)
        finally:
            self._busy -= 1
            self._hand_on_slot()

    async def _take_slot(self, key: ContextKey) -> None:
        if self._busy < max(1, self.settings.max_concurrency) and not self._waiting:
            self._busy += 1
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (key, granted)
        self._waiting.append(entry)
        try:
            await granted
        except asyncio.CancelledError:
            if entry in self._waiting:
                self._waiting.remove(entry)
            elif granted.done() and not granted.cancelled():
                # Granted as it was cancelled: the slot goes to the next one.
                self._busy -= 1
                self._hand_on_slot()
            raise

    def _hand_on_slot(self) -> None:
        """Gives free slots to waiting fetches: first to the oldest whose context has a kept
        page (it is served without opening one), else to the oldest."""
        # A fetch cancelled while waiting leaves its entry until its task runs again: its
        # future is already cancelled and is never granted.
        self._waiting = [entry for entry in self._waiting if not entry[1].done()]
        while self._waiting and self._busy < max(1, self.settings.max_concurrency):
            ready = next(
                (
                    entry
                    for entry in self._waiting
                    if (pooled := self._pool.get(entry[0])) is not None and pooled.idle
                ),
                self._waiting[0],
            )
            self._waiting.remove(ready)
            self._busy += 1
            ready[1].set_result(None)

    async def _fetch_in_slot(self, request: FetchRequest) -> FetchOutcome:
        started = time.perf_counter()
        try:
            await self.start()
            pooled = await self._context_for(request)
        except (PlaywrightError, FetchError) as error:
            return _failure(request, FailureKind.BROWSER_ERROR, _message(error), started)
        context_ms = (time.perf_counter() - started) * 1000
        # The screenshot has a budget of its own: evidence never times a load out.
        budget = request.timeout_s + 5 + (SCREENSHOT_TIMEOUT_S if request.evidence else 0)
        try:
            outcome = await asyncio.wait_for(
                self._load(pooled, request, started, context_ms), timeout=budget
            )
        except TimeoutError:
            pooled.broken = True
            outcome = _failure(
                request,
                FailureKind.TIMEOUT,
                f"no result within {request.timeout_s:g}s",
                started,
            )
        await self._release(request, pooled, failed=isinstance(outcome, FetchFailure))
        if isinstance(outcome, FetchFailure):
            outcome = await blame_proxy(request, outcome)
        return outcome

    async def _load(
        self, pooled: _PooledContext, request: FetchRequest, started: float, context_ms: float
    ) -> FetchOutcome:
        page, guard = await self._page_for(pooled)
        page.set_default_timeout(request.timeout_s * 1000)
        sound = False
        try:
            rendering = asyncio.create_task(self._render(page, guard, request, started, context_ms))
            over = asyncio.create_task(guard.over.wait())
            try:
                await asyncio.wait({rendering, over}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                over.cancel()
                if guard.reason is None:
                    # Cancelled from outside (the fetch's own timeout): the render goes too.
                    rendering.cancel()
            if guard.reason is None:
                outcome = rendering.result()
                sound = isinstance(outcome, FetchResult)
                return outcome
            # Over a limit: closing the page stops the load and any script at once and lets
            # Chromium free what the page holds; the render then ends with a closed-page error.
            if not await guard.close(page):
                pooled.broken = True
            await asyncio.gather(rendering, return_exceptions=True)
            return _failure(request, FailureKind.TOO_LARGE, guard.reason, started, page.url)
        except PlaywrightError as error:
            return _failure(request, FailureKind.BROWSER_ERROR, _message(error), started)
        finally:
            kept = sound and self._keep(pooled, page, guard)
            if not kept and not page.is_closed() and not await guard.close(page):
                pooled.broken = True

    async def _page_for(self, pooled: _PooledContext) -> tuple[Page, PageGuard]:
        """A kept page of this context, or a new one (closing a kept page of another context
        when the pages open would otherwise exceed `max_concurrency`)."""
        while pooled.idle:
            page, guard = pooled.idle.pop()
            if not page.is_closed():
                guard.reset()
                return page, guard
        # The kept pages that make room are closed while the new page opens: the close and the
        # opening are round trips of their own, and neither needs the other's answer.
        closing: list[asyncio.Task[None]] = []
        while self._busy + self._idle_count() > max(1, self.settings.max_concurrency):
            fullest = max(self._pool.values(), key=lambda p: len(p.idle))
            closing.append(asyncio.create_task(_evict(fullest, *fullest.idle.pop(0))))
        try:
            page = await pooled.context.new_page()
            guard = pooled.guards[page] = PageGuard(self.settings.limits)
            page.once("close", partial(_forget_guard, pooled))
            try:
                await guard.watch(pooled.context, page)
            except PlaywrightError:
                await guard.close(page)
                raise
        finally:
            await asyncio.gather(*closing)
        return page, guard

    def _keep(self, pooled: _PooledContext, page: Page, guard: PageGuard) -> bool:
        """Keeps a page that served a sound fetch for the context's next one, when it may."""
        if page.is_closed() or pooled.broken or guard.reason is not None:
            return False
        if not any(value is pooled for value in self._pool.values()):
            return False  # the context was retired meanwhile
        pooled.idle.append((page, guard))
        return True

    def _idle_count(self) -> int:
        return sum(len(pooled.idle) for pooled in self._pool.values())

    async def _render(
        self,
        page: Page,
        guard: PageGuard,
        request: FetchRequest,
        started: float,
        context_ms: float,
    ) -> FetchOutcome:
        """Load, wait, act and serialize: the page as health checks and normalization see it."""
        timeout_ms = request.timeout_s * 1000
        navigation_started = time.perf_counter()
        try:
            response = await page.goto(request.url, wait_until="load", timeout=timeout_ms)
        except PlaywrightTimeout:
            return _failure(
                request, FailureKind.TIMEOUT, "page did not finish loading", started, page.url
            )
        except PlaywrightError as error:
            # A browser that died (or a page closed) under the navigation is not the network's.
            gone = page.is_closed() or not _connected(page)
            kind = FailureKind.BROWSER_ERROR if gone else FailureKind.NETWORK_ERROR
            return _failure(request, kind, _message(error), started)
        navigation_ms = (time.perf_counter() - navigation_started) * 1000
        status = response.status if response is not None else 0
        if status == 407 and request.proxy is not None:
            # The proxy's own refusal page: waiting for content would only time out.
            detail = proxy_refused(request.proxy)
            return _failure(request, FailureKind.PROXY_ERROR, detail, started, page.url)

        deadline = started + request.timeout_s
        render_started = time.perf_counter()
        try:
            wait_error, rendered = await _wait_rendered(page, request, self.settings, deadline)
            render_ms = (time.perf_counter() - render_started) * 1000

            actions_started = time.perf_counter()
            action_error: str | None = None
            # Actions run even when wait_for failed: a cookie dialog may be what hides the
            # content, and health checks judge the page as the actions leave it.
            acted = 0
            try:
                absent = rendered.absent if rendered is not None else frozenset()
                acted = await run_actions(page, request.actions, absent=absent)
            except ActionError as error:
                action_error = str(error)
                rendered = None  # actions before the failed one may have changed the page
            if acted:
                rendered = await settle(page, self.settings, deadline, read=True)
            actions_ms = (time.perf_counter() - actions_started) * 1000
        except StillGrowingError as error:
            return _failure(request, FailureKind.TIMEOUT, str(error), started, page.url)

        if rendered is None:
            # Measured before serializing, so an oversized DOM never becomes a string.
            rendered = Rendered.of(await page.evaluate(READ_JS, read_arguments(guard.limits)))
        too_large = guard.check_rendered(rendered.elements, rendered.chars)
        html = "" if too_large or rendered.html is None else rendered.html
        too_large = too_large or guard.check_html(html)
        if too_large:
            return _failure(request, FailureKind.TOO_LARGE, too_large, started, page.url)
        evidence, evidence_ms = None, 0.0
        if request.evidence:
            evidence, evidence_ms = await capture_evidence(page, response, self.browser_version)
        timings = FetchTimings(
            context_ms=context_ms,
            navigation_ms=navigation_ms,
            render_ms=render_ms,
            actions_ms=actions_ms,
            total_ms=(time.perf_counter() - started) * 1000,
            evidence_ms=evidence_ms,
        )
        return FetchResult(
            target_id=request.target_id,
            url=request.url,
            final_url=page.url,
            status=status,
            html=html,
            timings=timings,
            wait_error=wait_error,
            action_error=action_error,
            evidence=evidence,
        )

    def _key(self, request: FetchRequest) -> ContextKey:
        return (
            request.region_id if self.settings.context_reuse == "per_region" else request.target_id,
            request.locale,
            request.timezone,
            request.accept_language,
            request.proxy,
        )

    async def _context_for(self, request: FetchRequest) -> _PooledContext:
        key = self._key(request)
        async with self._pool_lock:
            pooled = self._pool.get(key)
            if pooled is not None and not pooled.broken:
                pooled.pages_served += 1
                return pooled
            assert self._browser is not None
            proxy = await self.proxies.settings_for(request.proxy) if request.proxy else None
            context = await self._browser.new_context(
                locale=request.locale,
                timezone_id=request.timezone,
                extra_http_headers={"Accept-Language": request.accept_language},
                proxy=proxy,
                service_workers="block",
                java_script_enabled=True,
            )
            pooled = _PooledContext(context=context, pages_served=1)
            try:
                await guard_context(context, self.settings.limits, pooled.guards)
            except PlaywrightError:
                await _close_quietly(context)
                raise
            self._pool[key] = pooled
            return pooled

    async def _release(
        self, request: FetchRequest, pooled: _PooledContext, *, failed: bool
    ) -> None:
        retire = (
            failed
            or pooled.broken
            or self.settings.context_reuse == "per_target"
            or pooled.pages_served >= self.settings.recycle_after_pages
        )
        if not retire:
            return
        async with self._pool_lock:
            for key, value in list(self._pool.items()):
                if value is pooled:
                    del self._pool[key]
        kept, pooled.idle = pooled.idle, []
        for page, guard in kept:
            await guard.close(page)
        # Other pages may still be open in a shared context: close it once they are done.
        if not pooled.context.pages:
            await _close_quietly(pooled.context)
        else:
            pooled.broken = True
            asyncio.get_running_loop().create_task(_close_when_idle(pooled.context))


async def _wait_rendered(
    page: Page, request: FetchRequest, settings: BrowserSettings, deadline: float
) -> tuple[str | None, Rendered | None]:
    """Wait for `wait_for` and then for the DOM to settle: why waiting failed, if it did, and
    the page as read once quiet (None when it was not read), with which of the optional
    actions' selectors match nothing in it."""
    probes = optional_selectors(request.actions)
    if request.wait_for:
        quiet_ms = settings.settle_quiet_after_match_ms
        matched, rendered = await match_then_settle(
            page, request.wait_for, settings, deadline, quiet_ms=quiet_ms, probes=probes
        )
        if not matched:
            failed = f"wait_for {request.wait_for!r} matched nothing within {request.timeout_s:g}s"
            return failed, None
        return None, rendered
    return None, await settle(page, settings, deadline, read=True, probes=probes)


def _forget_guard(pooled: _PooledContext, page: Page) -> None:
    pooled.guards.pop(page, None)


async def _evict(pooled: _PooledContext, page: Page, guard: PageGuard) -> None:
    """Closes a kept page to make room; a context whose page would not close is replaced."""
    if not await guard.close(page):
        pooled.broken = True


async def _close_quietly(context: BrowserContext) -> None:
    with contextlib.suppress(PlaywrightError):
        await context.close()


async def _close_when_idle(context: BrowserContext) -> None:
    while context.pages:
        await asyncio.sleep(0.1)  # polling the pool in production code, not a test wait
    await _close_quietly(context)


def _connected(page: Page) -> bool:
    browser = page.context.browser
    return browser is not None and browser.is_connected()


def _failure(
    request: FetchRequest,
    kind: FailureKind,
    detail: str,
    started: float,
    final_url: str | None = None,
) -> FetchFailure:
    return FetchFailure(
        target_id=request.target_id,
        kind=kind,
        detail=detail,
        url=request.url,
        final_url=final_url,
        timings=FetchTimings(total_ms=(time.perf_counter() - started) * 1000),
    )


def _message(error: BaseException) -> str:
    text = getattr(error, "message", None) or str(error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
