"""`watcher export`: the kept evidence as a WARC file, or one change's bundle of files.

watcher export --warc FILE [--target ID] [--since DATE]
watcher export --bundle DIR CHANGE_ID
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from watcher.cli.changes import parse_since
from watcher.cli.common import evidence_store, open_database
from watcher.cli.options import add_db_option


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "export", help="write the kept evidence as WARC 1.1, or one change's bundle of files"
    )
    add_db_option(parser)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--warc", metavar="FILE", type=Path, help="write a WARC 1.1 file (gzip)")
    what.add_argument(
        "--bundle", metavar="DIR", type=Path, help="write DIR/change-ID/ for the change CHANGE_ID"
    )
    parser.add_argument("change_id", nargs="?", type=int, metavar="CHANGE_ID")
    parser.add_argument("--target", metavar="ID", help="--warc: only this target")
    parser.add_argument(
        "--since", type=parse_since, help="--warc: only versions taken at or after DATE"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.bundle is not None and args.change_id is None:
        print("watcher export --bundle: give the change's id (see `watcher changes`)")
        return 2
    if args.warc is not None and args.change_id is not None:
        print("watcher export --warc: takes no CHANGE_ID (use --target and --since)")
        return 2
    database = open_database(args.db)
    try:
        if args.bundle is not None:
            from watcher.archive.bundle import write_bundle

            folder = write_bundle(database, evidence_store(database), args.bundle, args.change_id)
            print(f"wrote {folder}")
            return 0
        return _export_warc(database, args.warc, args.target, args.since)
    except OSError as error:
        where = error.filename or args.bundle or args.warc
        print(f"watcher export: cannot write {where}: {error.strerror or error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()


def _export_warc(database: Any, path: Path, target: str | None, since: Any) -> int:
    from watcher.archive.warc import write_warc

    # Written beside its destination and renamed: a reader never sees half a file.
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            count = write_warc(
                database, evidence_store(database), out, target_id=target, since=since
            )
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    print(f"wrote {count} version(s) to {path}")
    return 0
