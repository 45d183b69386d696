"""What a check came to, and why one that produced nothing did: the one definition of each."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class CheckOutcome(StrEnum):
    """The outcome of one check of one target, as stored, printed and logged."""

    FIRST = "first"  # the target's first version was stored
    UNCHANGED = "unchanged"  # same text as the stored version
    CHANGED = "changed"  # a new version and the change to it were stored
    FAILED = "failed"  # no trustworthy page (see `failure_kind`); never a change
    FLAP = "flap"  # the loads disagreed, and agreed with the stored version everywhere else
    # A new version stored without a change of its own: what changed is told elsewhere (an
    # objection form's new address, told by the page that links to it).
    UPDATED = "updated"
    # Another process was checking the target at that moment: nothing was fetched or stored.
    SKIPPED = "skipped"


class CheckProblem(StrEnum):
    """Why a check could not be completed for a reason other than the page itself.

    Page failures are `watcher.fetch.FailureKind`s; these name the service's own trouble. A
    check that meets one is reported and logged, but cannot always be recorded (the database may
    be what is gone).
    """

    DATABASE = "database_error"
    INTERNAL = "internal_error"


class TargetState(StrEnum):
    """How a target's recent checks went, when it is worth saying."""

    # Its checks keep flapping: loads of the page disagree in ways that cannot be learned.
    UNSTABLE = "unstable"


# A target is unstable when at least this many of its last checks were flaps.
UNSTABLE_WINDOW = 6
UNSTABLE_FLAPS = 3


def is_unstable(recent_outcomes: Iterable[str]) -> bool:
    """Whether a target whose last `UNSTABLE_WINDOW` checks ended so keeps flapping."""
    flaps = sum(1 for outcome in recent_outcomes if outcome == CheckOutcome.FLAP.value)
    return flaps >= UNSTABLE_FLAPS
