"""A checker process for the one-writer tests, started with multiprocessing (spawn).

Each process checks one target once, after a barrier, with a lease that is always granted: as if
every other process's lease had run out. What keeps them from storing the same transition twice
is then the schema's rule alone.
"""

from __future__ import annotations

import asyncio
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from storage import Database, LeaseRecord
from watcher.alerts import resolve_subscriptions
from watcher.config import Target, parse_config
from watcher.fetch.static import StaticFetcher
from watcher.pipeline import Analysis, Checker
from watcher.pipeline.lease import Leases


class LeasesThatRanOut(Leases):
    def take(self, target: Target) -> LeaseRecord | None:
        return None


def check_once(
    database_url: str, config_text: str, html: str, barrier: Barrier, results: Queue[str]
) -> None:
    config = parse_config(config_text)
    (target,) = config.targets()
    database = Database(database_url)
    fetcher = StaticFetcher({target.id: html})
    checker = Checker(
        fetcher,
        database,
        analysis=Analysis.in_threads(),
        subscriptions=resolve_subscriptions(config),
        follow_opt_out=False,
    )
    checker.leases = LeasesThatRanOut(database, checker.leases.holder, checker.clock)
    try:
        checker.register([target])
        barrier.wait(30)
        report = asyncio.run(checker.check(target))
        results.put(report.outcome.value)
    finally:
        checker.close()
        database.dispose()
