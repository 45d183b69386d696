"""Where the CPU work of a check runs: off the event loop, in bounded worker processes.

Health rules, normalization, diff and classification are pure functions of strings; on a large
page they take seconds of CPU. Run on the event loop, they would stall every fetch in flight, and
a healthy page could time out because of a heavy neighbour. `Analysis.run` sends them to a pool
of worker processes instead: the loop stays free, a second core is used, and each worker has a
memory ceiling (an address-space limit), so one hostile page fails its own check with a
`MemoryError` instead of taking the whole process down. A worker that dies anyway is replaced.

Tests and tools that want no extra processes use `Analysis.in_threads()`: same contract, no
memory ceiling, one core.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

log = logging.getLogger("watcher.analysis")

R = TypeVar("R")

# Modules every worker needs, imported once in the fork server rather than in each worker.
_PRELOAD = ["watcher.pipeline.page", "watcher.pipeline.decide"]
DEFAULT_MEMORY_LIMIT = 3 * 1024**3
# A worker is replaced after this many tasks, so a slow leak in a parser cannot grow forever.
TASKS_PER_WORKER = 500


class AnalysisCrashError(Exception):
    """The worker running an analysis died (killed, or crashed in native code)."""


def default_workers() -> int:
    """One worker per core left over by the browser, at least one, at most four."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


class Analysis:
    """Runs pure functions of a check off the event loop. Safe to share across tasks."""

    def __init__(self, make_executor: Callable[[], Executor], *, workers: int, kind: str) -> None:
        self._make_executor = make_executor
        self._executor: Executor | None = None
        self._lock = threading.Lock()
        # Set once every worker of the current executor has answered: from then on, handing a
        # job to the pool never starts a process in the caller's thread.
        self._ready = threading.Event()
        self.workers = workers
        self.kind = kind

    @classmethod
    def in_processes(
        cls, workers: int | None = None, *, memory_limit: int = DEFAULT_MEMORY_LIMIT
    ) -> Analysis:
        count = workers or default_workers()

        def make() -> Executor:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            return ProcessPoolExecutor(
                max_workers=count,
                mp_context=context,
                initializer=_prepare_worker,
                initargs=(memory_limit,),
                max_tasks_per_child=TASKS_PER_WORKER,
            )

        return cls(make, workers=count, kind=f"{count} worker process(es)")

    @classmethod
    def in_threads(cls, workers: int = 2) -> Analysis:
        def make() -> Executor:
            return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="analysis")

        return cls(make, workers=workers, kind=f"{workers} worker thread(s)")

    def start(self) -> None:
        """Start every worker and wait until each answers. Blocking (the first worker process
        imports the whole reading and comparing code, and the pool holds its lock while a
        process starts): call it in a thread, as `run` does until the workers are up."""
        executor = self._current()
        for answer in [executor.submit(_ready) for _ in range(self.workers)]:
            answer.result()
        self._ready.set()

    async def run(self, function: Callable[..., R], *args: object) -> R:
        """`function(*args)` in a worker. Its exceptions come back as they were raised there;
        a worker that died is replaced and the call raises `AnalysisCrashError`."""
        if not self._ready.is_set():
            await asyncio.to_thread(self.start)
        executor = self._current()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, function, *args)
        except BrokenProcessPool as error:
            self._discard(executor)
            raise AnalysisCrashError(
                f"the analysis worker died while working on {getattr(function, '__name__', '?')}"
            ) from error

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
            self._ready.clear()
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _current(self) -> Executor:
        with self._lock:
            if self._executor is None:
                self._executor = self._make_executor()
            return self._executor

    def _discard(self, broken: Executor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
                self._ready.clear()
        log.warning("an analysis worker died; starting new ones")
        broken.shutdown(wait=False, cancel_futures=True)


def _ready() -> bool:
    return True


def _prepare_worker(memory_limit: int) -> None:
    # Ctrl-C reaches the whole process group: the parent decides what stops, not the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    if memory_limit > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        ceiling = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _exit_with_parent() -> None:
    """End this worker when the process that started it dies, even by SIGKILL.

    A pool worker waits for jobs on a queue it also holds the writing end of, so it never sees
    the parent go: without this, a killed `watcher run` left its workers, their fork server and
    the resource tracker running for good. The parent's sentinel becomes ready when it exits.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait_then_exit() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=wait_then_exit, name="parent-watch", daemon=True).start()
