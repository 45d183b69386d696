"""Fetch benchmark: passes over 50 targets of the simulated Meta site with one browser.

    .venv/bin/python benchmarks/fetch.py [--targets 50] [--concurrency 1 2 4]

For each context policy (one context per region kept across its targets, or a fresh context per
target) and each concurrency, one pass with one Chromium: seconds, pages per second, failures,
and the peak memory of the whole browser process tree (Chromium and the Playwright driver), as
RSS and as PSS (shared pages counted once, the honest figure for a browser).

Then, in the same run, the floor and watcher side by side (`fetch_floor.py`): the bare
Playwright loop over the same targets, and a warm full pass of `watcher run` (fetch, health,
normalize, diff, classify, store) over them, with the ratio of the two. `--only-floor` skips
the context-policy rows.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fetch_floor import cold_check_pass, floor_pass, full_pass, full_pass_config
from memory import PeakSampler, markdown_table

from watcher.demo import DEMO_REGIONS, demo_fetch_request
from watcher.fetch.base import FetchRequest, FetchResult
from watcher.fetch.browser import BrowserSettings
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.simsite import PAGES, SimulatedMetaSite

PAGE_IDS = ("genai", "ig_genai", "privacy_policy", "privacy_center", "help_ai_ads")


@dataclass(frozen=True)
class PassResult:
    policy: str
    concurrency: int
    seconds: float
    pages: int
    failures: int
    peak_rss_mib: float
    peak_pss_mib: float


def requests_for(site: SimulatedMetaSite, count: int) -> list[FetchRequest]:
    pairs = [(p, r) for p in PAGE_IDS for r in DEMO_REGIONS]
    requests = []
    for index in range(count):
        page, region = pairs[index % len(pairs)]
        locale = DEMO_REGIONS[region][0].replace("-", "_")
        url = site.url(page, locale=locale) + f"&n={index}"
        requests.append(
            demo_fetch_request(site, region, target_id=f"{page}-{index}@{region}", url=url)
        )
    return requests


async def one_pass(requests: list[FetchRequest], policy: str, concurrency: int) -> PassResult:
    settings = BrowserSettings(max_concurrency=concurrency, context_reuse=policy)  # type: ignore[arg-type]
    with PeakSampler() as sampler:
        async with PlaywrightFetcher(settings) as fetcher:
            started = time.perf_counter()
            outcomes = await asyncio.gather(*(fetcher.fetch(r) for r in requests))
            seconds = time.perf_counter() - started
    failures = sum(not isinstance(o, FetchResult) for o in outcomes)
    return PassResult(
        policy,
        concurrency,
        seconds,
        len(requests),
        failures,
        sampler.peak_rss_kib / 1024,
        sampler.peak_pss_kib / 1024,
    )


@dataclass(frozen=True)
class FloorRow:
    way: str
    seconds: float
    pages: int
    failures: int
    peak_pss_mib: float


def floor_rows(
    site: SimulatedMetaSite, count: int, concurrency: int, rounds: int
) -> list[FloorRow]:
    """The floor and watcher's warm pass, alternated `rounds` times (the load of a shared machine
    changes from minute to minute): medians of the passes; then one more pass of each under a
    memory watch: their peaks."""
    config = full_pass_config(site, PAGE_IDS, count)
    targets = config.targets()
    requests = [t.to_fetch_request() for t in targets]
    floor: list[tuple[float, int]] = []
    full: list[tuple[float, int, int]] = []
    # Timed passes run unwatched: reading /proc/PID/smaps_rollup of a dozen Chromium processes
    # five times a second costs the browser 5-10 % of its time on two cores. Memory is measured
    # in a round of its own.
    for number in range(rounds):
        floor.append(asyncio.run(floor_pass(requests, concurrency)))
        full.append(asyncio.run(full_pass(config, targets)))
        print(
            f"  done: round {number + 1}: floor {floor[-1][0]:.1f} s, "
            f"full pass {full[-1][0]:.1f} s",
            file=sys.stderr,
        )
    with PeakSampler() as floor_sampler:
        asyncio.run(floor_pass(requests, concurrency))
    with PeakSampler() as full_sampler:
        asyncio.run(full_pass(config, targets))
    cold, cold_pss = cold_check_pass(site, PAGE_IDS, count)
    return [
        FloorRow(
            "bare Playwright loop (floor)",
            statistics.median(f[0] for f in floor),
            min(f[1] for f in floor),
            len(requests) - min(f[1] for f in floor),
            floor_sampler.peak_pss_kib / 1024,
        ),
        FloorRow(
            "watcher full pass, warm",
            statistics.median(f[0] for f in full),
            min(f[1] for f in full),
            max(f[2] for f in full),
            full_sampler.peak_pss_kib / 1024,
        ),
        FloorRow("watcher check, with start-up", cold.seconds, count, cold.failed, cold_pss),
    ]


def print_floor(rows: list[FloorRow], count: int, concurrency: int, rounds: int) -> None:
    floor = rows[0].seconds
    print(
        f"\nfloor: {count} targets, {concurrency} pages at a time, warm browser, median of "
        f"{rounds} alternated rounds; the full pass also checks the objection forms the pages "
        "link to\n"
    )
    headers = ["way", "pass (s)", "checks", "failed", "peak PSS (MiB)", "x floor"]
    table = [
        [
            r.way,
            f"{r.seconds:.1f}",
            str(r.pages),
            str(r.failures),
            f"{r.peak_pss_mib:.0f}",
            f"{r.seconds / floor:.2f}",
        ]
        for r in rows
    ]
    print(markdown_table(headers, table))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=50)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--policies",
        nargs="+",
        default=["per_region", "per_target"],
        choices=["per_region", "per_target"],
    )
    parser.add_argument("--only-floor", action="store_true", help="only the floor comparison")
    parser.add_argument("--rounds", type=int, default=3, help="alternated floor/watcher rounds")
    args = parser.parse_args()
    results = []
    floor_concurrency = max(args.concurrency)
    with SimulatedMetaSite() as site:
        assert all(p in PAGES for p in PAGE_IDS)
        requests = requests_for(site, args.targets)
        floor = floor_rows(site, args.targets, floor_concurrency, args.rounds)
        for policy in [] if args.only_floor else args.policies:
            for concurrency in args.concurrency:
                results.append(asyncio.run(one_pass(requests, policy, concurrency)))
                print(f"  done: {policy} x{concurrency}", file=sys.stderr)
    print_floor(floor, args.targets, floor_concurrency, args.rounds)
    if not results:
        return
    print(f"\nfetch: {args.targets} JS-rendered pages of the simulated site, one Chromium a pass\n")
    headers = ["contexts", "concurrency", "pass (s)", "pages/s", "failed", "peak RSS (MiB)"]
    headers.append("peak PSS (MiB)")
    rows = [
        [
            r.policy,
            str(r.concurrency),
            f"{r.seconds:.1f}",
            f"{r.pages / r.seconds:.2f}",
            str(r.failures),
            f"{r.peak_rss_mib:.0f}",
            f"{r.peak_pss_mib:.0f}",
        ]
        for r in results
    ]
    print(markdown_table(headers, rows))


if __name__ == "__main__":
    main()
