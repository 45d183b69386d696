"""Scale benchmark: 500 targets of the simulated Meta site checked by 1, then 2, `watcher worker`
processes (real Celery on the real Redis, PostgreSQL, Chromium) over a fixed window.

    .venv/bin/python benchmarks/scale.py [--targets 500] [--window 120] [--workers 1 2]
        [--concurrency 2] [--render-delay-ms 300]

For each number of workers: every target is made due and queued, the workers start, and once
all are taking tasks the window opens; checks per minute are the checks finished inside it.
Memory is each worker's process tree (the worker, its Chromium, its analysis processes) as PSS
(shared pages counted once), when the window opens and when it closes. Run with
`--window 1800` to watch memory over 30 minutes.

Needs Redis at 127.0.0.1:6379 and PostgreSQL at $WATCHER_TEST_POSTGRES (default the local server,
user postgres); a database and Redis keys of its own, removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import redis
from memory import children_of, markdown_table, tree_memory_kib
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from storage import Database
from storage.models import Check
from watcher.config import Target, parse_config
from watcher.demo import demo_config_yaml
from watcher.distributed.app import make_app
from watcher.distributed.enqueue import celery_sender, enqueue_due
from watcher.simsite import SimulatedMetaSite
from watcher.stored import register_targets

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get(
    "WATCHER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def scratch_database() -> Iterator[str]:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"watcher_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


class Worker:
    def __init__(self, config: Path, db_url: str, env: dict[str, str], concurrency: int) -> None:
        command = [sys.executable, "-m", "watcher.cli.main", "worker", "--config", str(config)]
        command += ["--db", db_url, "--regions", "fr,de,uk,us,br"]
        command += ["--concurrency", str(concurrency)]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("worker ") and "taking" in line:
                self.ready.set()

    def memory_mib(self) -> float:
        pids = [self.process.pid, *children_of(self.process.pid)]
        return tree_memory_kib(pids)[1] / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def checks_between(db_url: str, start: datetime, end: datetime) -> int:
    database = Database(db_url)
    try:
        with database.reader() as repo:
            return repo.checks_between(start, end)
    finally:
        database.dispose()


def total_checks(db_url: str) -> int:
    database = Database(db_url)
    try:
        with database.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(Check)).scalar_one())
    finally:
        database.dispose()


def run_once(
    site: SimulatedMetaSite,
    targets: list[Target],
    config: Path,
    count: int,
    args: argparse.Namespace,
    redis_index: int,
) -> list[str]:
    prefix = f"watcher-bench-{secrets.token_hex(4)}."
    broker = f"redis://127.0.0.1:6379/{redis_index}"
    env = {**os.environ, "WATCHER_BROKER": broker, "WATCHER_QUEUE_PREFIX": prefix}
    os.environ["WATCHER_QUEUE_PREFIX"] = prefix
    with scratch_database() as db_url:
        database = Database(db_url)
        database.upgrade()
        now = datetime.now(UTC)
        register_targets(database, targets, now, complete=True)
        with database.transaction() as repo:
            repo.ensure_scheduled({t.id: now for t in targets}, now)
        app = make_app(broker)
        queued = 0
        while True:  # a round queues a batch at most
            more = enqueue_due(
                database, targets, celery_sender(app), now, requeue_after=timedelta(hours=1)
            )
            if not more:
                break
            queued += more
        app.close()
        database.dispose()
        workers = [Worker(config, db_url, env, args.concurrency) for _ in range(count)]
        try:
            for worker in workers:
                if not worker.ready.wait(300):
                    raise SystemExit("a worker did not start within 5 minutes")
            start = datetime.now(UTC)
            memory_start = [w.memory_mib() for w in workers]
            threading.Event().wait(args.window)  # the fixed measuring window
            end = datetime.now(UTC)
            memory_end = [w.memory_mib() for w in workers]
        finally:
            for worker in workers:
                worker.stop()
        done = checks_between(db_url, start, end)
        total = total_checks(db_url)
    client = redis.Redis("127.0.0.1", 6379, db=redis_index)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()
    per_minute = done / (end - start).total_seconds() * 60
    print(
        f"{count} worker(s): queued {queued}, {done} checks in the window, {total} in all",
        flush=True,
    )
    return [
        str(count),
        f"{per_minute:.1f}",
        " / ".join(f"{m:.0f}" for m in memory_start),
        " / ".join(f"{m:.0f}" for m in memory_end),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=500)
    parser.add_argument("--window", type=float, default=120.0, help="seconds measured")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, default=2, help="checks at a time per worker")
    parser.add_argument("--render-delay-ms", type=int, default=300)
    args = parser.parse_args()
    redis_index = 8 + secrets.randbelow(8)
    with (
        SimulatedMetaSite(render_delay_ms=args.render_delay_ms) as site,
        tempfile.TemporaryDirectory() as scratch,
    ):
        copies = -(-args.targets // 5)
        text = demo_config_yaml(
            site.base_url, site.egress_proxies(), pages=("genai",), copies=copies, interval="6h"
        )
        config = Path(scratch) / "sources.yaml"
        config.write_text(text)
        targets = parse_config(text).targets()[: args.targets]
        rows = [run_once(site, targets, config, n, args, redis_index) for n in args.workers]
    print()
    print(
        f"{len(targets)} targets, {args.window:.0f} s window, {args.concurrency} checks at a "
        f"time per worker, {os.cpu_count()} cores"
    )
    print(
        markdown_table(
            ["workers", "checks/min", "PSS MiB at start (each)", "PSS MiB at end (each)"], rows
        )
    )


if __name__ == "__main__":
    main()
