"""`watcher run`'s loop: checks each target when the shared schedule says it is due.

The schedule lives in the database (`target_schedule`), advanced by each recorded check, so a
restart resumes it, `watcher check` moves it on too, and missed runs coalesce into one. In the
process, APScheduler keeps the time: one job wakes the loop when the next target is due, and at
least every `POLL` (another process may have moved the schedule). A target
never scheduled is first due one interval after its last check, or within the start-up spread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from storage import Database, ScheduleRecord, StorageError
from watcher.config import Target
from watcher.pipeline import Checker, CheckOutcome
from watcher.scheduling.backoff import first_due

log = logging.getLogger("watcher.schedule")

STARTUP_SPREAD = timedelta(seconds=60)
# The longest the loop waits before looking at the schedule again (another process may have
# moved it: a `watcher check`, a configuration reloaded elsewhere).
POLL = timedelta(seconds=30)
# The shortest wait between two looks at the schedule.
MIN_WAIT = timedelta(milliseconds=50)
WAKE_JOB = "wake"
# How many due rows are read at a time.
DUE_BATCH = 200

Clock = Callable[[], datetime]

__all__ = ["Schedule", "first_due", "first_due_times", "pick_due"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def first_due_times(
    targets: Sequence[Target],
    last_checked: dict[str, datetime | None],
    now: datetime,
    spread: timedelta,
) -> dict[str, datetime]:
    """The first due time of each target, spread over the start-up window."""
    count = max(1, len(targets))
    return {
        target.id: first_due(
            target.interval, last_checked.get(target.id), now, spread * (i / count)
        )
        for i, target in enumerate(targets)
    }


def pick_due(
    due: Sequence[ScheduleRecord], running: Collection[str], known: Collection[str], room: int
) -> list[ScheduleRecord]:
    """The due rows to start now: known targets, not already running, at most `room`."""
    chosen = [row for row in due if row.target_id in known and row.target_id not in running]
    return chosen[: max(0, room)]


def register_schedule(
    database: Database, targets: Sequence[Target], now: datetime, spread: timedelta
) -> None:
    """Give every target without a schedule its first due time."""
    with database.reader() as repo:
        last = {t.id: t.last_checked_at for t in repo.list_targets()}
        scheduled = repo.schedules([t.id for t in targets])
    new = [t for t in targets if t.id not in scheduled]
    with database.transaction() as repo:
        repo.ensure_scheduled(first_due_times(new, last, now, spread), now)


class Schedule:
    """Runs due checks in this process, at most `max_running` at a time."""

    def __init__(
        self,
        checker: Checker,
        targets: Sequence[Target],
        database: Database,
        *,
        startup_spread: timedelta = STARTUP_SPREAD,
        max_running: int = 8,
        clock: Clock = utc_now,
    ) -> None:
        self.checker = checker
        self.startup_spread = startup_spread
        self.targets = {t.id: t for t in targets}
        self.database = database
        self.max_running = max_running
        self.clock = clock
        self._running: dict[str, asyncio.Task[None]] = {}
        # Targets another process was checking when we tried: left alone until then.
        self._resting: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop_task: asyncio.Task[None] | None = None
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self._timer: AsyncIOScheduler | None = None

    async def start(self) -> None:
        now = self.clock()
        targets = list(self.targets.values())
        await asyncio.to_thread(register_schedule, self.database, targets, now, self.startup_spread)
        self._event_loop = asyncio.get_running_loop()
        self._timer = AsyncIOScheduler(timezone=UTC, event_loop=self._event_loop)
        self._timer.add_job(
            self._ring,
            "interval",
            seconds=POLL.total_seconds(),
            id=WAKE_JOB,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        self._timer.start()
        self._loop_task = asyncio.create_task(self._loop())

    async def next_due(self) -> datetime:
        def earliest() -> datetime:
            with self.database.reader() as repo:
                rows = repo.schedules(list(self.targets)).values()
            return min((row.next_due_at for row in rows), default=self.clock())

        return await asyncio.to_thread(earliest)

    def next_due_of(self, target_id: str) -> datetime | None:
        """When the target's next check is due, as the shared schedule says (None when it has
        none yet)."""
        with self.database.reader() as repo:
            row = repo.schedule_of(target_id)
        return None if row is None else row.next_due_at

    def check_now(self, target_id: str) -> bool:
        """Start a check of the target now (safe from another thread); False when the target
        is not watched here or the schedule is not running. A check already running is not
        started twice."""
        loop = self._event_loop
        if target_id not in self.targets or loop is None or not self.running:
            return False
        loop.call_soon_threadsafe(self._start_now, target_id)
        return True

    @property
    def running(self) -> bool:
        alive = self._loop_task is not None and not self._loop_task.done()
        return alive and self._timer is not None and self._timer.running and not self._stopping

    def _start_now(self, target_id: str) -> None:
        if self._stopping or target_id in self._running:
            return
        self._running[target_id] = asyncio.create_task(self.run_job(self.targets[target_id]))

    async def _loop(self) -> None:
        while not self._stopping:
            wait = POLL
            try:
                wait = await self._start_due()
            except StorageError as error:
                log.error("schedule: cannot read the schedule: %s", error)
            self._wake.clear()
            self._wake_in(max(MIN_WAIT, wait))
            await self._wake.wait()

    async def _ring(self) -> None:
        self._wake.set()

    def _wake_in(self, wait: timedelta) -> None:
        """Have the timer wake the loop after `wait` (sooner if a check ends first)."""
        if self._timer is not None and self._timer.running:
            self._timer.modify_job(WAKE_JOB, next_run_time=datetime.now(UTC) + wait)
        else:
            self._wake.set()

    async def _start_due(self) -> timedelta:
        """Start what is due; returns how long to wait before looking again."""
        now = self.clock()

        def read() -> tuple[list[ScheduleRecord], datetime | None]:
            with self.database.reader() as repo:
                due = repo.due_schedules(now, requeue_before=now, limit=DUE_BATCH)
                rows = repo.schedules(list(self.targets)).values()
            later = [r.next_due_at for r in rows if r.next_due_at > now]
            return due, min(later, default=None)

        due, following = await asyncio.to_thread(read)
        room = self.max_running - len(self._running)
        self._resting = {t: until for t, until in self._resting.items() if until > now}
        busy = self._running.keys() | self._resting.keys()
        for row in pick_due(due, busy, self.targets, room):
            target = self.targets[row.target_id]
            task = asyncio.create_task(self.run_job(target, row.next_due_at))
            self._running[target.id] = task
        if following is None:
            return POLL
        return min(POLL, max(timedelta(0), following - now))

    async def run_job(self, target: Target, due: datetime | None = None) -> None:
        """One check of `target` for the slot `due`, never an exception."""
        try:
            report = await self.checker.check(target, due=due)  # it logs its own line
            if report.outcome is CheckOutcome.SKIPPED:
                # Leased by another process (a `watcher check`): look again after a while
                # rather than at once.
                self._resting[target.id] = self.clock() + POLL
        except StorageError as error:
            # The database is away: one line per check until it is back.
            log.error(
                "check target=%s outcome=failed failure_kind=database_error %s", target.id, error
            )
        except Exception:
            log.exception("check of %s crashed", target.id)
        finally:
            self._running.pop(target.id, None)
            self._wake.set()

    async def stop(self) -> None:
        """Start nothing more; let the checks in progress finish."""
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            await self._loop_task
        if self._timer is not None and self._timer.running:
            self._timer.shutdown(wait=False)
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
