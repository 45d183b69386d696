"""Pipeline benchmark: normalize + diff + classify of a ~150 KB page pair, next to a plain difflib
line diff of the same texts, and the time the browser spends fetching that page.

    .venv/bin/python benchmarks/pipeline.py [--runs 30] [--fetches 10] [--size-kb 150]
                                            [--no-browser]

The pair: the simulated Meta privacy policy (the longest page of the simulated site) for a US
visitor, as the browser holds it after the page script ran, at version 5 (old side) and version 6
(new side: AI interactions used for ads, a new effective date). Each side is rendered with its
own noise seed, so the two HTML texts also differ by nonces, class names, tracking parameters,
"Updated ... ago" lines and signed image URLs, as two real loads do. The page is about 155 KB
on its own; when a side is smaller than `--size-kb` (1 KB = 1000 bytes), both sides get the
same number of copies of the main region's sections appended (the lead-in before the first
section heading, with the title and the effective date, is not copied), each copied heading
numbered ("... (part 2)") and each copied id suffixed, so the blocks stay distinct and line up.

Each run times, one after the other on the same texts: normalize (both sides), diff, classify
and their total (one clock around the three); the same work as a check does it (the stored side
read back from its canonical text instead of normalized again); then `difflib.unified_diff` over
the two HTML texts split into lines and over the two canonical texts. One untimed run first,
so loading the lexicons and compiling patterns is not counted. p50 and p95 are over the runs.

Fetch: the new side is served from a loopback HTTP server and fetched `--fetches` times with
`PlaywrightFetcher` (one browser, one kept context, waiting for the heading of the main region
and the DOM to settle as a check does), after one untimed fetch that launches the browser and
opens the context. The row is the fetcher's own wall time per page. The goal: the pipeline p50
is under a tenth of the fetch p50. Exit 0 when it ran (a FAIL is a result), 1 when it could not.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import difflib
import math
import random
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bs4 import BeautifulSoup, Tag

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import markdown_table

from watcher.classify import Finding, classify
from watcher.diff import Change, diff_documents
from watcher.errors import WatcherError
from watcher.fetch.base import FetchRequest, FetchResult
from watcher.fetch.browser import BrowserSettings
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.normalize import Document, normalize_html, parse_canonical
from watcher.simsite import render_page

PAGE_ID = "privacy_policy"
PAGE_PATH = "/privacy/policy/"
# Only used to resolve relative links while normalizing; nothing is fetched from it.
PAGE_URL = f"https://www.facebook.com{PAGE_PATH}"
REGION = "us"
LOCALE = "en_US"
OLD_VERSION, NEW_VERSION = 5, 6
OLD_SEED, NEW_SEED = 1505, 2606
MAIN_SELECTOR = '[role="main"]'
WAIT_FOR = '[role="main"] h1'
BYTES_PER_KB = 1000
DEFAULT_SIZE_KB = 150
MAX_RATIO = 0.1
P50, P95 = 0.50, 0.95

ROW_NORMALIZE = "normalize (both sides)"
ROW_DIFF = "diff"
ROW_CLASSIFY = "classify"
ROW_TOTAL = "pipeline total"
ROW_CHECK = "as a check runs it"
ROW_DIFFLIB_HTML = "difflib (HTML lines)"
ROW_DIFFLIB_CANONICAL = "difflib (canonical lines)"
ROW_FETCH = "browser fetch"
ROW_LABELS = (
    ROW_NORMALIZE,
    ROW_DIFF,
    ROW_CLASSIFY,
    ROW_TOTAL,
    ROW_CHECK,
    ROW_DIFFLIB_HTML,
    ROW_DIFFLIB_CANONICAL,
    ROW_FETCH,
)


class BenchmarkError(WatcherError):
    """The benchmark could not run (e.g. the browser could not fetch the served page)."""


@dataclass(frozen=True)
class PagePair:
    """Old and new HTML of one page, and how many section copies padded each side."""

    old_html: str
    new_html: str
    copies: int


@dataclass(frozen=True)
class PipelineOutput:
    """What one pipeline run produced, kept to report sizes and to check the run did work."""

    old_document: Document
    new_document: Document
    change: Change
    findings: list[Finding]


def byte_size(text: str) -> int:
    return len(text.encode("utf-8"))


def render_side(*, version: int, seed: int) -> str:
    """The page as the browser holds it after its script ran, with this side's noise."""
    return render_page(
        PAGE_ID,
        version=version,
        region=REGION,
        locale=LOCALE,
        rng=random.Random(seed),
        as_rendered=True,
    )


