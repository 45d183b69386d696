"""`watcher noise`: the volatile spans learned per target, and a person's word on them.

watcher noise [--target ID] [--json]     list them (masked ones and dropped ones)
watcher noise pin SPAN_ID                 yes, noise: keep masking it (kept by `forget`)
watcher noise drop SPAN_ID                not noise: never mask it, never learn it again
watcher noise learn SPAN_ID               back to learned (masked, forgettable)
watcher noise forget [--target ID]        delete the learned (not pinned) spans
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from watcher.cli.common import open_database
from watcher.cli.options import add_db_option

if TYPE_CHECKING:
    from storage import VolatileSpanRecord

_STATES = {"pin": "pinned", "drop": "dropped", "learn": "learned"}


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "noise", help="list the volatile spans learned per target; pin or drop them"
    )
    add_db_option(parser)
    parser.add_argument(
        "action",
        nargs="?",
        choices=["list", "pin", "drop", "learn", "forget"],
        default="list",
        help="what to do (default: list)",
    )
    parser.add_argument("span", nargs="?", type=int, help="the span's id (for pin, drop, learn)")
    parser.add_argument("--target", metavar="ID", help="only this target (SOURCE@REGION)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.action in _STATES and args.span is None:
        print(f"watcher noise {args.action}: give the span's id (see `watcher noise`)")
        return 2
    database = open_database(args.db)
    try:
        if args.action in _STATES:
            with database.transaction() as repo:
                span = repo.set_volatile_span_state(args.span, _STATES[args.action])
            if span is None:
                print(f"no volatile span #{args.span}")
                return 1
            print(span_line(span))
            return 0
        if args.action == "forget":
            with database.transaction() as repo:
                count = repo.forget_learned_spans(args.target)
            print(f"forgot {count} learned span(s); pinned and dropped ones stay")
            return 0
        with database.reader() as repo:
            spans = repo.volatile_spans(args.target)
    finally:
        database.dispose()
    if args.json:
        for span in spans:
            print(json.dumps(span_as_json(span), ensure_ascii=False))
    elif not spans:
        print("no volatile spans learned yet")
    for span in [] if args.json else spans:
        print(span_line(span))
    return 0


def span_as_json(span: VolatileSpanRecord) -> dict[str, object]:
    return {
        "id": span.id,
        "target": span.target_id,
        "state": span.state,
        "kind": "optional" if span.optional else "varying",
        "text": span.pattern,
        "first_seen": span.first_seen.isoformat(),
        "last_seen": span.last_seen.isoformat(),
        "times_seen": span.times_seen,
    }


def span_line(span: VolatileSpanRecord) -> str:
    kind = "comes and goes" if span.optional else "varies"
    seen = f"seen {span.times_seen}×, last {span.last_seen:%Y-%m-%d %H:%M} UTC"
    return f"#{span.id}  {span.target_id}  [{span.state}] {kind}: “{span.pattern}”  ({seen})"
