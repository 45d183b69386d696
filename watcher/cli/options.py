"""Options most commands share, spelled and explained the same way everywhere."""

from __future__ import annotations

import argparse


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", help="path of sources.yaml (default: $WATCHER_CONFIG or ./sources.yaml)"
    )


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL (default: $WATCHER_DB or data/watcher.db)")
