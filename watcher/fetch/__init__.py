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
from watcher.fetch.proxy import Proxy

__all__ = [
    "Action",
    "FailureKind",
    "FetchFailure",
    "FetchOutcome",
    "FetchRequest",
    "FetchResult",
    "FetchTimings",
    "Fetcher",
    "Proxy",
]