def main_sections(main: Tag) -> list[list[Tag]]:
    """The main region's top-level elements grouped by `h2`; what precedes the first is left out."""
    sections: list[list[Tag]] = []
    for child in main.find_all(recursive=False):
        if child.name == "h2":
            sections.append([child])
        elif sections:
            sections[-1].append(child)
    return sections


def numbered_copy(element: Tag, number: int) -> Tag:
    """A deep copy of `element`; a heading gets "(part N)", every id gets "-N"."""
    duplicate = copy.copy(element)
    for tag in [duplicate, *duplicate.find_all(id=True)]:
        if tag.has_attr("id"):
            tag["id"] = f"{tag['id']}-{number}"
    if duplicate.name == "h2":
        duplicate.append(f" (part {number})")
    return duplicate


def padded(html: str, copies: int) -> str:
    """`html` with `copies` numbered copies of its main region's sections appended to it."""
    if copies == 0:
        return html
    soup = BeautifulSoup(html, "html.parser")
    main = soup.select_one(MAIN_SELECTOR)
    if main is None:
        raise BenchmarkError(f"the page has no {MAIN_SELECTOR} region to pad")
    sections = main_sections(main)
    for number in range(2, copies + 2):
        for section in sections:
            for element in section:
                main.append(numbered_copy(element, number))
    return str(soup)


def build_pair(*, target_bytes: int = DEFAULT_SIZE_KB * BYTES_PER_KB) -> PagePair:
    """Version 5 vs 6 with different noise, both padded alike until each is `target_bytes`."""
    old_html = render_side(version=OLD_VERSION, seed=OLD_SEED)
    new_html = render_side(version=NEW_VERSION, seed=NEW_SEED)
    copies = 0
    old_side, new_side = old_html, new_html
    while min(byte_size(old_side), byte_size(new_side)) < target_bytes:
        copies += 1
        old_side, new_side = padded(old_html, copies), padded(new_html, copies)
    return PagePair(old_side, new_side, copies)


def normalize(html: str) -> Document:
    return normalize_html(html, base_url=PAGE_URL, select=[MAIN_SELECTOR])


def between_ms(started: float, ended: float) -> float:
    return (ended - started) * 1000


def run_pipeline(pair: PagePair, timings: dict[str, list[float]]) -> PipelineOutput:
    """Normalize both sides, diff, classify; appends each stage's milliseconds to `timings`."""
    started = time.perf_counter()
    old_document, new_document = normalize(pair.old_html), normalize(pair.new_html)
    normalized = time.perf_counter()
    change = diff_documents(old_document, new_document)
    diffed = time.perf_counter()
    findings = classify(change, region=REGION, before=old_document, after=new_document)
    classified = time.perf_counter()
    timings[ROW_NORMALIZE].append(between_ms(started, normalized))
    timings[ROW_DIFF].append(between_ms(normalized, diffed))
    timings[ROW_CLASSIFY].append(between_ms(diffed, classified))
    timings[ROW_TOTAL].append(between_ms(started, classified))
    return PipelineOutput(old_document, new_document, change, findings)


