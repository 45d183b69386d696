"""`watcher health`: the schedule and the workers as /healthz and /metrics show them.

Exit 0 when the database answers (a container's healthcheck); with `--strict`, also 1 when a
worker refuses a region or a target is overdue.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from watcher.cli.common import open_database
from watcher.cli.options import add_db_option


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "health", help="the workers, refused regions, overdue and backing-off targets"
    )
    add_db_option(parser)
    parser.add_argument("--metrics", action="store_true", help="Prometheus text instead of JSON")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 unless everything is as it should be"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from watcher.distributed.status import health_report, metrics_text

    database = open_database(args.db)
    try:
        now = datetime.now(UTC)
        if args.metrics:
            print(metrics_text(database, now), end="")
            return 0
        report = health_report(database, now)
    finally:
        database.dispose()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 1 if args.strict and not report["ok"] else 0
