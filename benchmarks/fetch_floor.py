"""The browser's own floor and watcher's full pass over the same targets, for `fetch.py`.

The floor is the bare Playwright loop a user would write: one Chromium, a context per region
(its locale, time zone, Accept-Language and egress proxy, as watcher's), `concurrency` workers
each keeping one page per region context and navigating it page after page: `load`, wait for
the content's heading, read the HTML. Nothing else.

The full pass is what `watcher run` does each round with its browser warm: `Checker.check_many`
over the same targets (fetch, health, normalize, confirmation load where needed, diff,
classify, store; objection forms followed), against SQLite.

Both run a warming pass first and then the measured pass, so neither pays for a cold browser.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from memory import PeakSampler
from peer_tools import PassRun, Watcher
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from storage import Database
from watcher.cli.common import browser_settings, started
from watcher.config import Config, Target, parse_config
from watcher.demo import DEMO_REGIONS, ESSENTIAL_COOKIES_BUTTON, MAIN_HEADING
from watcher.fetch.base import FetchRequest
from watcher.fetch.browser import CHROMIUM_ARGS, choose_executable
from watcher.fetch.browser_proxy import playwright_proxy
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.pipeline import Checker, CheckOutcome
from watcher.simsite import PAGES, SimulatedMetaSite


def full_pass_config(site: SimulatedMetaSite, page_ids: Sequence[str], count: int) -> Config:
    """`count` targets: the pages in every demo region, repeated under distinct URLs."""
    return parse_config(full_pass_yaml(site, page_ids, count))


def full_pass_yaml(site: SimulatedMetaSite, page_ids: Sequence[str], count: int) -> str:
    """The configuration of `full_pass_config` as a sources.yaml."""
    proxies = site.egress_proxies()
    lines = ["regions:"]
    for region, (locale, zone, accept, variant) in DEMO_REGIONS.items():
        lines.append(
            f"  {region}: {{locale: {locale}, timezone: {zone}, "
            f'accept_language: "{accept}", proxy: "{proxies[region]}", legal_variant: {variant}}}'
        )
    lines += [
        "defaults: {interval: 1h, timeout: 30s, confirm: true}",
        "browser: {max_concurrency: 4, context_reuse: per_region}",
        "sources:",
    ]
    made = copy = 0
    while made < count:
        for page_id in page_ids:
            spec = PAGES[page_id]
            regions = [r for r in spec.regions if r in DEMO_REGIONS][: count - made]
            if not regions:
                break
            lines += [
                f"  - id: {page_id.replace('_', '-')}-{copy}",
                f'    title: "{spec.title}"',
                f'    url: "{site.base_url}{spec.path}?locale={{locale_underscore}}&n={copy}"',
                f"    regions: [{', '.join(regions)}]",
                "    select: '[role=\"main\"]'",
                "    remove: ['[role=\"dialog\"]']",
                f"    wait_for: '{MAIN_HEADING}'",
                "    actions:",
                f"      - {{click: '{ESSENTIAL_COOKIES_BUTTON}', optional: true, timeout: 2s}}",
            ]
            made += len(regions)
        copy += 1
    return "\n".join(lines) + "\n"


async def floor_pass(requests: Sequence[FetchRequest], concurrency: int) -> tuple[float, int]:
    """(seconds of the measured pass, pages whose heading was found) of the bare loop."""
    async with async_playwright() as playwright:
        executable = choose_executable(None, playwright.chromium.executable_path)
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        contexts: dict[str, BrowserContext] = {}
        pages: list[dict[str, Page]] = [{} for _ in range(concurrency)]
        await _floor_round(browser, contexts, pages, requests)  # warming
        started_at = time.perf_counter()
        read = await _floor_round(browser, contexts, pages, requests)
        seconds = time.perf_counter() - started_at
        await browser.close()
    return seconds, read


async def _floor_round(
    browser: Browser,
    contexts: dict[str, BrowserContext],
    pages: list[dict[str, Page]],
    requests: Sequence[FetchRequest],
) -> int:
    queue: asyncio.Queue[FetchRequest] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    read = 0

    async def context_for(request: FetchRequest) -> BrowserContext:
        context = contexts.get(request.region_id)
        if context is None:
            proxy = playwright_proxy(request.proxy) if request.proxy else None
            context = contexts[request.region_id] = await browser.new_context(
                locale=request.locale,
                timezone_id=request.timezone,
                extra_http_headers={"Accept-Language": request.accept_language},
                proxy=proxy,
            )
        return context

    async def worker(own: dict[str, Page]) -> None:
        nonlocal read
        while not queue.empty():
            request = queue.get_nowait()
            page = own.get(request.region_id)
            if page is None:
                page = own[request.region_id] = await (await context_for(request)).new_page()
            await page.goto(request.url, wait_until="load")
            await page.wait_for_selector(MAIN_HEADING, state="attached")
            html = await page.content()
            read += bool(html)

    await asyncio.gather(*(worker(own) for own in pages))
    return read


async def full_pass(config: Config, targets: Sequence[Target]) -> tuple[float, int, int]:
    """(seconds of the measured warm pass, targets checked, failed checks) of `watcher run`."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'watcher.db'}")
        database.upgrade()
        fetcher = PlaywrightFetcher(browser_settings(config))
        try:
            with Checker(fetcher, database, page_limits=fetcher.settings.limits) as checker:
                async with started(checker, fetcher):
                    await checker.check_many(targets)  # warming: the first versions
                    started_at = time.perf_counter()
                    reports = await checker.check_many(targets)
                    seconds = time.perf_counter() - started_at
        finally:
            database.dispose()
    failed = sum(r.outcome is CheckOutcome.FAILED for r in reports)
    return seconds, len(reports), failed


def cold_check_pass(
    site: SimulatedMetaSite, page_ids: Sequence[str], count: int
) -> tuple[PassRun, float]:
    """An unchanged `watcher check` over the same targets, run the way the peers benchmark runs
    it: a new process, start-up and browser launch included (a first check stores the versions
    first), and the peak PSS (MiB) of another such check's processes. Starts are not spaced
    per host (`min_spacing: 0s`): the floor spaces nothing."""
    config = full_pass_yaml(site, page_ids, count)
    config += "politeness: {max_concurrent: 4, min_spacing: 0s}\n"
    with tempfile.TemporaryDirectory() as folder:
        watcher = Watcher(Path(folder), config)
        watcher.run_pass(0)
        unchanged = watcher.run_pass(1)  # timed unwatched, as fetch.py's other passes
        with PeakSampler() as sampler:
            watcher.run_pass(2)
        return unchanged, sampler.peak_pss_kib / 1024
