"""`watcher verify`: does every kept evidence file, record and chain link still hold?"""

from __future__ import annotations

import argparse
from typing import Any

from watcher.cli.common import evidence_store, open_database
from watcher.cli.options import add_db_option


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "verify",
        help="recompute the hashes of the kept evidence and its chains; exit 1 on any mismatch",
    )
    add_db_option(parser)
    parser.add_argument("--target", metavar="ID", help="only this target's chain (SOURCE@REGION)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from watcher.archive.verify import verify_chains

    database = open_database(args.db)
    try:
        result = verify_chains(database, evidence_store(database), args.target)
    finally:
        database.dispose()
    for line in result.lines():
        print(line)
    chains = f"{result.records} evidence record(s) of {len(result.targets)} target(s)"
    if not result.holds:
        broken = len(result.mismatches) + len(result.unrecorded)
        print(f"MISMATCH: {broken} problem(s) among {chains}")
        return 1
    if result.records == 0:
        print("no evidence kept yet" + (f" for {args.target}" if args.target else ""))
        return 0
    print(f"OK: {chains}; every file hash, record hash and chain link holds")
    return 0
