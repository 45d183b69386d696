"""Fetching rendered pages: values, the Fetcher protocol and its implementations."""

from watcher.fetch.base import (
    Action,
    FailureKind,
    Fetcher,
    FetchFailure,
    FetchOutcome,
    FetchRequest,
    FetchResult,
    FetchTimings,
)

__all__ = [
    "Action",
    "FailureKind",
    "FetchFailure",
    "FetchOutcome",
    "FetchRequest",
    "FetchResult",
    "FetchTimings",
    "Fetcher",
]
