"""Targets: kept in step with the configuration; deactivated, never deleted."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, not_, or_, select, update

from storage.convert import require_aware, target_record
from storage.models import Check, Target
from storage.records import TargetRecord, TargetSpec
from storage.repository.base import RepositoryBase


class TargetMethods(RepositoryBase):
    def upsert_targets(self, targets: Sequence[TargetSpec], now: datetime) -> None:
        """Insert new targets; update (and reactivate) those whose fields differ.

        Unchanged targets are not touched, so `updated_at` says when a target last changed.
        Race-safe: two processes registering the same targets do not collide.
        """
        self._require_writable()
        require_aware(now, "now")
        if not targets:
            return
        ids = [t.id for t in targets]
        if len(set(ids)) != len(ids):
            raise ValueError(
                f"duplicate target ids: {sorted({i for i in ids if ids.count(i) > 1})}"
            )
        rows = [
            {
                "id": t.id,
                "source_id": t.source_id,
                "region_id": t.region_id,
                "url": t.url,
                "title": t.title,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for t in targets
        ]
        insert = self._insert(Target).values(rows)
        new = insert.excluded
        differs = or_(
            Target.source_id != new.source_id,
            Target.region_id != new.region_id,
            Target.url != new.url,
            Target.title != new.title,
            not_(Target.active),
        )
        changed = {
            "source_id": new.source_id,
            "region_id": new.region_id,
            "url": new.url,
            "title": new.title,
            "active": True,
            "updated_at": new.updated_at,
        }
        self._session.execute(
            insert.on_conflict_do_update(index_elements=[Target.id], set_=changed, where=differs)
        )

    def deactivate_targets_except(self, ids: Collection[str], now: datetime) -> int:
        """Mark every active target not in `ids` inactive (an empty `ids` deactivates all)."""
        self._require_writable()
        require_aware(now, "now")
        statement = (
            update(Target)
            .where(Target.active, Target.id.not_in(list(ids)))
            .values(active=False, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        result = cast(CursorResult[Any], self._session.execute(statement))
        return result.rowcount

    def list_targets(self, active_only: bool = True) -> list[TargetRecord]:
        last_check = (
            select(Check.target_id, func.max(Check.id).label("check_id"))
            .group_by(Check.target_id)
            .subquery()
        )
        statement = (
            select(Target, Check.finished_at, Check.outcome)
            .outerjoin(last_check, last_check.c.target_id == Target.id)
            .outerjoin(Check, Check.id == last_check.c.check_id)
            .order_by(Target.id)
        )
        if active_only:
            statement = statement.where(Target.active)
        return [
            target_record(target, finished_at, outcome)
            for target, finished_at, outcome in self._session.execute(statement)
        ]

    def source_and_region_ids(self) -> tuple[list[str], list[str]]:
        """Every source id and every region id of the known targets, sorted (filter menus),
        without reading the checks."""
        pairs = self._session.execute(select(Target.source_id, Target.region_id).distinct()).all()
        return sorted({s for s, _ in pairs}), sorted({r for _, r in pairs})

    def regions_of_source(self, source_id: str) -> list[str]:
        statement = select(Target.region_id).where(Target.source_id == source_id)
        return sorted(set(self._session.execute(statement).scalars()))

    def get_target(self, target_id: str) -> TargetRecord | None:
        found = self._session.get(Target, target_id)
        return None if found is None else target_record(found)
