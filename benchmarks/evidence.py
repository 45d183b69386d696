"""Evidence benchmark: what keeping evidence costs in time and in disk.

    .venv/bin/python benchmarks/evidence.py [--fetches 20] [--passes 100] [--pages genai,...]

With one Chromium and the simulated Meta site (French region, its egress proxy):

1. the time a full-page screenshot (and the response headers) adds to a load: the same page
   fetched alternately without and with evidence, p50/p95 of the whole fetch and of the
   evidence step alone, and the PNG's size;
2. the bytes each new version adds to the evidence folder: every version of each page of the
   site's 2024–2026 history, checked in order through the real check path;
3. the growth of the evidence folder over `--passes` unchanged checks (it must be 0 bytes of
   new files; the database grows by its one row per check, shown apart).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from storage import BlobStore, Database
from watcher.cli.common import started
from watcher.config import parse_config
from watcher.demo import demo_config_yaml, demo_fetch_request
from watcher.fetch.base import FetchResult
from watcher.fetch.browser import BrowserSettings
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.pipeline import Checker
from watcher.simsite import SimulatedMetaSite
from watcher.simsite.catalog import LATEST_VERSION

REGION = "fr"


@dataclass(frozen=True)
class Timing:
    page: str
    plain_p50: float
    plain_p95: float
    with_p50: float
    with_p95: float
    step_p50: float
    step_p95: float
    png_kib: float


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def time_screenshots(site: SimulatedMetaSite, page: str, fetches: int) -> Timing:
    request = demo_fetch_request(
        site, REGION, target_id=f"{page}@{REGION}", url=site.url(page, locale="fr_FR")
    )
    plain: list[float] = []
    kept: list[float] = []
    step: list[float] = []
    png = 0
    async with PlaywrightFetcher(BrowserSettings(max_concurrency=1)) as fetcher:
        await fetcher.fetch(request)  # opens the region's context: not measured
        for _ in range(fetches):
            for evidence in (False, True):
                outcome = await fetcher.fetch(replace(request, evidence=evidence))
                assert isinstance(outcome, FetchResult), outcome
                if not evidence:
                    plain.append(outcome.timings.total_ms)
                    continue
                assert outcome.evidence is not None and outcome.evidence.screenshot_png
                kept.append(outcome.timings.total_ms)
                step.append(outcome.timings.evidence_ms)
                png = len(outcome.evidence.screenshot_png)
    return Timing(
        page,
        statistics.median(plain),
        percentile(plain, 0.95),
        statistics.median(kept),
        percentile(kept, 0.95),
        statistics.median(step),
        percentile(step, 0.95),
        png / 1024,
    )


@dataclass(frozen=True)
class Growth:
    page: str
    versions: int
    evidence_bytes: int
    files: int
    passes: int
    unchanged_new_files: int
    unchanged_new_bytes: int
    database_growth: int


def _files(folder: Path) -> dict[Path, int]:
    if not folder.is_dir():
        return {}
    return {p: p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def _database_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("watcher.db*") if p.is_file())


async def grow(site: SimulatedMetaSite, page: str, passes: int, work: Path) -> Growth:
    config = parse_config(demo_config_yaml(site.base_url, site.egress_proxies(), pages=(page,)))
    (target,) = config.select_targets([f"{page.replace('_', '-')}@{REGION}"])
    database = Database(f"sqlite:///{work / 'watcher.db'}")
    database.upgrade()
    blobs = BlobStore(work / "evidence")
    fetcher = PlaywrightFetcher(BrowserSettings(max_concurrency=1))
    versions = 0
    with Checker(fetcher, database, blobs=blobs, follow_opt_out=False) as checker:
        async with started(checker, fetcher):
            checker.register([target])
            for version in range(LATEST_VERSION + 1):
                site.set_version(page, version)
                report = await checker.check(target)
                versions += report.outcome.value in ("first", "changed", "updated")
            stored = _files(blobs.root)
            database_before = _database_bytes(work)
            for _ in range(passes):
                report = await checker.check(target)
                assert report.outcome.value == "unchanged", report
            after = _files(blobs.root)
            database_growth = _database_bytes(work) - database_before
    database.dispose()
    new_files = set(after) - set(stored)
    return Growth(
        page=page,
        versions=versions,
        evidence_bytes=sum(stored.values()),
        files=len(stored),
        passes=passes,
        unchanged_new_files=len(new_files),
        unchanged_new_bytes=sum(after.values()) - sum(stored.values()),
        database_growth=database_growth,
    )


async def run(pages: list[str], fetches: int, passes: int) -> tuple[list[Timing], list[Growth]]:
    timings: list[Timing] = []
    growths: list[Growth] = []
    with SimulatedMetaSite(render_delay_ms=150) as site:
        for page in pages:
            site.set_version(page, 0)
            timings.append(await time_screenshots(site, page, fetches))
            with tempfile.TemporaryDirectory(prefix="evidence-bench-") as work:
                growths.append(await grow(site, page, passes, Path(work)))
    return timings, growths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetches", type=int, default=20, help="fetches each way (default 20)")
    parser.add_argument("--passes", type=int, default=100, help="unchanged checks (default 100)")
    parser.add_argument("--pages", default="genai,privacy_policy", help="simulated pages")
    args = parser.parse_args()
    timings, growths = asyncio.run(run(args.pages.split(","), args.fetches, args.passes))
    print(f"\nTime a screenshot adds to a load ({args.fetches} fetches each way, ms)")
    print(
        "| page | fetch p50 | fetch p95 | with evidence p50 | p95 | evidence step p50 | p95 | PNG |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for t in timings:
        print(
            f"| {t.page} | {t.plain_p50:.0f} | {t.plain_p95:.0f} | {t.with_p50:.0f} | "
            f"{t.with_p95:.0f} | {t.step_p50:.0f} | {t.step_p95:.0f} | {t.png_kib:.0f} KiB |"
        )
    print("\nDisk: the page's whole history, then unchanged checks")
    print(
        "| page | new versions | evidence files | bytes per new version | unchanged checks "
        "| new files | new evidence bytes | database growth |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for g in growths:
        per_version = g.evidence_bytes / max(1, g.versions)
        print(
            f"| {g.page} | {g.versions} | {g.files} | {per_version / 1024:.0f} KiB | "
            f"{g.passes} | {g.unchanged_new_files} | {g.unchanged_new_bytes} | "
            f"{g.database_growth / 1024:.0f} KiB |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
