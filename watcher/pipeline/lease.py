"""One process checks a target at a time: a lease in the database, taken before the fetch.

Two `watcher check`s, or a `check` beside a `run`, share one database: the second finds the
target leased and skips it rather than fetching it again. The lease is work avoidance; the
schema's one-successor rule (see `storage.models`) is what makes a duplicate change impossible
even when a lease runs out mid-check.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from storage import Database, LeaseRecord
from watcher.alerts.workers import dead_local_workers
from watcher.config import Target

# A check fetches the page, maybe re-fetches it, and follows a few objection links, each
# within the target's timeout; the lease covers all of that with room to spare.
LEASE_TIMEOUTS = 6
LEASE_MARGIN = timedelta(minutes=1)


def lease_span(target: Target) -> timedelta:
    return target.timeout * LEASE_TIMEOUTS + LEASE_MARGIN


class Leases:
    """Takes and gives back target leases for one holder (`host:pid:nonce`). Blocking calls:
    run them off the event loop."""

    def __init__(self, database: Database, holder: str, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.holder = holder
        self.clock = clock

    def take(self, target: Target) -> LeaseRecord | None:
        """None when this holder now has the target; else the lease of whoever has it.

        A lease held by a process of this host that is gone (killed mid-check) is taken over at
        once instead of waiting for it to run out.
        """
        other = self._acquire(target)
        if other is None or not dead_local_workers([other.holder], self.holder):
            return other
        with self.database.transaction() as repo:
            repo.release_leases_of([other.holder])
        return self._acquire(target)

    def give_back(self, target: Target) -> None:
        with self.database.transaction() as repo:
            repo.release_lease(target.id, self.holder)

    def _acquire(self, target: Target) -> LeaseRecord | None:
        now = self.clock()
        with self.database.transaction() as repo:
            return repo.acquire_lease(target.id, self.holder, now, now + lease_span(target))
