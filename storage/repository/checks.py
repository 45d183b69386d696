"""Checks: every attempt to check a target, whatever came of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from storage.convert import check_record, require_aware
from storage.errors import SlotTakenError
from storage.models import Change, Check
from storage.records import CheckRecord, CheckSpec
from storage.repository.base import RepositoryBase, page_size


class CheckMethods(RepositoryBase):
    def record_check(self, spec: CheckSpec) -> CheckRecord:
        """Store one attempt. A check that produced a change becomes that change's `check_id`."""
        self._require_writable()
        require_aware(spec.started_at, "started_at")
        require_aware(spec.finished_at, "finished_at")
        check = Check(
            target_id=spec.target_id,
            started_at=spec.started_at,
            finished_at=spec.finished_at,
            outcome=spec.outcome,
            failure_kind=spec.failure_kind,
            failure_detail=spec.failure_detail,
            http_status=spec.http_status,
            final_url=spec.final_url,
            timings=dict(spec.timings),
            snapshot_id=spec.snapshot_id,
            change_id=spec.change_id,
            notes=list(spec.notes),
            slot=spec.slot,
        )
        if spec.slot is not None and self.slot_checked(spec.target_id, spec.slot):
            raise SlotTakenError(spec.target_id, spec.slot.isoformat())
        self._session.add(check)
        try:
            self._session.flush()
        except IntegrityError as error:
            # Two writers raced past the read above: the unique (target, slot) index decides.
            if spec.slot is None or "slot" not in str(error.orig):
                raise
            raise SlotTakenError(spec.target_id, spec.slot.isoformat()) from error
        if spec.change_id is not None:
            self._session.execute(
                update(Change)
                .where(Change.id == spec.change_id, Change.check_id.is_(None))
                .values(check_id=check.id)
                .execution_options(synchronize_session=False)
            )
        return check_record(check)

    def slot_checked(self, target_id: str, slot: datetime) -> bool:
        """Whether a check of the target for this slot is recorded."""
        require_aware(slot, "slot")
        statement = select(Check.id).where(Check.target_id == target_id, Check.slot == slot)
        return self._session.execute(statement.limit(1)).first() is not None

    def recent_checks(self, target_id: str, limit: int = 20) -> list[CheckRecord]:
        statement = (
            select(Check)
            .where(Check.target_id == target_id)
            .order_by(Check.id.desc())
            .limit(page_size(limit))
        )
        return [check_record(row) for row in self._session.execute(statement).scalars()]

    def check_counts_by_outcome(self, target_id: str | None = None) -> dict[str, int]:
        statement = select(Check.outcome, func.count()).group_by(Check.outcome)
        if target_id is not None:
            statement = statement.where(Check.target_id == target_id)
        return {outcome: count for outcome, count in self._session.execute(statement)}

    def get_check(self, check_id: int) -> CheckRecord | None:
        found = self._session.get(Check, check_id)
        return None if found is None else check_record(found)

    def list_checks(
        self, *, target_id: str | None = None, before_id: int | None = None, limit: int = 100
    ) -> list[CheckRecord]:
        """Checks newest first; the next page starts `before_id` the last one returned."""
        statement = select(Check).order_by(Check.id.desc()).limit(page_size(limit))
        if target_id is not None:
            statement = statement.where(Check.target_id == target_id)
        if before_id is not None:
            statement = statement.where(Check.id < before_id)
        return [check_record(row) for row in self._session.execute(statement).scalars()]

    def failure_counts_by_kind(self) -> dict[str, int]:
        statement = (
            select(Check.failure_kind, func.count())
            .where(Check.failure_kind.is_not(None))
            .group_by(Check.failure_kind)
        )
        return {str(kind): count for kind, count in self._session.execute(statement)}

    def recent_check_timings(self, limit: int = 1000) -> list[dict[str, float]]:
        """The timings of the newest checks (what the fetch of each took), newest first."""
        statement = select(Check.timings).order_by(Check.id.desc()).limit(page_size(limit))
        return [dict(timings) for timings in self._session.execute(statement).scalars()]
