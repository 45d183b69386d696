"""Options most commands share, spelled and explained the same way everywhere."""

from __future__ import annotations

import argparse


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", help="path of sources.yaml (default: $WATCHER_CONFIG or ./sources.yaml)"
    )


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL (default: $WATCHER_DB or data/watcher.db)")


def add_web_options(parser: argparse.ArgumentParser, *, beside_other_work: bool) -> None:
    """`--host`/`--port` for `serve`; `--web-host`/`--web-port`/`--no-web` where serving the
    web app comes beside another job (`run`, `demo`)."""
    prefix = "web-" if beside_other_work else ""
    parser.add_argument(
        f"--{prefix}host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)"
    )
    parser.add_argument(
        f"--{prefix}port", type=int, default=8080, help="port to serve on (default 8080)"
    )
    if beside_other_work:
        parser.add_argument(
            "--no-web", action="store_true", help="do not serve the web app in this process"
        )
