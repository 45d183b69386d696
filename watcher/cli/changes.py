"""`watcher changes`: stored changes, newest first."""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from watcher.cli.common import open_database
from watcher.cli.options import add_db_option

if TYPE_CHECKING:
    from storage import ChangeRecord

_RELATIVE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "changes", help="list stored changes, newest first"
    )
    add_db_option(parser)
    parser.add_argument(
        "--since",
        type=parse_since,
        help="only changes detected at or after DATE (2026-05-27, an ISO time, or 7d / 12h)",
    )
    parser.add_argument("--target", help="only this target (SOURCE@REGION)")
    parser.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(handler=run)


def parse_since(text: str, now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    relative = _RELATIVE.match(text.strip())
    if relative:
        amount, unit = relative.groups()
        return now - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (2026-05-27), an ISO time or a span like 7d"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run(args: argparse.Namespace) -> int:
    database = open_database(args.db)
    try:
        with database.reader() as repo:
            changes = repo.list_changes(since=args.since, target_id=args.target, limit=args.limit)
    finally:
        database.dispose()
    from watcher.stored import change_as_json

    for change in changes:
        if args.json:
            print(json.dumps(change_as_json(change), ensure_ascii=False))
        else:
            print_change(change)
    if not changes and not args.json:
        print("no changes stored yet")
    return 0


def print_change(change: ChangeRecord) -> None:
    when = change.detected_at.strftime("%Y-%m-%d %H:%M UTC")
    print(f"#{change.id}  {when}  {change.target_id}  {change.summary}")
    for finding in change.findings:
        print(f"    [{finding.severity}] {finding.kind}  {finding.path}")
        if finding.evidence_before:
            print(f"        before: “{finding.evidence_before}”")
        if finding.evidence_after:
            print(f"        after:  “{finding.evidence_after}”")
