"""When targets are checked: the backoff after failures and the politeness per host (pure, with
the clock passed in), and the embedded loop that runs due checks from the shared schedule."""

from watcher.scheduling.backoff import (
    RETRY_AFTER_BLOCK,
    RETRY_AFTER_FAILURE,
    NextCheck,
    after_check,
    first_due,
)
from watcher.scheduling.politeness import HostPacer, HostPolicy, PoliteFetcher

__all__ = [
    "RETRY_AFTER_BLOCK",
    "RETRY_AFTER_FAILURE",
    "HostPacer",
    "HostPolicy",
    "NextCheck",
    "PoliteFetcher",
    "after_check",
    "first_due",
]
