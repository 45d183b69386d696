"""Target leases: which process is checking a target now.

A checker takes a target's lease before fetching it and gives it back after recording the
check; another process finds the lease held and leaves the target alone. A lease runs out at
`expires_at`, so a process that died holding one delays that target by one lease at most.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select

from storage.convert import require_aware
from storage.models import TargetLease
from storage.records import LeaseRecord
from storage.repository.base import RepositoryBase


class LeaseMethods(RepositoryBase):
    def acquire_lease(
        self, target_id: str, holder: str, now: datetime, until: datetime
    ) -> LeaseRecord | None:
        """Take (or renew) the target's lease for `holder` until `until`.

        Returns None when it was taken; otherwise the lease another holder still has.
        A lease that ran out, or that `holder` already has, is taken over.
        """
        self._require_writable()
        require_aware(now, "now")
        require_aware(until, "until")
        insert = self._insert(TargetLease).values(
            target_id=target_id, holder=holder, acquired_at=now, expires_at=until
        )
        taken = self._session.execute(
            insert.on_conflict_do_update(
                index_elements=[TargetLease.target_id],
                set_={"holder": holder, "acquired_at": now, "expires_at": until},
                where=(TargetLease.expires_at <= now) | (TargetLease.holder == holder),
            ).returning(TargetLease.holder)
        ).scalar_one_or_none()
        if taken == holder:
            return None
        return self.get_lease(target_id)

    def release_lease(self, target_id: str, holder: str) -> bool:
        """Give the lease back; False when `holder` did not have it (it ran out, or was taken)."""
        self._require_writable()
        result = self._session.execute(
            delete(TargetLease)
            .where(TargetLease.target_id == target_id, TargetLease.holder == holder)
            .returning(TargetLease.target_id)
        )
        return result.first() is not None

    def release_leases_of(self, holders: Collection[str]) -> int:
        """Give back every lease of `holders` (processes known to be gone); returns how many."""
        self._require_writable()
        if not holders:
            return 0
        result = self._session.execute(
            delete(TargetLease)
            .where(TargetLease.holder.in_(list(holders)))
            .returning(TargetLease.target_id)
        )
        return len(result.all())

    def get_lease(self, target_id: str) -> LeaseRecord | None:
        row = self._session.get(TargetLease, target_id)
        if row is None:
            return None
        return LeaseRecord(row.target_id, row.holder, row.acquired_at, row.expires_at)

    def lease_holders(self) -> list[str]:
        """Every process holding a lease now (expired ones included)."""
        statement = select(TargetLease.holder).distinct()
        return list(self._session.execute(statement).scalars())
