"""watcher beside the tools people use today, on the same pages of the simulated site, one run.

    .venv/bin/python benchmarks/peers.py [--pages 5] [--noise-passes 20] [--cache-dir DIR]
                                          [--tools watcher urlwatch webchanges changedetection]

Installs changedetection.io, urlwatch and webchanges from the package index, each into its own
virtual environment under a cache folder (`$XDG_CACHE_HOME/watcher-peers` by default), and has
each of them, and watcher, watch the same JavaScript-rendered pages of the simulated Meta site
through Debian's Chromium (every peer here supports a browser; see `peer_tools.py` for how each
is given it). Every pass is one run of the tool's own command, start-up included. For each tool:

- a first pass (the baseline), then `--noise-passes` passes where only per-load noise changes
  (nonces, tokens, tracking parameters, class names, the en-US/en-GB flip): every change a tool
  reports there is a false alert;
- one pass after a scripted edit of every page (the first version of its history with a change
  visible from the us region): changes caught, and whether the kind of change was named;
- time per pass (median of the noise passes), the peak PSS of the whole process tree (the tool,
  its browser and drivers) over all its passes, and the bytes its data folder grew by per
  unchanged pass.

A peer that cannot run here (no Chromium, an install or a run that fails) is a row saying why.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import PeakSampler, markdown_table
from peer_tools import (
    CHROMIUM,
    MAIN_HEADING,
    Changedetection,
    PassRun,
    PeerUnavailableError,
    Urlwatch,
    Watcher,
    Webchanges,
    cache_root,
    folder_bytes,
)

from watcher.demo import ESSENTIAL_COOKIES_BUTTON
from watcher.simsite import LATEST_VERSION, PAGES, SimulatedMetaSite, expected_changes

PAGE_IDS = ("genai", "privacy_policy", "privacy_center", "help_ai_ads", "ig_genai")
REGION = "us"
LOCALE = "en_US"


class Tool(Protocol):
    name: str
    data: Path

    def run_pass(self, number: int) -> PassRun: ...


@dataclass
class Row:
    tool: str
    mode: str = "browser (Debian's Chromium)"
    pass_s: float | None = None
    peak_pss_mib: float | None = None
    false_alerts: int | None = None
    noise_checks: int = 0
    caught: int | None = None
    edited: int = 0
    kind_named: str = "-"
    bytes_per_pass: float | None = None
    failed_checks: int = 0
    why_not: str = ""


def first_visible_edit(page_id: str) -> tuple[int, set[str]]:
    """The first version of the page's history with a change visible from REGION, and its kinds."""
    for version in range(1, LATEST_VERSION + 1):
        changes = expected_changes(page_id, 0, version, REGION, LOCALE)
        if changes:
            return version, {c.kind for c in changes}
    raise ValueError(f"page {page_id} has no change visible from {REGION}")


def watcher_config(site: SimulatedMetaSite, page_ids: Sequence[str]) -> str:
    lines = [
        "regions:",
        '  us: {locale: en-US, timezone: America/New_York, accept_language: "en-US,en;q=0.9"}',
        "defaults: {timeout: 30s, confirm: true}",
        "browser: {max_concurrency: 4, context_reuse: per_region}",
        # The peers fetch without spacing their requests to a host; watcher's default (starts
        # three seconds apart, a courtesy to Meta's servers) would time the wait, not the work.
        "politeness: {max_concurrent: 4, min_spacing: 0s}",
        "sources:",
    ]
    for page_id in page_ids:
        lines += [
            f"  - id: {page_id.replace('_', '-')}",
            f'    title: "{PAGES[page_id].title}"',
            f'    url: "{site.url(page_id, locale=LOCALE)}"',
            "    regions: [us]",
            "    select: '[role=\"main\"]'",
            "    remove: ['[role=\"dialog\"]']",
            f"    wait_for: '{MAIN_HEADING}'",
            "    actions:",
            f"      - {{click: '{ESSENTIAL_COOKIES_BUTTON}', optional: true, timeout: 2s}}",
        ]
    return "\n".join(lines) + "\n"


