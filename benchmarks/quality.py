"""Quality benchmark: are the scripted changes of the simulated Meta site found, with the right
kind, and does noise alone never raise an alert?

    .venv/bin/python benchmarks/quality.py [--pages genai ...] [--regions fr us ...]
    .venv/bin/python benchmarks/quality.py --browser [--pages ...] [--regions ...]
        [--noise-refetches 200] [--concurrency 2]

Offline (the default, pure and fast): every watched page × each of its regions × each of its
languages, every version step v-1 → v plus the spans 0 → latest and 3 → 6 (from the version
a page is published at: before it a check sees a 404, a failed fetch), the two sides
rendered as the browser holds them after the page script, each with its own noise seed; then
normalize → diff → classify, scored against the site's ground truth (`expected_changes`). Plus
noise-only pairs (the same version loaded twice, every noise generator on), rotated over pages,
regions, languages and versions.

Browser (`--browser`): the same measurement through the real path. The simulated site is served
over HTTP, each region is fetched by `PlaywrightFetcher` through its egress proxy in its own
language, pages are moved through their history with `set_version`, and every fetched page goes
through the pipeline's health checks and `normalize_html` as a check does. A page answers 404
before it is published (a failed check, never a diff), so browser pairs start at that version.

Scores: an expected change is *detected* when a finding quotes its evidence, *right* when a
finding of its kind does (and names the new target of a moved link). A *false alert* is a
material finding (not cosmetic) on a pair where nothing is expected, or any difference between
two loads of the same version. *Extra* findings (material, matching no expected change on a pair
that has some) are reported apart, for information. Targets: 0 false alerts and >= 95 % of the
scripted changes detected with the right kind. Exit 0 when it ran (a FAIL is a result), 1 when
it could not.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import markdown_table
from quality_browser import BROWSER_PAGES, browse, run_browser
from quality_scoring import (
    DEFAULT_NOISE_PAIRS,
    REMOVE,
    SELECT,
    SITE,
    SPANS,
    TARGET_RIGHT_KIND,
    WATCHED,
    Combo,
    Pair,
    Scope,
    Scoreboard,
    combos_for,
    found,
    noise_pairs,
    score,
    version_pairs,
)

from watcher.demo import DEMO_REGIONS
from watcher.errors import WatcherError
from watcher.normalize import Document, normalize_html
from watcher.simsite import LATEST_VERSION, PAGES, render_page

# The scoring and browser parts, re-exported so that a caller gets them from one module.
__all__ = [
    "SPANS",
    "TARGET_RIGHT_KIND",
    "WATCHED",
    "Combo",
    "Pair",
    "Scope",
    "Scoreboard",
    "found",
    "main",
    "noise_pairs",
    "rendered_document",
    "report",
    "run_browser",
    "run_offline",
    "score",
    "version_pairs",
]

MAX_LISTED = 30
MAX_INFORMATIVE = 10


def rendered_document(combo: Combo, version: int, seed: str) -> Document:
    """The page as the browser holds it after its script ran, with the noise of `seed`."""
    html = render_page(
        combo.page_id,
        version=version,
        region=combo.region,
        locale=combo.locale,
        rng=random.Random(f"{combo.page_id}|{combo.region}|{combo.locale}|{version}|{seed}"),
        base_url=SITE,
        as_rendered=True,
    )
    base_url = SITE + PAGES[combo.page_id].path
    return normalize_html(html, base_url=base_url, select=SELECT, remove=REMOVE)


def run_offline(scope: Scope) -> Scoreboard:
    """Score every version pair of every combo in scope, then the noise-only pairs."""
    board = Scoreboard()
    combos = combos_for(scope.pages, scope.regions, every_language=scope.every_language)
    for combo in combos:
        # Each version loaded twice: as the newer side of one pair and the older of the next.
        newer = {v: rendered_document(combo, v, "newer") for v in range(LATEST_VERSION + 1)}
        older = {v: rendered_document(combo, v, "older") for v in range(LATEST_VERSION + 1)}
        # From the version a page is published at: before it the server answers 404, which a
        # check records as a failed fetch, never as a change.
        for pair in version_pairs(combo, published_only=True):
            score(board, pair, older[pair.old], newer[pair.new])
    for number, pair in enumerate(noise_pairs(combos, scope.noise_pairs, published_only=True)):
        first = rendered_document(pair.combo, pair.old, f"noise-{number}-a")
        second = rendered_document(pair.combo, pair.new, f"noise-{number}-b")
        score(board, pair, first, second)
    return board


# ---- report --------------------------------------------------------------------------------


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


KIND_HEADERS = ["kind", "expected", "detected", "right kind", "right %", "extra"]


def kind_rows(board: Scoreboard) -> list[list[str]]:
    """Per kind: expected, detected, right kind, its share, and extra findings of that kind."""
    extras = Counter(problem.kind for problem in board.extras)
    rows = []
    for label, tally in (*board.kinds.items(), ("total", board.total)):
        counts = [tally.expected, tally.detected, tally.right]
        extra = len(board.extras) if label == "total" else extras[label]
        rate = percent(tally.right, tally.expected)
        rows.append([label, *map(str, counts), rate, str(extra)])
    return rows


def problem_lines(board: Scoreboard) -> Iterator[str]:
    """Misses, false alerts, extra findings and failed fetches, at most MAX_LISTED lines."""
    sections = (
        ("missed or wrong kind", [p.line() for p in board.misses]),
        ("false alerts", [p.line() for p in board.false_alerts + board.noise_alerts]),
        ("extra findings (informative)", [p.line() for p in board.extras]),
        ("failed fetches", board.failures),
    )
    room = MAX_LISTED
    for title, lines in sections:
        if not lines:
            continue
        yield f"\n{title} ({len(lines)}):"
        # Misses and false alerts first; the informative lists never take all the room.
        cap = room if title.startswith(("missed", "false")) else min(room, MAX_INFORMATIVE)
        shown = lines[: max(cap, 0)]
        room -= len(shown)
        yield from (f"  {line}" for line in shown)
        if len(lines) > len(shown):
            yield f"  … and {len(lines) - len(shown)} more"


def fetch_summary(board: Scoreboard) -> str:
    failed = len(board.failures)
    return f"; {board.fetches} fetches, {failed} failed, {board.unscored} pairs not scored"


def report(board: Scoreboard, heading: str, seconds: float) -> str:
    total = board.total
    alerts = len(board.false_alerts) + len(board.noise_alerts)
    alert_rows = [
        ["pairs with nothing expected", str(board.quiet_pairs), str(len(board.false_alerts))],
        ["noise-only pairs", str(board.noise_pairs), str(len(board.noise_alerts))],
    ]
    rate = total.rate
    verdict = "PASS" if board.passed else "FAIL"
    lines = [
        heading,
        f"{board.version_pairs} version pairs and {board.noise_pairs} noise-only pairs scored "
        f"in {seconds:.0f} s" + (fetch_summary(board) if board.fetches else "") + "\n",
        markdown_table(KIND_HEADERS, kind_rows(board)),
        "",
        markdown_table(["false alerts on", "pairs", "false alerts"], alert_rows),
        "",
        "extra: material findings on pairs with expected changes that match none of them "
        "(informative)",
        *problem_lines(board),
        "",
        f"targets: false alerts {alerts} (target 0); right kind "
        f"{percent(total.right, total.expected)} (target >= {TARGET_RIGHT_KIND:.0%}): {verdict}"
        + ("" if rate is not None else " (nothing was expected)"),
    ]
    return "\n".join(lines)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--browser", action="store_true", help="fetch with a real Chromium")
    parser.add_argument("--pages", nargs="+", choices=WATCHED, help="pages to watch")
    parser.add_argument("--regions", nargs="+", choices=sorted(DEMO_REGIONS))
    parser.add_argument("--noise-refetches", type=int, default=DEFAULT_NOISE_PAIRS)
    parser.add_argument("--concurrency", type=int, default=2, help="browser pages at once")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    default_pages = BROWSER_PAGES if args.browser else WATCHED
    scope = Scope(
        pages=tuple(args.pages or default_pages),
        regions=tuple(args.regions) if args.regions else None,
        every_language=not args.browser,
        noise_pairs=args.noise_refetches,
    )
    started = time.perf_counter()
    try:
        if args.browser:
            board = asyncio.run(browse(scope, args.concurrency))
            heading = "quality (browser): the simulated site fetched by Chromium, own languages"
        else:
            board = run_offline(scope)
            heading = "quality (offline): rendered pages, every region and language"
    except (WatcherError, OSError) as error:
        print(f"quality benchmark could not run: {error}", file=sys.stderr)
        return 1
    print(report(board, heading, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
