"""Proxy benchmark: the time a fetch takes through a region proxy, open or with a password.

    .venv/bin/python benchmarks/proxy.py [--fetches 20]

One Chromium fetches the French generative-AI page of the simulated Meta site through its
French egress in three ways: an open HTTP proxy, the same proxy wanting Basic credentials, and
a SOCKS5 proxy wanting a user name and password (through watcher's loopback bridge). With one
context per region (the default) the 407 round trip is paid once per context, with a fresh
context per target on every fetch: both are measured, the three ways in turns. Prints the median
and 90th percentile of the fetch time, and the first fetch apart (it opens the context).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

# The loopback SOCKS5 server with user name/password that the tests use.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from socks5_server import Address, Socks5Server

from watcher.demo import demo_fetch_request
from watcher.fetch.base import FetchResult
from watcher.fetch.browser import BrowserSettings
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.fetch.proxy import Proxy
from watcher.simsite import EgressCredentials, SimulatedMetaSite

USER, PASSWORD = "watcher-fr", "p@ss:w/rd-42"


@dataclass(frozen=True)
class Row:
    way: str
    policy: str
    first_ms: float
    median_ms: float
    p90_ms: float
    failures: int


@contextmanager
def french_socks(site: SimulatedMetaSite) -> Iterator[Socks5Server]:
    main_port = urlsplit(site.base_url).port
    french_exit = ("127.0.0.1", urlsplit(site.egress_proxy("fr")).port or 0)

    def exit_to(address: Address) -> Address:
        return french_exit if address[1] == main_port else address

    with Socks5Server(USER, PASSWORD, exit_to=exit_to) as server:
        yield server


Way = tuple[str, SimulatedMetaSite, Proxy]


async def measure(ways: list[Way], policy: str, fetches: int) -> list[Row]:
    """Round after round, one fetch per way, so that the load of the machine weighs on each
    way alike; one Chromium, whose contexts are apart per proxy anyway."""
    settings = BrowserSettings(context_reuse=policy)  # type: ignore[arg-type]
    times: dict[str, list[float]] = {way: [] for way, _, _ in ways}
    failures = dict.fromkeys(times, 0)
    async with PlaywrightFetcher(settings) as fetcher:
        for index in range(fetches + 1):
            for way, site, proxy in ways:
                url = site.url("genai", locale="fr_FR") + f"&n={index}"
                request = demo_fetch_request(site, "fr", target_id=f"genai-{index}@fr", url=url)
                outcome = await fetcher.fetch(replace(request, proxy=proxy))
                if not isinstance(outcome, FetchResult) or outcome.status != 200:
                    failures[way] += 1
                    continue
                times[way].append(outcome.timings.total_ms)
    rows = []
    for way, measured in times.items():
        rest = sorted(measured[1:]) or [0.0]
        rows.append(
            Row(
                way=way,
                policy=policy,
                first_ms=measured[0] if measured else 0.0,
                median_ms=statistics.median(rest),
                p90_ms=rest[min(len(rest) - 1, int(len(rest) * 0.9))],
                failures=failures[way],
            )
        )
    return rows


async def run(fetches: int) -> list[Row]:
    rows = []
    with ExitStack() as stack:
        open_site = stack.enter_context(SimulatedMetaSite(render_delay_ms=60))
        locked = stack.enter_context(
            SimulatedMetaSite(
                render_delay_ms=60, egress_credentials=EgressCredentials(USER, PASSWORD)
            )
        )
        socks = stack.enter_context(french_socks(open_site))
        ways: list[Way] = [
            ("http, open", open_site, Proxy.from_url(open_site.egress_proxy("fr"))),
            (
                "http, Basic auth",
                locked,
                Proxy.from_url(locked.egress_proxy("fr", with_credentials=True)),
            ),
            ("socks5, user/password (bridge)", open_site, Proxy.from_url(socks.url())),
        ]
        for policy in ("per_region", "per_target"):
            rows += await measure(ways, policy, fetches)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetches", type=int, default=20)
    args = parser.parse_args()
    rows = asyncio.run(run(args.fetches))
    print(f"{args.fetches} fetches of one JS-rendered page per way, after a first one\n")
    print("| proxy | contexts | first fetch | median | p90 | failed |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.way} | {row.policy} | {row.first_ms:.0f} ms | {row.median_ms:.0f} ms "
            f"| {row.p90_ms:.0f} ms | {row.failures} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
