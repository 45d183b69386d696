"""What each distributed worker last said of itself: its regions, the regions it refuses
(served another region's legal variant) and when it was last seen, for /healthz and /metrics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select

from storage.convert import require_aware
from storage.models import WorkerStatus
from storage.records import WorkerStatusRecord
from storage.repository.base import RepositoryBase


def _record(row: WorkerStatus) -> WorkerStatusRecord:
    return WorkerStatusRecord(
        worker_id=row.worker_id,
        regions=tuple(row.regions),
        refused={str(k): str(v) for k, v in row.refused.items()},
        checks_done=row.checks_done,
        started_at=row.started_at,
        seen_at=row.seen_at,
        stopped=row.stopped,
    )


class WorkerStatusMethods(RepositoryBase):
    def report_worker(
        self,
        worker_id: str,
        *,
        regions: Sequence[str],
        refused: Mapping[str, str],
        checks_done: int,
        now: datetime,
        stopped: bool = False,
    ) -> None:
        """Insert or update the worker's row (its heartbeat)."""
        self._require_writable()
        require_aware(now, "now")
        values = {
            "regions": list(regions),
            "refused": dict(refused),
            "checks_done": checks_done,
            "seen_at": now,
            "stopped": stopped,
        }
        insert = self._insert(WorkerStatus).values(worker_id=worker_id, started_at=now, **values)
        self._session.execute(
            insert.on_conflict_do_update(index_elements=[WorkerStatus.worker_id], set_=values)
        )

    def worker_statuses(self, *, seen_since: datetime | None = None) -> list[WorkerStatusRecord]:
        """Workers, most recently seen first; with `seen_since`, only those seen since then."""
        statement = select(WorkerStatus).order_by(WorkerStatus.seen_at.desc())
        if seen_since is not None:
            statement = statement.where(WorkerStatus.seen_at >= seen_since)
        return [_record(row) for row in self._session.execute(statement).scalars()]
