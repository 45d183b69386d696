"""`watcher demo`: watch the bundled simulated Meta site while its pages replay 2024–2026."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

from watcher.cli.changes import print_change
from watcher.cli.common import open_database, run_pass
from watcher.cli.options import add_web_options
from watcher.cli.serving import default_port_asked, start_web, web_wanted
from watcher.cli.startup import Setup, load_setup
from watcher.settings import data_dir

if TYPE_CHECKING:
    from storage import Database
    from watcher.simsite import SimulatedMetaSite


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "demo", help="watch the bundled simulated Meta site while its pages change"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="versions to advance through (default: the whole 2024–2026 history)",
    )
    parser.add_argument(
        "--every", type=float, default=3.0, help="seconds to wait between rounds (default 3)"
    )
    parser.add_argument("--db", help="database URL (default: a fresh data/demo/watcher.db)")
    parser.add_argument("--port", type=int, default=0, help="port of the simulated site")
    add_web_options(parser, beside_other_work=True)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from watcher.demo import demo_config_yaml
    from watcher.simsite import LATEST_VERSION, SimulatedMetaSite

    rounds = LATEST_VERSION if args.rounds is None else args.rounds
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
        setup = load_setup(config_file)
        config = setup.config
        targets = config.targets()
        database = open_database(db_url)
        print(f"simulated Meta site at {site.base_url}; configuration in {config_file}")
        print(f"watching {len(targets)} targets in {len(config.regions)} regions")
        server = None
        try:
            if web_wanted(args):
                server = start_web(
                    database,
                    setup,
                    host=args.web_host,
                    port=args.web_port,
                    any_port_if_busy=default_port_asked(args),
                )
            _rounds(site, setup, database, rounds=rounds, every=args.every)
            if server is not None:
                _keep_serving(server.url)
        finally:
            if server is not None:
                server.stop()
            database.dispose()
    print(f"configuration kept in {config_file}")
    return 0


def _rounds(
    site: SimulatedMetaSite, setup: Setup, database: Database, *, rounds: int, every: float
) -> None:
    from watcher.simsite import EPOCHS

    config = setup.config
    targets = config.targets()
    seen: set[int] = set()
    for round_number in range(rounds + 1):
        epoch = EPOCHS[min(site.version_of("genai"), len(EPOCHS) - 1)]
        print(f"\n== round {round_number}: the site as of {epoch.date}: {epoch.label}")
        started = time.monotonic()
        reports = run_pass(config, targets, database, subscriptions=setup.subscriptions)
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


def _keep_serving(url: str) -> None:
    """The history is replayed; the web app stays up for browsing until Ctrl-C or SIGTERM."""
    import signal
    import threading

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"the web app stays at {url}/ until Ctrl-C", flush=True)
    stop.wait()
