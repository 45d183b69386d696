"""`watcher run`: check every target at its interval until stopped (SIGTERM or Ctrl-C)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from watcher.cli.common import browser_settings, open_database
from watcher.config import load_config
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.pipeline import Checker
from watcher.schedule import Schedule
from watcher.settings import config_path

log = logging.getLogger("watcher.run")


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "run", help="watch every target at its interval until stopped"
    )
    parser.add_argument("--config", help="path of sources.yaml (default: ./sources.yaml)")
    parser.add_argument("--db", help="database URL (default: $WATCHER_DB or data/watcher.db)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(config_path(args.config))
    database = open_database(args.db)
    try:
        asyncio.run(_watch(config, database))
    finally:
        database.dispose()
    return 0


async def _watch(config: Any, database: Any) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    targets = config.targets()
    async with PlaywrightFetcher(browser_settings(config)) as fetcher:
        checker = Checker(fetcher, database)
        checker.register(targets, complete=True)
        schedule = Schedule(checker, targets, database)
        schedule.start()
        print(
            f"watching {len(targets)} targets; next check at "
            f"{schedule.next_due():%Y-%m-%d %H:%M:%S} UTC; stop with Ctrl-C",
            flush=True,
        )
        await stop.wait()
        print("stopping: letting checks in progress finish", flush=True)
        await schedule.stop()
