"""The schedule: when each target is next due, its backoff, and what a dispatcher queued.

Every process reads and advances the same rows, so `watcher run`, `watcher check` and the
distributed workers share one schedule that survives restarts. A check advances its target's
row in the transaction that records it; a dispatcher marks the slot it queued, so a slot is
queued once however many dispatchers look.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select, update

from storage.convert import require_aware
from storage.models import Check, TargetSchedule
from storage.records import ScheduleRecord
from storage.repository.base import RepositoryBase, page_size


def _record(row: TargetSchedule) -> ScheduleRecord:
    return ScheduleRecord(
        target_id=row.target_id,
        next_due_at=row.next_due_at,
        failures=row.failures,
        last_failure_kind=row.last_failure_kind,
        queued_slot=row.queued_slot,
        queued_at=row.queued_at,
        updated_at=row.updated_at,
    )


class ScheduleMethods(RepositoryBase):
    def schedule_of(self, target_id: str) -> ScheduleRecord | None:
        row = self._session.get(TargetSchedule, target_id)
        return None if row is None else _record(row)

    def schedules(self, target_ids: Collection[str] | None = None) -> dict[str, ScheduleRecord]:
        statement = select(TargetSchedule)
        if target_ids is not None:
            statement = statement.where(TargetSchedule.target_id.in_(list(target_ids)))
        return {row.target_id: _record(row) for row in self._session.execute(statement).scalars()}

    def ensure_scheduled(self, first_due: dict[str, datetime], now: datetime) -> int:
        """Give each target without a schedule row its first due time; returns how many."""
        self._require_writable()
        require_aware(now, "now")
        if not first_due:
            return 0
        insert = self._insert(TargetSchedule).values(
            [
                {
                    "target_id": target_id,
                    "next_due_at": require_aware(due, "next_due_at"),
                    "failures": 0,
                    "updated_at": now,
                }
                for target_id, due in first_due.items()
            ]
        )
        result = self._session.execute(
            insert.on_conflict_do_nothing(index_elements=[TargetSchedule.target_id]).returning(
                TargetSchedule.target_id
            )
        )
        return len(result.all())

    def set_schedule(
        self,
        target_id: str,
        *,
        next_due_at: datetime,
        failures: int,
        last_failure_kind: str | None,
        now: datetime,
    ) -> None:
        """After a check: the next due time and the failures in a row; clears the queued slot."""
        self._require_writable()
        require_aware(next_due_at, "next_due_at")
        require_aware(now, "now")
        values = {
            "next_due_at": next_due_at,
            "failures": failures,
            "last_failure_kind": last_failure_kind,
            "queued_slot": None,
            "queued_at": None,
            "updated_at": now,
        }
        insert = self._insert(TargetSchedule).values(target_id=target_id, **values)
        self._session.execute(
            insert.on_conflict_do_update(index_elements=[TargetSchedule.target_id], set_=values)
        )

    def due_schedules(
        self, now: datetime, *, requeue_before: datetime, limit: int = 100
    ) -> list[ScheduleRecord]:
        """Rows due at `now`, earliest first, not queued, or queued before `requeue_before`
        (a task lost with its queue)."""
        require_aware(now, "now")
        statement = (
            select(TargetSchedule)
            .where(
                TargetSchedule.next_due_at <= now,
                (TargetSchedule.queued_at.is_(None))
                | (TargetSchedule.queued_at < requeue_before)
                | (TargetSchedule.queued_slot != TargetSchedule.next_due_at),
            )
            .order_by(TargetSchedule.next_due_at, TargetSchedule.target_id)
            .limit(page_size(limit))
        )
        return [_record(row) for row in self._session.execute(statement).scalars()]

    def mark_queued(
        self, target_id: str, slot: datetime, now: datetime, *, requeue_before: datetime
    ) -> bool:
        """Mark `slot` as queued for the target; False when the row moved on or another
        dispatcher marked it since it was read (then it must not be queued again)."""
        self._require_writable()
        require_aware(now, "now")
        result = self._session.execute(
            update(TargetSchedule)
            .where(
                TargetSchedule.target_id == target_id,
                TargetSchedule.next_due_at == slot,
                (TargetSchedule.queued_slot.is_(None))
                | (TargetSchedule.queued_slot != slot)
                | (TargetSchedule.queued_at < requeue_before),
            )
            .values(queued_slot=slot, queued_at=now)
            .returning(TargetSchedule.target_id)
        )
        return result.first() is not None

    def checks_between(self, start: datetime, end: datetime) -> int:
        """How many checks finished in [start, end)."""
        statement = select(func.count()).where(Check.finished_at >= start, Check.finished_at < end)
        return int(self._session.execute(statement).scalar_one())
