"""Faults under a whole pass with a real Chromium, at the default limits: hostile pages among
normal ones, and the browser killed mid-pass. Each ends as named failed checks within bounds,
the rest of the pass goes on, and the next pass works.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.hostile_site import HostileSite
from benchmarks.memory import PeakSampler, children_of
from storage import Database
from watcher.config import Target, parse_config
from watcher.fetch.browser import BrowserSettings
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.pipeline import Analysis, Checker, CheckOutcome, CheckReport
from watcher.simsite import SimulatedMetaSite

pytestmark = pytest.mark.browser

# The slow pages end at their timeout; the big ones must be stopped by size well before theirs.
TIMEOUT_S = 8
SIZE_TIMEOUT_S = 40
# Far below what the hostile pages take unguarded (gigabytes), far above an idle Chromium.
BROWSER_PSS_CEILING_MIB = 1_500
HOSTILE = {
    "redirect-loop": ("/redirect-loop", {"network_error"}),
    "drip": ("/drip", {"timeout"}),
    "never-loads": ("/never-loads", {"timeout"}),
    "js-loop": ("/js-loop", {"timeout"}),
    "huge": ("/huge", {"too_large"}),
    "million-nodes": ("/flood-at-once", {"too_large"}),
    "gzip-bomb": ("/gzip-bomb", {"too_large"}),
}
SIZE_CASES = {"huge", "million-nodes", "gzip-bomb"}
NORMAL = {"article-a": "/article?a", "article-b": "/article?b"}


def _config(urls: dict[str, str]) -> list[Target]:
    lines = [
        "regions:",
        '  us: {locale: en-US, timezone: America/New_York, accept_language: "en-US,en;q=0.9"}',
        f"defaults: {{interval: 6h, timeout: {TIMEOUT_S}s, confirm: false}}",
        "sources:",
    ]
    for source_id, url in urls.items():
        lines += [f"  - id: {source_id}", f"    title: {source_id}", f"    url: '{url}'"]
        if source_id in SIZE_CASES:
            lines.append(f"    timeout: {SIZE_TIMEOUT_S}s")
        lines += ["    regions: [us]", "    select: '[role=\"main\"], main'"]
    return parse_config("\n".join(lines) + "\n").targets()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'watcher.db'}")
    database.upgrade()
    yield database
    database.dispose()


async def _pass(checker: Checker, targets: list[Target]) -> dict[str, CheckReport]:
    return {r.target_id: r for r in await checker.check_many(targets)}


def test_every_hostile_page_is_a_named_failure_and_the_pass_goes_on(
    chromium_available: None, database: Database
) -> None:
    with HostileSite() as site:
        urls = {name: site.url(path) for name, (path, _) in HOSTILE.items()}
        urls |= {name: site.url(path) for name, path in NORMAL.items()}
        targets = _config(urls)

        async def scenario() -> tuple[dict[str, CheckReport], dict[str, CheckReport], float]:
            settings = BrowserSettings(max_concurrency=4)
            fetcher = PlaywrightFetcher(settings)
            analysis = Analysis.in_threads()
            with Checker(fetcher, database, analysis=analysis) as checker:
                async with fetcher:
                    started = time.perf_counter()
                    first = await _pass(checker, targets)
                    seconds = time.perf_counter() - started
                    normal = [t for t in targets if t.source_id in NORMAL]
                    second = await _pass(checker, normal)
            return first, second, seconds

        with PeakSampler(every_s=0.05, only_new=True) as sampler:
            first, second, seconds = asyncio.run(scenario())

    for name, (_, kinds) in HOSTILE.items():
        report = first[f"{name}@us"]
        assert report.outcome is CheckOutcome.FAILED, (name, report)
        assert report.failure_kind in kinds, (name, report.failure_kind, report.failure_detail)
    for name in NORMAL:
        assert first[f"{name}@us"].outcome is CheckOutcome.FIRST, first[f"{name}@us"]
        assert second[f"{name}@us"].outcome is CheckOutcome.UNCHANGED, second[f"{name}@us"]
    for name in SIZE_CASES:
        assert first[f"{name}@us"].timings["total_ms"] < SIZE_TIMEOUT_S * 1000, name
    # Four pages at a time: the slow ones hold a slot for at most their timeout and the close.
    assert seconds < 2 * (TIMEOUT_S + 5 + 4) + SIZE_TIMEOUT_S, seconds
    assert sampler.peak_pss_kib / 1024 < BROWSER_PSS_CEILING_MIB


def test_chromium_killed_mid_pass_is_relaunched_and_the_pass_goes_on(
    site: SimulatedMetaSite, chromium_available: None, database: Database
) -> None:
    pages = ("genai", "privacy_policy", "privacy_center", "help_ai_ads")
    targets = _config(
        {f"{p}-{n}": site.url(p, locale="en_US", n=str(n)) for p in pages for n in (1, 2)}
    )

    async def scenario() -> tuple[dict[str, CheckReport], dict[str, CheckReport], int]:
        fetcher = PlaywrightFetcher(BrowserSettings(max_concurrency=2))
        # Browsers of other tests of the session may be running: this test's is the new one.
        others = _browser_main_processes()
        with Checker(fetcher, database, analysis=Analysis.in_threads()) as checker:
            async with fetcher:
                running = asyncio.create_task(_pass(checker, targets))
                # Killed once the pass has fetched its first pages, with more still to come.
                while _served(site, pages) < 2:
                    await asyncio.wait({running}, timeout=0.05)
                    assert not running.done(), "the pass ended before the browser was killed"
                os.kill(_browser_main_process(others), signal.SIGKILL)
                first = await running
                second = await _pass(checker, targets)
                return first, second, fetcher.launches

    first, second, launches = asyncio.run(scenario())

    assert launches == 2
    outcomes = {r.outcome for r in first.values()}
    assert outcomes <= {CheckOutcome.FIRST, CheckOutcome.FAILED}, first
    failed = [r for r in first.values() if r.outcome is CheckOutcome.FAILED]
    named = [(r.target_id, r.failure_kind, r.failure_detail) for r in failed]
    assert all(r.failure_kind == "browser_error" for r in failed), named
    assert any(r.outcome is CheckOutcome.FIRST for r in first.values()), "the pass did not go on"
    # The next pass works: what failed is stored now, what was stored is unchanged.
    for target_id, report in second.items():
        expected = CheckOutcome.FIRST if first[target_id] in failed else CheckOutcome.UNCHANGED
        assert report.outcome is expected, (target_id, report)


def _browser_main_process(others: set[int]) -> int:
    """This test's Chromium: the one browser started since `others` were listed."""
    (main,) = _browser_main_processes() - others
    return main


def _browser_main_processes() -> set[int]:
    """The Chromium browsers of this process: those whose parent is not Chromium."""

    def command(pid: int) -> str:
        try:
            return Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            return ""

    def parent(pid: int) -> int:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat[stat.rindex(")") + 2 :].split()[1])

    browsers = [pid for pid in children_of(os.getpid()) if command(pid).startswith("chrom")]
    return {pid for pid in browsers if not command(parent(pid)).startswith("chrom")}


def _served(site: SimulatedMetaSite, pages: tuple[str, ...]) -> int:
    return sum(site.request_count(p) for p in pages)