def measure(
    tool: Tool,
    site: SimulatedMetaSite,
    edits: dict[str, int],
    noise_passes: int,
    row: Row,
) -> None:
    """Baseline, noise passes, one edit pass; fills `row`."""
    site.set_version(None, 0)
    with PeakSampler() as sampler:
        tool.run_pass(0)
        before = folder_bytes(tool.data)
        noise: list[PassRun] = []
        for number in range(1, noise_passes + 1):
            noise.append(tool.run_pass(number))
            print(f"  {row.tool}: pass {number}: {noise[-1].alerts} alerts", file=sys.stderr)
        grown = folder_bytes(tool.data) - before
        for page_id, version in edits.items():
            site.set_version(page_id, version)
        edited = tool.run_pass(noise_passes + 1)
    site.set_version(None, 0)
    row.pass_s = statistics.median(p.seconds for p in noise)
    row.peak_pss_mib = sampler.peak_pss_kib / 1024
    row.false_alerts = sum(p.alerts for p in noise)
    row.noise_checks = noise_passes * len(edits)
    row.caught = edited.alerts
    row.edited = len(edits)
    row.bytes_per_pass = grown / max(1, noise_passes)
    row.failed_checks = sum(p.failed for p in [*noise, edited])
    if row.failed_checks:
        row.why_not = f"{row.failed_checks} checks failed (see its pass logs)"


def run_tool(
    name: str,
    make: Callable[[], Tool],
    site: SimulatedMetaSite,
    edits: dict[str, int],
    noise_passes: int,
) -> tuple[Row, Tool | None]:
    row = Row(name)
    tool: Tool | None = None
    try:
        tool = make()
        measure(tool, site, edits, noise_passes, row)
    except PeerUnavailableError as error:
        row.why_not = str(error)
        row.mode = "-"
    except Exception as error:  # a peer's failure is a row, not the end of the run
        traceback.print_exc(file=sys.stderr)
        row.why_not = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    finally:
        close = getattr(tool, "close", None)
        if close is not None:
            close()
    return row, tool


def table(rows: list[Row]) -> str:
    headers = ["tool", "mode", "pass (s)", "peak PSS (MiB)", "false alerts", "changes caught"]
    headers += ["kind named", "bytes / unchanged pass", "note"]

    def number(value: float | None, digits: int = 1) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    lines = []
    for r in rows:
        false_alerts = "-" if r.false_alerts is None else f"{r.false_alerts}/{r.noise_checks}"
        caught = "-" if r.caught is None else f"{r.caught}/{r.edited}"
        lines.append(
            [
                r.tool,
                r.mode,
                number(r.pass_s),
                number(r.peak_pss_mib, 0),
                false_alerts,
                caught,
                r.kind_named,
                number(r.bytes_per_pass, 0),
                r.why_not or "",
            ]
        )
    return markdown_table(headers, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5, choices=range(1, len(PAGE_IDS) + 1))
    parser.add_argument("--noise-passes", type=int, default=20)
    parser.add_argument("--cache-dir", default=None, help="where the peers' environments live")
    parser.add_argument(
        "--tools",
        nargs="+",
        default=["watcher", "urlwatch", "webchanges", "changedetection"],
        choices=["watcher", "urlwatch", "webchanges", "changedetection"],
    )
    args = parser.parse_args()
    root = cache_root(args.cache_dir)
    root.mkdir(parents=True, exist_ok=True)
    page_ids = PAGE_IDS[: args.pages]
    edits: dict[str, int] = {}
    expected_kinds: dict[str, set[str]] = {}
    for page_id in page_ids:
        edits[page_id], expected_kinds[page_id] = first_visible_edit(page_id)

    rows: list[Row] = []
    with SimulatedMetaSite(default_region=REGION) as site:
        urls = [site.url(p, locale=LOCALE) for p in page_ids]
        makers: dict[str, tuple[str, Callable[[], Tool]]] = {
            "watcher": ("watcher", lambda: Watcher(root, watcher_config(site, page_ids))),
            "urlwatch": (Urlwatch.name, lambda: Urlwatch(root, urls)),
            "webchanges": (Webchanges.name, lambda: Webchanges(root, urls)),
            "changedetection": (Changedetection.name, lambda: Changedetection(root, urls)),
        }
        for key in args.tools:
            name, make = makers[key]
            if not Path(CHROMIUM).exists():
                rows.append(Row(name, why_not=f"no Chromium at {CHROMIUM}"))
                continue
            print(f"  {name}: installing / running", file=sys.stderr)
            row, tool = run_tool(name, make, site, edits, args.noise_passes)
            if isinstance(tool, Watcher) and row.caught is not None:
                found = tool.finding_kinds()
                named = sum(
                    bool(found.get(f"{p.replace('_', '-')}@{REGION}", set()) & expected_kinds[p])
                    for p in page_ids
                )
                row.kind_named = f"yes, {named}/{len(page_ids)}"
            elif row.caught is not None:
                row.kind_named = "no (text diff only)"
            rows.append(row)

    print(
        f"\npeers: {len(page_ids)} JS-rendered pages of the simulated site, "
        f"{args.noise_passes} noise-only passes, one scripted edit of every page\n"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
