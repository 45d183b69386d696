"""Hostile-pages benchmark: one check of each oversized page, and of a normal one, through the
whole pipeline (real Chromium, SQLite), each in a process of its own under a memory watch.

    .venv/bin/python benchmarks/hostile.py [--cases huge gzip-bomb ...] [--cap-mib 4096]

For each case: the check's outcome and failure kind (or what was stored), seconds, the peak
RSS of the checking Python processes (the checker and its analysis workers) and the peak PSS of
its browser tree (Playwright driver and Chromium, shared pages counted once). A case that goes
over `--cap-mib` (Python PSS plus browser PSS) or `--cap-s` is killed, so an unguarded build can
be measured without taking the machine down; the table then says so. Only the default limits
and public interfaces are used, so the same command measures an older checkout (put it first on
PYTHONPATH).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_site import HostileSite
from memory import children_of, markdown_table, tree_memory_kib

from storage import Database
from watcher.config import parse_config
from watcher.fetch.browser import BrowserSettings
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.pipeline import Checker

CASES = {
    "huge": ("/huge", "50 MB page, Content-Length sent"),
    "huge-streamed": ("/huge-streamed", "50 MB page, chunked"),
    "gzip-bomb": ("/gzip-bomb", "gzip bomb, 9.4 MB inflating to 8 GiB"),
    "flood-at-once": ("/flood-at-once", "script appending 1,000,000 elements in one run"),
    "flood": ("/flood", "script appending 10,000 elements a task, up to 1,000,000"),
    "many-elements": ("/many-elements", "static page, 300,000 elements"),
    "article": ("/article", "normal 100 KB page (median of 20 checks)"),
}
NORMAL_REPEATS = 20
TIMEOUT = "45s"


# ---- the child: one check --------------------------------------------------------------------


def child(url: str, database_path: str, repeats: int) -> None:
    config = parse_config(
        "regions:\n  us: {locale: en-US, timezone: America/New_York, "
        'accept_language: "en-US,en;q=0.9"}\n'
        f"defaults: {{interval: 6h, timeout: {TIMEOUT}, confirm: false}}\n"
        f"sources:\n  - id: page\n    title: page\n    url: '{url}'\n    regions: [us]\n"
        "    select: '[role=\"main\"]'\n"
    )
    (target,) = config.targets()
    database = Database(f"sqlite:///{database_path}")
    database.upgrade()

    async def run() -> dict[str, object]:
        async with PlaywrightFetcher(BrowserSettings()) as fetcher:
            checker = Checker(fetcher, database, follow_opt_out=False)
            # Checkers that own analysis workers are closed after use (older ones have none).
            closing = checker if hasattr(checker, "__exit__") else contextlib.nullcontext()
            with closing:
                checker.register([target])
                seconds: list[float] = []
                for _ in range(repeats):
                    started = time.perf_counter()
                    report = await checker.check(target)
                    seconds.append(time.perf_counter() - started)
        with database.reader() as repo:
            stored = repo.latest_snapshot(target.id)
        return {
            "outcome": report.outcome,
            "failure_kind": report.failure_kind,
            "detail": report.failure_detail,
            "stored_chars": len(stored.canonical_text) if stored is not None else 0,
            "seconds": statistics.median(seconds),
        }

    print(json.dumps(asyncio.run(run())), flush=True)


# ---- the parent: run, watch, kill --------------------------------------------------------------


@dataclass
class Measured:
    case: str
    recorded: str
    seconds: float
    checker_rss_mib: float
    python_pss_mib: float
    browser_pss_mib: float


def is_python(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().startswith("python")
    except OSError:
        return False


def kill_tree(root: int) -> None:
    for pid in [*children_of(root), root]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def measure(case: str, url: str, cap_mib: float, cap_s: float, repeats: int) -> Measured:
    with tempfile.TemporaryDirectory() as folder:
        script = str(Path(__file__).resolve())
        command = [sys.executable, script, "--child", url, str(Path(folder) / "w.db"), str(repeats)]
        # Run from an empty folder: analysis workers put their working directory first on
        # sys.path, which would shadow the checkout given on PYTHONPATH.
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=folder)
        started = time.perf_counter()
        peak_checker = peak_python = peak_browser = 0
        killed = ""
        pythons: list[int] = [process.pid]
        browsers: list[int] = []
        rounds = 0
        while process.poll() is None:
            if rounds % 5 == 0:
                # The checker and its analysis workers are Python; the driver and Chromium not.
                tree = children_of(process.pid)
                pythons = [process.pid, *(pid for pid in tree if is_python(pid))]
                browsers = [pid for pid in tree if pid not in pythons]
            rounds += 1
            checker = tree_memory_kib([process.pid])[0]
            python = tree_memory_kib(pythons)[1]
            browser = tree_memory_kib(browsers)[1]
            peak_checker = max(peak_checker, checker)
            peak_python, peak_browser = max(peak_python, python), max(peak_browser, browser)
            elapsed = time.perf_counter() - started
            if (python + browser) / 1024 > cap_mib or elapsed > cap_s:
                reason = "memory" if elapsed <= cap_s else "time"
                killed = f"killed at the {reason} cap ({(python + browser) / 1024:,.0f} MiB)"
                kill_tree(process.pid)
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)
        output, _ = process.communicate()
        seconds = time.perf_counter() - started
    if killed or not output.strip():
        recorded = killed or f"no result (exit {process.returncode})"
    else:
        result = json.loads(output.strip().splitlines()[-1])
        if result["outcome"] == "failed":
            recorded = f"failed: {result['failure_kind']} ({result['detail']})"
        else:
            recorded = f"{result['outcome']}: stored {result['stored_chars']:,} characters"
        seconds = float(result["seconds"])  # the check itself, not the process's start-up
    mib = [peak / 1024 for peak in (peak_checker, peak_python, peak_browser)]
    return Measured(case, recorded, seconds, *mib)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--cap-mib", type=float, default=4096)
    parser.add_argument("--cap-s", type=float, default=300)
    args = parser.parse_args()
    results = []
    with HostileSite() as site:
        for case in args.cases:
            path, _ = CASES[case]
            repeats = NORMAL_REPEATS if case == "article" else 1
            results.append(measure(case, site.url(path), args.cap_mib, args.cap_s, repeats))
            print(f"  done: {case}", file=sys.stderr)
    print(f"\nhostile pages: one check each, default limits, target timeout {TIMEOUT}")
    print("peaks in MiB: checker RSS, Python PSS (checker and analysis workers), browser PSS")
    print("(Playwright driver and Chromium)\n")
    headers = ["page", "recorded", "seconds", "checker RSS", "Python PSS", "browser PSS"]
    rows = [
        [
            CASES[r.case][1],
            r.recorded,
            f"{r.seconds:.2f}",
            f"{r.checker_rss_mib:.0f}",
            f"{r.python_pss_mib:.0f}",
            f"{r.browser_pss_mib:.0f}",
        ]
        for r in results
    ]
    print(markdown_table(headers, rows))


if __name__ == "__main__":
    main()
