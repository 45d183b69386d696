"""`watcher check`: one pass over all targets (or some) now."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from watcher.cli.common import is_terminal, open_database, run_pass
from watcher.cli.options import add_config_option, add_db_option
from watcher.cli.startup import load_setup
from watcher.settings import config_path

if TYPE_CHECKING:
    from watcher.pipeline import CheckReport


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "check", help="check every target (or those given with --only) once, now"
    )
    add_config_option(parser)
    add_db_option(parser)
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="ID",
        default=[],
        help="target ids (SOURCE@REGION) or source ids to check",
    )
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per target per line, no table"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    setup = load_setup(config_path(args.config))
    config, subscriptions = setup.config, setup.subscriptions
    targets = config.select_targets(args.only) if args.only else config.targets()
    database = open_database(args.db)
    try:
        if args.json:
            run_pass(config, targets, database, on_report=_print_json, subscriptions=subscriptions)
            return 0
        reports = _run_with_progress(config, targets, database, subscriptions)
    finally:
        database.dispose()
    _print_summary(reports)
    return 0


def _print_json(report: CheckReport) -> None:
    print(json.dumps(report.as_json(), ensure_ascii=False), flush=True)


def _run_with_progress(
    config: Any, targets: Any, database: Any, subscriptions: Any
) -> list[CheckReport]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    if not is_terminal():
        return run_pass(config, targets, database, subscriptions=subscriptions)
    columns = (
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("", total=len(targets))

        def advance(report: CheckReport) -> None:
            progress.update(task, advance=1, description=f"{report.target_id}: {report.outcome}")

        return run_pass(config, targets, database, on_report=advance, subscriptions=subscriptions)


def _print_summary(reports: list[CheckReport]) -> None:
    from rich.console import Console
    from rich.table import Table

    from watcher.pipeline import CheckOutcome

    console = Console(highlight=False)
    table = Table(title="watcher check", show_lines=False)
    for column in ("target", "outcome", "detail", "time"):
        table.add_column(column)
    for report in sorted(reports, key=lambda r: r.target_id):
        if report.outcome is CheckOutcome.FAILED:
            detail = f"{report.failure_kind}: {report.failure_detail}"
        elif report.outcome is CheckOutcome.CHANGED:
            detail = f"change #{report.change_id}: {report.summary}"
        elif report.outcome is CheckOutcome.SKIPPED:
            detail = report.failure_detail or ""
        else:
            detail = report.summary or ""
        if report.notes:
            detail = "; ".join(filter(None, (detail, *report.notes)))
        if report.state is not None:
            quoted = ", ".join(f"“{text}”" for text in report.volatile)
            detail = "; ".join(filter(None, (detail, f"{report.state.value}: {quoted}")))
        seconds = report.timings.get("total_ms", 0.0) / 1000
        outcome = report.outcome.value
        if report.state is not None:
            outcome = f"{outcome} ({report.state.value})"
        table.add_row(report.target_id, outcome, detail, f"{seconds:.1f}s")
    console.print(table)
    counts = Counter(r.outcome.value for r in reports)
    console.print(", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
