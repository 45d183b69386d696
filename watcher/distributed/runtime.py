"""What a worker process holds: one browser, one checker and one event loop in a thread of its
own, which Celery's task threads hand their checks to.

Celery's task threads block on `check`; the checks themselves run concurrently on the loop, as
in `watcher run`, bounded by the browser's `max_concurrency` and the politeness per host.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Any, TypeVar

from storage import Database
from watcher.alerts.subscriptions import Subscription
from watcher.alerts.workers import new_worker_id
from watcher.cli.common import browser_settings
from watcher.config import Config, Target
from watcher.distributed.probe import VariantProbe, probe_region
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.pipeline import Checker
from watcher.scheduling import PoliteFetcher

log = logging.getLogger("watcher.worker")
R = TypeVar("R")


class UnknownTargetError(Exception):
    """A task names a target this worker's configuration does not have."""


class WorkerRuntime:
    def __init__(
        self,
        config: Config,
        database: Database,
        regions: Sequence[str],
        subscriptions: Sequence[Subscription] = (),
    ) -> None:
        self.config = config
        self.database = database
        self.regions = tuple(regions)
        self.subscriptions = tuple(subscriptions)
        self.worker_id = new_worker_id()
        self.targets = {t.id: t for t in config.targets() if t.region_id in self.regions}
        self.checks_done = 0
        self._count_lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="worker-loop", daemon=True
        )
        self._fetcher: PlaywrightFetcher | None = None
        self._checker: Checker | None = None

    def start(self) -> None:
        """Start the loop, the browser and the analysis workers; register the targets."""
        self._thread.start()
        self._run(self._open())

    async def _open(self) -> None:
        fetcher = PlaywrightFetcher(browser_settings(self.config))
        polite = PoliteFetcher(fetcher, self.config.politeness)
        checker = Checker(
            polite,
            self.database,
            page_limits=fetcher.settings.limits,
            subscriptions=self.subscriptions,
            holder=self.worker_id,
        )
        await asyncio.to_thread(checker.analysis.start)
        await fetcher.start()
        self._fetcher, self._checker = fetcher, checker
        await asyncio.to_thread(checker.register, list(self.targets.values()))

    def check(self, target_id: str, due: datetime) -> str:
        """Check the target for the slot `due` (blocking); returns the outcome's name."""
        target = self.targets.get(target_id)
        if target is None:
            raise UnknownTargetError(target_id)
        assert self._checker is not None, "start() first"
        report = self._run(self._checker.check(target, due=due))
        with self._count_lock:
            self.checks_done += 1
        return report.outcome.value

    def probe(self, region_id: str) -> VariantProbe:
        assert self._checker is not None, "start() first"
        fetcher = self._checker.fetcher
        targets: list[Target] = list(self.targets.values())
        return self._run(probe_region(fetcher, region_id, targets))

    def close(self) -> None:
        """Close the browser and the analysis workers (after Celery let the checks finish)."""
        if self._thread.is_alive():
            self._run(self._close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
        if self._checker is not None:
            self._checker.close()

    async def _close(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.close()

    def _run(self, work: Coroutine[Any, Any, R]) -> R:
        future: Future[R] = asyncio.run_coroutine_threadsafe(work, self._loop)
        return future.result()
