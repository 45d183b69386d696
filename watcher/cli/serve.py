"""`watcher serve`: the web app alone (feed, change pages, Atom feeds, JSON API) until stopped."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from typing import Any

from watcher.cli.common import open_database
from watcher.cli.options import add_db_option, add_web_options
from watcher.settings import config_path


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "serve", help="serve the change feed, Atom feeds and JSON API over the database"
    )
    add_db_option(parser)
    parser.add_argument(
        "--config",
        help="sources.yaml, for next check times, languages and the status page's subscriptions "
        "(default: $WATCHER_CONFIG or ./sources.yaml when it exists)",
    )
    add_web_options(parser, beside_other_work=False)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from watcher.cli.serving import start_web
    from watcher.cli.startup import load_setup

    path = config_path(args.config)
    setup = load_setup(path) if args.config or Path(path).is_file() else None
    database = open_database(args.db)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        server = start_web(database, setup, host=args.host, port=args.port)
        try:
            stop.wait()
        finally:
            server.stop()
    finally:
        database.dispose()
    return 0