def run_check(old_canonical: str, pair: PagePair, into: list[float]) -> None:
    """What a check does: the stored side is read back from its canonical text, only the
    fetched side is normalized, then diff and classify."""
    started = time.perf_counter()
    old_document, new_document = parse_canonical(old_canonical), normalize(pair.new_html)
    change = diff_documents(old_document, new_document)
    classify(change, region=REGION, before=old_document, after=new_document)
    into.append(between_ms(started, time.perf_counter()))


def line_diff(old_text: str, new_text: str) -> list[str]:
    """A plain unified line diff, the baseline a naive page watcher would run."""
    return list(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), lineterm=""))


def timed_line_diff(old_text: str, new_text: str, into: list[float]) -> list[str]:
    started = time.perf_counter()
    lines = line_diff(old_text, new_text)
    into.append(between_ms(started, time.perf_counter()))
    return lines


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default); p50 is the median."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measure_pipeline(pair: PagePair, runs: int) -> tuple[dict[str, list[float]], PipelineOutput]:
    """`runs` interleaved runs of the pipeline and of both difflib baselines, after a warm-up."""
    output = run_pipeline(pair, {label: [] for label in ROW_LABELS})
    old_canonical = output.old_document.canonical_text()
    new_canonical = output.new_document.canonical_text()
    timings: dict[str, list[float]] = {label: [] for label in ROW_LABELS}
    for _ in range(runs):
        output = run_pipeline(pair, timings)
        run_check(old_canonical, pair, timings[ROW_CHECK])
        timed_line_diff(pair.old_html, pair.new_html, timings[ROW_DIFFLIB_HTML])
        timed_line_diff(old_canonical, new_canonical, timings[ROW_DIFFLIB_CANONICAL])
    return timings, output


class _PageServer(ThreadingHTTPServer):
    page: bytes = b""


