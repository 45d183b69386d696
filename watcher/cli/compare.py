"""`watcher compare SOURCE REGION_A REGION_B`: what one region's page says and the other's not."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from watcher.cli.common import open_database
from watcher.cli.options import add_db_option
from watcher.errors import WatcherError

if TYPE_CHECKING:
    from watcher.compare import RegionComparison, RegionView


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "compare", help="compare the latest versions of one source in two regions"
    )
    parser.add_argument("source", metavar="SOURCE_ID")
    parser.add_argument("region_a", metavar="REGION_A")
    parser.add_argument("region_b", metavar="REGION_B")
    add_db_option(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from watcher.compare import compare_regions
    from watcher.normalize import parse_canonical

    database = open_database(args.db)
    try:
        with database.reader() as repo:
            documents = []
            for region in (args.region_a, args.region_b):
                target_id = f"{args.source}@{region}"
                snapshot = repo.latest_snapshot(target_id)
                if snapshot is None:
                    raise WatcherError(f"no snapshot of {target_id} yet: run `watcher check` first")
                documents.append(parse_canonical(snapshot.canonical_text))
    finally:
        database.dispose()
    comparison = compare_regions(
        args.source, (args.region_a, documents[0]), (args.region_b, documents[1])
    )
    if args.json:
        print(json.dumps(comparison.to_json(), ensure_ascii=False))
    else:
        _print(comparison)
    return 0


def _print(comparison: RegionComparison) -> None:
    a, b = comparison.a, comparison.b
    print(f"{comparison.source_id}: {a.region} compared with {b.region}")
    for this, other in ((a, b), (b, a)):
        print(f"\nonly in {this.region}:")
        lines = _differences(this, other)
        for line in lines:
            print(f"  - {line}")
        if not lines:
            print("  (nothing that the other region lacks)")
    if comparison.same_language:
        for region, blocks in ((a.region, comparison.only_in_a), (b.region, comparison.only_in_b)):
            print(f"\ntext only in {region} ({len(blocks)} blocks):")
            for text in blocks[:40]:
                print(f"  > {text}")
    else:
        print("\nthe two versions are in different languages: text is not compared line by line")


def _differences(this: RegionView, other: RegionView) -> list[str]:
    lines = [f"objection/opt-out link: {href}" for href in this.opt_out_links]
    lines = [line for line in lines if line.split(": ", 1)[1] not in other.opt_out_links]
    lines += [f"legal basis named: {name}" for name in sorted(this.legal_bases - other.legal_bases)]
    if this.region_clauses and not other.region_clauses:
        lines += [f"region clause: {text}" for text in this.region_clauses[:10]]
    other_links = this.links - other.links - set(this.opt_out_links)
    lines += [f"link: {href}" for href in sorted(other_links)[:30]]
    return lines
