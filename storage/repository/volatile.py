"""Volatile spans: learned per target from disagreeing loads, shown, pinned or dropped."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select

from storage.convert import require_aware
from storage.models import VolatileSpan
from storage.records import (
    MASKED_STATES,
    VOLATILE_STATES,
    VolatileSpanRecord,
    VolatileSpanSpec,
)
from storage.repository.base import RepositoryBase


def _key(spec: VolatileSpanSpec) -> str:
    kind = "optional" if spec.optional else "varying"
    return hashlib.sha256(f"{kind}\n{spec.pattern}".encode()).hexdigest()


def _record(row: VolatileSpan) -> VolatileSpanRecord:
    return VolatileSpanRecord(
        id=row.id,
        target_id=row.target_id,
        pattern=row.pattern,
        optional=row.optional,
        state=row.state,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        times_seen=row.times_seen,
    )


class VolatileMethods(RepositoryBase):
    def learn_volatile_spans(
        self, target_id: str, spans: Sequence[VolatileSpanSpec], now: datetime
    ) -> None:
        """Record spans seen now: new ones as learned; known ones keep their state (a dropped
        span stays dropped) and count one more sighting."""
        self._require_writable()
        require_aware(now, "now")
        if not spans:
            return
        rows = [
            {
                "target_id": target_id,
                "key": _key(spec),
                "pattern": spec.pattern,
                "optional": spec.optional,
                "state": "learned",
                "first_seen": now,
                "last_seen": now,
                "times_seen": 1,
            }
            for spec in dict.fromkeys(spans)
        ]
        insert = self._insert(VolatileSpan).values(rows)
        self._session.execute(
            insert.on_conflict_do_update(
                index_elements=[VolatileSpan.target_id, VolatileSpan.key],
                set_={
                    "last_seen": insert.excluded.last_seen,
                    "times_seen": VolatileSpan.times_seen + 1,
                },
            )
        )

    def volatile_spans(
        self, target_id: str | None = None, *, masked_only: bool = False
    ) -> list[VolatileSpanRecord]:
        """Spans of one target (or all), oldest first; `masked_only` leaves dropped ones out."""
        statement = select(VolatileSpan).order_by(VolatileSpan.id)
        if target_id is not None:
            statement = statement.where(VolatileSpan.target_id == target_id)
        if masked_only:
            statement = statement.where(VolatileSpan.state.in_(sorted(MASKED_STATES)))
        return [_record(row) for row in self._session.execute(statement).scalars()]

    def set_volatile_span_state(self, span_id: int, state: str) -> VolatileSpanRecord | None:
        """Pin, drop or re-learn one span; None when there is no such span."""
        self._require_writable()
        if state not in VOLATILE_STATES:
            raise ValueError(f"unknown state {state!r} (known: {sorted(VOLATILE_STATES)})")
        row = self._session.get(VolatileSpan, span_id)
        if row is None:
            return None
        row.state = state
        self._session.flush()
        return _record(row)

    def forget_learned_spans(self, target_id: str | None = None) -> int:
        """Delete learned spans (pinned and dropped ones stay); returns how many."""
        self._require_writable()
        statement = delete(VolatileSpan).where(VolatileSpan.state == "learned")
        if target_id is not None:
            statement = statement.where(VolatileSpan.target_id == target_id)
        return len(self._session.execute(statement.returning(VolatileSpan.id)).all())