class _PageHandler(BaseHTTPRequestHandler):
    """Answers the page at PAGE_PATH and 404 for anything else (its script and stylesheet)."""

    def do_GET(self) -> None:
        assert isinstance(self.server, _PageServer)
        found = self.path.split("?")[0] == PAGE_PATH
        body = self.server.page if found else b"not found"
        self.send_response(HTTPStatus.OK if found else HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: one line per request would bury the table."""


@contextmanager
def serving(html: str) -> Iterator[str]:
    """Serves `html` on 127.0.0.1 (a free port) in a thread; yields the page's URL."""
    server = _PageServer(("127.0.0.1", 0), _PageHandler)
    server.page = html.encode("utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{PAGE_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fetch_request(url: str, number: int) -> FetchRequest:
    return FetchRequest(
        target_id=f"{PAGE_ID}-{number}@{REGION}",
        url=url,
        region_id=REGION,
        locale="en-US",
        timezone="America/New_York",
        accept_language="en-US,en;q=0.9",
        wait_for=WAIT_FOR,
        timeout_s=30,
    )


async def fetch_once(fetcher: PlaywrightFetcher, url: str, number: int) -> FetchResult:
    outcome = await fetcher.fetch(fetch_request(url, number))
    if not isinstance(outcome, FetchResult) or outcome.wait_error:
        raise BenchmarkError(f"fetch {number} of the served page failed: {outcome}")
    return outcome


async def fetch_times(url: str, fetches: int) -> tuple[list[float], float, FetchResult]:
    """(wall ms of each timed fetch, ms of the untimed first fetch, the last page fetched)."""
    async with PlaywrightFetcher(BrowserSettings(max_concurrency=1)) as fetcher:
        first = await fetch_once(fetcher, url, 0)
        results = [await fetch_once(fetcher, url, number) for number in range(1, fetches + 1)]
    return [r.timings.total_ms for r in results], first.timings.total_ms, results[-1]


def row(label: str, values: Sequence[float]) -> list[str]:
    if not values:
        return [label, "n/a", "n/a", "0"]
    return [
        label,
        f"{percentile(values, P50):.1f}",
        f"{percentile(values, P95):.1f}",
        str(len(values)),
    ]


def results_table(timings: dict[str, list[float]]) -> str:
    return markdown_table(
        ["step", "p50 ms", "p95 ms", "runs"], [row(label, timings[label]) for label in ROW_LABELS]
    )


def diff_bytes(lines: Sequence[str]) -> int:
    return sum(byte_size(line) + 1 for line in lines)


def describe_pair(pair: PagePair, output: PipelineOutput) -> list[str]:
    """Lines saying what was measured: sizes in bytes, blocks, the change and its findings."""
    old_canonical = output.old_document.canonical_text()
    new_canonical = output.new_document.canonical_text()
    kinds = ", ".join(str(finding.kind) for finding in output.findings) or "none"
    html_diff = line_diff(pair.old_html, pair.new_html)
    canonical_diff = line_diff(old_canonical, new_canonical)
    return [
        f"pair: {PAGE_ID} ({REGION}), version {OLD_VERSION} (noise seed {OLD_SEED}) -> "
        f"{NEW_VERSION} (noise seed {NEW_SEED}), {pair.copies} padding copies of its sections",
        f"HTML: {byte_size(pair.old_html):,} B -> {byte_size(pair.new_html):,} B, "
        f"{len(pair.old_html.splitlines()):,} -> {len(pair.new_html.splitlines()):,} lines",
        f"canonical text: {byte_size(old_canonical):,} B -> {byte_size(new_canonical):,} B, "
        f"{len(output.old_document.blocks)} -> {len(output.new_document.blocks)} blocks",
        f"change: {len(output.change.ops)} block ops, findings: {kinds}",
        f"difflib output: {len(html_diff):,} lines ({diff_bytes(html_diff):,} B) over HTML, "
        f"{len(canonical_diff):,} lines ({diff_bytes(canonical_diff):,} B) over canonical text",
    ]


def verdict(timings: dict[str, list[float]]) -> str:
    fetched = timings[ROW_FETCH]
    if not fetched:
        return "pipeline p50 / fetch p50: n/a (--no-browser)"
    ratio = percentile(timings[ROW_TOTAL], P50) / percentile(fetched, P50)
    outcome = "PASS" if ratio < MAX_RATIO else "FAIL"
    return f"pipeline p50 / fetch p50: {ratio:.3f} -> {outcome} (goal < {MAX_RATIO})"


def fetch_part(pair: PagePair, fetches: int, timings: dict[str, list[float]]) -> list[str]:
    """Fills the fetch row; returns lines about the untimed first fetch and the fetched page."""
    with serving(pair.new_html) as url:
        times, first_ms, last = asyncio.run(fetch_times(url, fetches))
    timings[ROW_FETCH] = times
    same = normalize(last.html) == normalize(pair.new_html)
    return [
        f"browser: first fetch (launch + new context, untimed) {first_ms:.0f} ms; "
        f"fetched page normalizes to the new side: {'yes' if same else 'NO'}"
    ]


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed pipeline runs")
    parser.add_argument("--fetches", type=int, default=10, help="timed browser fetches")
    parser.add_argument("--size-kb", type=int, default=DEFAULT_SIZE_KB, help="least HTML size")
    parser.add_argument("--no-browser", action="store_true", help="skip the fetch part")
    arguments = parser.parse_args(argv)
    if arguments.runs < 1 or arguments.fetches < 1:
        parser.error("--runs and --fetches must be at least 1")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    pair = build_pair(target_bytes=arguments.size_kb * BYTES_PER_KB)
    timings, output = measure_pipeline(pair, arguments.runs)
    notes = describe_pair(pair, output)
    if not arguments.no_browser:
        try:
            notes += fetch_part(pair, arguments.fetches, timings)
        except WatcherError as error:
            print(f"pipeline benchmark: could not fetch: {error}", file=sys.stderr)
            return 1
    print("\npipeline: normalize + diff + classify of one page pair vs a difflib line diff\n")
    print("\n".join(notes) + "\n")
    print(results_table(timings))
    print("\n" + verdict(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
