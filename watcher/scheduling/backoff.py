"""When a target is next due, after a check and at start-up. Pure: the clock is passed in.

A success puts the next check one interval later and forgets past failures. A failure retries
sooner than the interval, later each time (10 min, 20 min, 40 min … never later than the
interval); a page that said "too many requests" or "you're temporarily blocked" is left alone
longer, at least an hour, doubling each time up to a day: fetching it sooner only extends the
block.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

RETRY_AFTER_FAILURE = timedelta(minutes=10)
RETRY_AFTER_BLOCK = timedelta(hours=1)
BLOCK_BACKOFF_CAP = timedelta(days=1)
# Failure kinds that mean the host wants fewer requests from us.
SLOWING_KINDS = frozenset({"rate_limited", "blocked"})
# Past this many failures in a row the delay stops growing (2**12 × 10 min is far past any cap).
_MAX_DOUBLINGS = 12


@dataclass(frozen=True)
class NextCheck:
    due: datetime
    failures: int  # failed checks in a row, 0 after a success

    @property
    def backing_off(self) -> bool:
        return self.failures > 0


def after_check(
    interval: timedelta, now: datetime, failure_kind: str | None, failures_before: int
) -> NextCheck:
    """The next due time after a check that finished at `now` (`failure_kind` None: it worked)."""
    if failure_kind is None:
        return NextCheck(now + interval, 0)
    failures = failures_before + 1
    doubling = 2 ** min(failures - 1, _MAX_DOUBLINGS)
    if failure_kind in SLOWING_KINDS:
        delay = min(max(interval, RETRY_AFTER_BLOCK) * doubling, max(interval, BLOCK_BACKOFF_CAP))
    else:
        delay = min(RETRY_AFTER_FAILURE * doubling, interval)
    return NextCheck(now + delay, failures)


def first_due(
    interval: timedelta,
    last_checked: datetime | None,
    now: datetime,
    spread: timedelta,
) -> datetime:
    """When a target without a schedule is first due: one interval after its last check, or soon.

    `spread` is this target's share of the start-up window, so due targets do not all start at
    once.
    """
    if last_checked is None:
        return now + spread
    return max(last_checked + interval, now + spread)
