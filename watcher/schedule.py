"""Checks each target at its interval with APScheduler, resuming from the last stored check.

A restart does not re-check everything at once: a target checked recently is next due one interval
after that check. Due targets are spread over the first minute; a little jitter keeps checks of
one host from lining up again. A check still running when its next run is due is not started
twice (one instance per target; missed runs coalesce into one).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from storage import Database, StorageError
from watcher.config import Target
from watcher.pipeline import Checker

log = logging.getLogger("watcher.schedule")

STARTUP_SPREAD = timedelta(seconds=60)


def first_due(
    interval: timedelta,
    last_checked: datetime | None,
    now: datetime,
    spread: timedelta,
) -> datetime:
    """When a target is first due after start: one interval after its last check, or soon.

    `spread` is this target's share of the start-up window, so due targets do not all start at
    once.
    """
    if last_checked is None:
        return now + spread
    return max(last_checked + interval, now + spread)


class Schedule:
    def __init__(
        self,
        checker: Checker,
        targets: Sequence[Target],
        database: Database,
        *,
        startup_spread: timedelta = STARTUP_SPREAD,
    ) -> None:
        self.checker = checker
        self.startup_spread = startup_spread
        self.targets = list(targets)
        self.database = database
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[object]] = set()

    def start(self, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        with self.database.reader() as repo:
            last = {t.id: t.last_checked_at for t in repo.list_targets()}
        count = max(1, len(self.targets))
        for index, target in enumerate(self.targets):
            interval = target.interval
            self.scheduler.add_job(
                self.run_job,
                "interval",
                seconds=interval.total_seconds(),
                jitter=min(300, int(interval.total_seconds() / 20)),
                args=[target],
                id=target.id,
                next_run_time=first_due(
                    interval, last.get(target.id), now, self.startup_spread * (index / count)
                ),
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(interval.total_seconds() / 2),
            )
        self.scheduler.start()

    def next_due(self) -> datetime:
        times = [job.next_run_time for job in self.scheduler.get_jobs() if job.next_run_time]
        return min(times) if times else datetime.now(UTC)

    def next_due_of(self, target_id: str) -> datetime | None:
        job = self.scheduler.get_job(target_id)
        return job.next_run_time if job is not None else None

    def check_now(self, target_id: str) -> bool:
        """Bring the target's next check forward to now (safe from another thread); False when
        the target is not scheduled here. A check already running is not started twice."""
        job = self.scheduler.get_job(target_id)
        if job is None:
            return False
        job.modify(next_run_time=datetime.now(UTC))
        return True

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    async def run_job(self, target: Target) -> None:
        """The job run for `target` at each of its times: one check, never an exception."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await self.checker.check(target)  # it logs its own line
        except StorageError as error:
            # The database is away: one line per check until it is back (the next check of
            # this target runs at its time as usual).
            log.error(
                "check target=%s outcome=failed failure_kind=database_error %s", target.id, error
            )
        except Exception:
            log.exception("check of %s crashed", target.id)
        finally:
            if task is not None:
                self._running.discard(task)

    async def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
