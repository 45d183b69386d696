"""`watcher dispatch`: deliver the alert outbox until stopped, or once (`--once`).

SIGTERM or Ctrl-C lets the send in progress finish and be recorded, hands the rest back to the
outbox, then exits. `watcher run` runs the same dispatcher next to the scheduler.
"""

from __future__ import annotations

import argparse
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from watcher.cli.common import open_database
from watcher.cli.options import add_config_option, add_db_option
from watcher.cli.startup import load_setup
from watcher.settings import config_path

if TYPE_CHECKING:
    from watcher.alerts import Dispatcher


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "dispatch", help="deliver queued alerts through their channels"
    )
    add_config_option(parser)
    add_db_option(parser)
    parser.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from watcher.alerts import Dispatcher, DispatchSettings, web_base_url

    subscriptions = load_setup(config_path(args.config)).subscriptions
    database = open_database(args.db)
    try:
        dispatcher = Dispatcher(
            database, subscriptions, settings=DispatchSettings(base_url=web_base_url())
        )
        with _stopping_on_signals(dispatcher):
            if args.once:
                dispatcher.recover_dead_workers()
                stats = dispatcher.run_once()
                print(
                    f"delivered {stats.delivered}, to retry {stats.retrying}, "
                    f"failed {stats.failed}"
                    + (f", digests {stats.digests}" if stats.digests else "")
                    + (" (stopped early)" if dispatcher.stopping else ""),
                    flush=True,
                )
                return 0
            print(
                f"dispatching alerts for {len(subscriptions)} subscriptions; stop with Ctrl-C",
                flush=True,
            )
            dispatcher.run()
            print("stopped", flush=True)
    finally:
        database.dispose()
    return 0


@contextmanager
def _stopping_on_signals(dispatcher: Dispatcher) -> Iterator[None]:
    """SIGTERM and SIGINT stop the dispatcher gracefully; the old handlers come back after."""
    previous = {
        signum: signal.signal(signum, lambda _signum, _frame: dispatcher.stop())
        for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
