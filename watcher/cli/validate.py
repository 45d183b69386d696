"""`watcher validate`: check sources.yaml and list its targets; nothing is fetched."""

from __future__ import annotations

import argparse
from typing import Any

from watcher.cli.options import add_config_option
from watcher.cli.startup import load_setup
from watcher.settings import config_path


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "validate", help="validate the configuration and list its targets"
    )
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = config_path(args.config)
    setup = load_setup(path)
    config = setup.config
    targets = config.targets()
    sources = {t.source_id for t in targets}
    regions = {t.region_id for t in targets}
    print(f"{path}: valid — {len(sources)} sources, {len(regions)} regions, {len(targets)} targets")
    for target in targets:
        print(f"  {target.id:<40} {target.url}")
    return 0
