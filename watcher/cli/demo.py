"""`watcher demo`: watch the bundled simulated Meta site while its pages replay 2024–2026."""

from __future__ import annotations

import argparse
import time
from typing import Any

from storage import Database
from watcher.cli.changes import print_change
from watcher.cli.common import open_database, run_pass
from watcher.config import Config, load_config
from watcher.demo import demo_config_yaml
from watcher.settings import data_dir
from watcher.simsite import EPOCHS, LATEST_VERSION, SimulatedMetaSite


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "demo", help="watch the bundled simulated Meta site while its pages change"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=LATEST_VERSION,
        help=f"versions to advance through (default {LATEST_VERSION}: the whole history)",
    )
    parser.add_argument(
        "--every", type=float, default=3.0, help="seconds to wait between rounds (default 3)"
    )
    parser.add_argument("--db", help="database URL (default: a fresh data/demo/watcher.db)")
    parser.add_argument("--port", type=int, default=0, help="port of the simulated site")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    folder = data_dir() / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    if args.db is None:
        # Every demo starts from an empty history, so the first round shows first snapshots.
        for stale in folder.glob("watcher.db*"):
            stale.unlink()
    db_url = args.db or f"sqlite:///{folder / 'watcher.db'}"
    with SimulatedMetaSite(port=args.port) as site:
        config_file = folder / "sources.yaml"
        config_file.write_text(demo_config_yaml(site.base_url, site.egress_proxies()))
        config = load_config(config_file)
        targets = config.targets()
        database = open_database(db_url)
        print(f"simulated Meta site at {site.base_url}; configuration in {config_file}")
        print(f"watching {len(targets)} targets in {len(config.regions)} regions")
        try:
            _rounds(site, config, database, rounds=args.rounds, every=args.every)
        finally:
            database.dispose()
    print(f"configuration kept in {config_file}")
    return 0


def _rounds(
    site: SimulatedMetaSite, config: Config, database: Database, *, rounds: int, every: float
) -> None:
    targets = config.targets()
    seen: set[int] = set()
    for round_number in range(rounds + 1):
        epoch = EPOCHS[min(site.version_of("genai"), len(EPOCHS) - 1)]
        print(f"\n== round {round_number}: the site as of {epoch.date}: {epoch.label}")
        started = time.monotonic()
        reports = run_pass(config, targets, database)
        counts: dict[str, int] = {}
        for report in reports:
            counts[report.outcome.value] = counts.get(report.outcome.value, 0) + 1
        elapsed = time.monotonic() - started
        print(f"   pass of {len(reports)} checks in {elapsed:.1f}s: {counts}")
        with database.reader() as repo:
            fresh = [c for c in repo.list_changes(limit=500) if c.id not in seen]
        for change in reversed(fresh):
            seen.add(change.id)
            print_change(change)
        if round_number == rounds:
            break
        site.advance()
        time.sleep(every)
    print(f"\ndone: {len(seen)} changes stored; `watcher changes --db ...` lists them again.")
