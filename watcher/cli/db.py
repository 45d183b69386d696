"""`watcher db upgrade|current`: schema migrations of the configured database."""

from __future__ import annotations

import argparse
from typing import Any

from watcher.cli.options import add_db_option
from watcher.settings import database_url


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("db", help="database schema commands")
    parser.add_argument("action", choices=["upgrade", "current"], help="migrate, or show revision")
    add_db_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from storage import Database

    database = Database(database_url(args.db))
    try:
        if args.action == "upgrade":
            database.upgrade()
        print(f"schema revision: {database.current_revision() or 'none'}")
    finally:
        database.dispose()
    return 0
