"""`watcher run --distributed`: hands each due target to its region's queue, once per slot.

A slot (the target's due time) is marked queued in the database before it is sent, so two
dispatchers never queue it twice; a slot queued long ago and still not checked (its task lost
with a broker that restarted without its data) is queued again. A worker that checks it moves
the schedule on in the transaction that records the check.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from storage import Database, StorageError
from watcher.config import Target
from watcher.distributed.app import CHECK_TASK, queue_for, redact
from watcher.schedule import DUE_BATCH, pick_due, register_schedule

log = logging.getLogger("watcher.distributed")

# Sends one task: (task name, args, queue name).
Send = Callable[[str, list[str], str], None]
Clock = Callable[[], datetime]
POLL = timedelta(seconds=5)


def utc_now() -> datetime:
    return datetime.now(UTC)


def enqueue_due(
    database: Database,
    targets: Sequence[Target],
    send: Send,
    now: datetime,
    *,
    requeue_after: timedelta,
) -> int:
    """Queue every due slot of `targets` not queued yet; returns how many were queued."""
    known = {t.id: t for t in targets}
    requeue_before = now - requeue_after
    with database.reader() as repo:
        due = repo.due_schedules(now, requeue_before=requeue_before, limit=DUE_BATCH)
    queued = 0
    for row in pick_due(due, (), known, len(due)):
        with database.transaction() as repo:
            if not repo.mark_queued(
                row.target_id, row.next_due_at, now, requeue_before=requeue_before
            ):
                continue  # another dispatcher queued it, or a check moved it on
        target = known[row.target_id]
        send(CHECK_TASK, [target.id, row.next_due_at.isoformat()], queue_for(target.region_id))
        queued += 1
    return queued


def celery_sender(app: object) -> Send:
    def send(name: str, args: list[str], queue: str) -> None:
        app.send_task(name, args=args, queue=queue)  # type: ignore[attr-defined]

    return send


class Enqueuer:
    """The dispatcher loop: every few seconds, queue what is due. Runs in a thread of its own."""

    def __init__(
        self,
        database: Database,
        targets: Sequence[Target],
        send: Send,
        *,
        requeue_after: timedelta,
        startup_spread: timedelta,
        clock: Clock = utc_now,
        poll: timedelta = POLL,
    ) -> None:
        self.database = database
        self.targets = list(targets)
        self.send = send
        self.requeue_after = requeue_after
        self.startup_spread = startup_spread
        self.clock = clock
        self.poll = poll
        self.queued = 0
        self._stop = threading.Event()

    def run(self) -> None:
        register_schedule(self.database, self.targets, self.clock(), self.startup_spread)
        while not self._stop.is_set():
            try:
                self.queued += enqueue_due(
                    self.database,
                    self.targets,
                    self.send,
                    self.clock(),
                    requeue_after=self.requeue_after,
                )
            except StorageError as error:
                log.error("dispatch: cannot read the schedule: %s", error)
            except Exception as error:  # the broker away: say so, try again next round
                detail = redact(str(error))
                log.error("dispatch: cannot queue checks: %s: %s", type(error).__name__, detail)
            self._stop.wait(self.poll.total_seconds())

    def stop(self) -> None:
        self._stop.set()
