"""The web app at 10,000 stored changes: p50/p95 per page and requests per second.

    .venv/bin/python benchmarks/web.py [--changes 10000] [--samples 200] [--load-seconds 10]

For SQLite and PostgreSQL (a throw-away database on $WATCHER_TEST_POSTGRES, default the local
server; skipped when unreachable): seeds the history, starts `watcher serve` in a process of its
own, times requests one at a time over loopback, then a load generator (asyncio, httpx,
`--concurrency` connections) sends the same mix for `--load-seconds`. Target: p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.web_history import bulk_seed_history
from storage import Database

POSTGRES_ADMIN = os.environ.get(
    "WATCHER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TARGET_P95_MS = 100.0


def pages(change_ids: list[int], rng: random.Random) -> dict[str, list[str]]:
    """The measured pages; several addresses each, so caches do not flatter one."""
    picks = [rng.choice(change_ids) for _ in range(50)]
    return {
        "feed": ["/changes"],
        "filtered feed": [
            "/changes?region=fr&kind=opt_out_changed&min_severity=high",
            "/changes?source=policy&min_severity=medium&since=2024-09-01",
            "/changes?q=revision+4",
        ],
        "feed, older page": [f"/changes?before={n}" for n in picks[:10]],
        "change page": [f"/changes/{n}" for n in picks],
        "Atom feed": ["/feeds/changes.atom", "/feeds/changes.atom?region=de"],
        "API list": ["/api/changes?limit=50", "/api/changes?limit=50&source=genai"],
    }


@contextmanager
def sqlite_database(folder: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{folder / 'watcher.db'}")
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()


@contextmanager
def postgres_database() -> Iterator[Database | None]:
    admin = create_engine(
        POSTGRES_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        connection = admin.connect()
    except OperationalError as error:
        print(f"PostgreSQL skipped: {' '.join(str(error.orig).split())}")
        admin.dispose()
        yield None
        return
    name = f"watcher_bench_{secrets.token_hex(4)}"
    connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    try:
        database.upgrade()
        yield database
    finally:
        database.dispose()
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()
        admin.dispose()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: a cost that other load on the machine
    does not inflate the way it inflates wall-clock latency."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def served(db_url: str) -> Iterator[tuple[str, int]]:
    """`watcher serve` in its own process; yields its address (once printed) and its pid."""
    command = [sys.executable, "-m", "watcher.cli.main", "serve", "--db", db_url, "--port", "0"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "WATCHER_CONFIG": "/nonexistent"},
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if line.startswith("web app at "):
                yield line.split()[3].rstrip("/"), process.pid
                break
        else:
            raise SystemExit(f"watcher serve exited with {process.wait()}")
    finally:
        process.terminate()
        process.wait(timeout=30)


def latencies(base: str, urls: list[str], samples: int) -> list[float]:
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for url in urls[:3]:
            client.get(url).raise_for_status()  # warm-up
        for index in range(samples):
            url = urls[index % len(urls)]
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def load(base: str, urls: list[str], seconds: float, concurrency: int) -> tuple[int, int]:
    done = errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def worker(offset: int) -> None:
            nonlocal done, errors
            index = offset
            while time.monotonic() < deadline:
                response = await client.get(urls[index % len(urls)])
                index += concurrency
                done += 1
                errors += response.status_code != 200

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return done, errors


def measure(
    name: str, database: Database, change_ids: list[int], args: argparse.Namespace
) -> list[str]:
    rng = random.Random(7)
    mix = pages(change_ids, rng)
    lines = []
    url = database.engine.url.render_as_string(hide_password=False)
    with served(url) as (base, pid):
        for page, urls in mix.items():
            cpu_before = cpu_seconds(pid)
            times = latencies(base, urls, args.samples)
            cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / (args.samples + min(3, len(urls)))
            p50, p95 = statistics.median(times), percentile(times, 0.95)
            verdict = "ok" if p95 < TARGET_P95_MS else "OVER"
            lines.append(f"| {name} | {page} | {p50:.1f} | {p95:.1f} | {cpu_ms:.1f} | {verdict} |")
        every = [u for urls in mix.values() for u in urls]
        rng.shuffle(every)
        done, errors = asyncio.run(load(base, every, args.load_seconds, args.concurrency))
        rps = done / args.load_seconds
        lines.append(
            f"| {name} | load: mix of all, {args.concurrency} connections | "
            f"{rps:.0f} req/s | {errors} errors | | |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200, help="timed requests per page")
    parser.add_argument("--load-seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    with (
        tempfile.TemporaryDirectory() as folder,
        sqlite_database(Path(folder)) as sqlite,
        postgres_database() if not args.no_postgres else _none() as postgres,
    ):
        databases = [sqlite] + ([postgres] if postgres is not None else [])
        started = time.perf_counter()
        seeded = bulk_seed_history(databases, args.changes)
        if postgres is not None:
            # PostgreSQL's autovacuum analyzes a table after its rows change by a tenth; a
            # history written over months is analyzed long before it is read. The bulk seed is
            # read seconds later: analyze now, so the planner sees what it would in use.
            with postgres.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        elapsed = time.perf_counter() - started
        print(f"seeded {args.changes} changes into {len(databases)} databases in {elapsed:.1f}s")
        rows += measure("SQLite", sqlite, seeded.change_ids, args)
        if postgres is not None:
            rows += measure("PostgreSQL", postgres, seeded.change_ids, args)
    print(
        f"\n{args.changes} changes stored; {args.samples} requests per page, one at a time; "
        f"target p95 < {TARGET_P95_MS:.0f} ms; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    print("| database | page | p50 ms | p95 ms | server CPU ms/request | p95 target |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


@contextmanager
def _none() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    sys.exit(main())
