"""Real Celery workers for the distributed tests: `watcher worker` processes on the real Redis,
their log lines read as they come (no sleeps: the tests wait on lines and on the database)."""

from __future__ import annotations

import os
import queue
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import pytest
import redis

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
PROJECT_ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def redis_broker() -> Iterator[tuple[str, str]]:
    """(broker URL, queue prefix) on the real Redis, in a database of its own; the keys this
    test made are deleted after it. Skips when Redis cannot be reached."""
    index = 8 + secrets.randbelow(8)
    client = redis.Redis(REDIS_HOST, REDIS_PORT, db=index, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.skip(f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT}: {error}")
    prefix = f"watcher-test-{secrets.token_hex(4)}."
    try:
        yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{index}", prefix
    finally:
        ours = list(client.scan_iter(match=f"{prefix}*"))
        ours += list(client.scan_iter(match="_kombu.binding.*"))
        ours += [b"unacked", b"unacked_index", b"unacked_mutex"]
        client.delete(*ours)
        client.close()


class WorkerProcess:
    """One `watcher worker` process; its output lines land in `lines`."""

    # Every worker started, so a failed test's teardown can end those still running.
    started: ClassVar[list[WorkerProcess]] = []

    def __init__(
        self,
        config: Path,
        db_url: str,
        broker: str,
        prefix: str,
        regions: str,
        *extra: str,
        lines: queue.Queue[str] | None = None,
    ) -> None:
        command = [sys.executable, "-m", "watcher.cli.main", "worker", "--config", str(config)]
        command += ["--db", db_url, "--regions", regions, *extra]
        env = {
            **os.environ,
            "WATCHER_BROKER": broker,
            "WATCHER_QUEUE_PREFIX": prefix,
            "WATCHER_VISIBILITY_TIMEOUT": "4",
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=PROJECT_ROOT,
            start_new_session=True,
        )
        # Several workers may share one queue of lines: their checks, in the order they end.
        self.lines: queue.Queue[str] = lines if lines is not None else queue.Queue()
        WorkerProcess.started.append(self)
        self.seen: list[str] = []
        self.printed: list[str] = []  # every line this worker printed
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.printed.append(line)
            self.lines.put(line)
        self.lines.put("")  # the end

    def wait_for(self, wanted: Callable[[str], bool], timeout: float = 120) -> str:
        """The next line that `wanted` accepts; fails with the last lines seen otherwise."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError("no such line; last:\n" + "".join(self.seen[-30:])) from None
            self.seen.append(line)
            if line == "":
                raise AssertionError("worker exited; last:\n" + "".join(self.seen[-30:]))
            if wanted(line):
                return line

    def wait_started(self) -> str:
        return self.wait_for(lambda line: line.startswith("worker ") and "regions" in line)

    def stop(self) -> int:
        """SIGTERM, then wait: Celery's warm shutdown lets checks in progress finish."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=120)

    def kill(self) -> None:
        """SIGKILL the worker's whole process group (its browser and analysis processes too)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def kill_leftovers() -> None:
    """SIGKILL the workers a test started and did not stop (it failed before it could)."""
    while WorkerProcess.started:
        WorkerProcess.started.pop().kill()


def check_lines(worker: WorkerProcess, count: int, timeout: float = 180) -> list[str]:
    """The worker's next `count` per-check log lines."""
    return [
        worker.wait_for(lambda line: "check target=" in line and "outcome=" in line, timeout)
        for _ in range(count)
    ]
