"""Plain values that go in and out of the repository; no SQLAlchemy object ever leaves it.

`*Spec` values are what a caller asks to store, `*Record` values are what was stored (with ids and
the database's view of the row). Timestamps are always timezone-aware UTC on the way out; on the
way in any aware datetime is accepted and converted, a naive one is refused.
JSON fields (`timings`, `diff`, `data`) are opaque to storage: stored and returned as given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JsonObject = dict[str, Any]

CHECK_OUTCOMES = frozenset({"first", "unchanged", "changed", "failed", "flap"})
SEVERITIES = frozenset({"high", "medium", "low"})


@dataclass(frozen=True)
class TargetSpec:
    """One watched page in one region, as the configuration describes it."""

    id: str  # "SOURCE@REGION"
    source_id: str
    region_id: str
    url: str
    title: str = ""


@dataclass(frozen=True)
class TargetRecord:
    id: str
    source_id: str
    region_id: str
    url: str
    title: str
    active: bool
    created_at: datetime
    updated_at: datetime
    last_checked_at: datetime | None = None  # finished_at of the latest check
    last_outcome: str | None = None


@dataclass(frozen=True)
class SnapshotSummary:
    """A stored version of a target without its text (history listings)."""

    id: int
    target_id: str
    content_sha256: str
    text_length: int
    taken_at: datetime
    final_url: str | None
    http_status: int | None


@dataclass(frozen=True)
class SnapshotRecord:
    """A stored version of a target with its canonical text.

    `is_new` is True only when `save_snapshot` created this row; False when it returned the
    latest snapshot because the text had not changed, and on every read.
    """

    id: int
    target_id: str
    content_sha256: str
    canonical_text: str
    taken_at: datetime
    final_url: str | None
    http_status: int | None
    is_new: bool = False


@dataclass(frozen=True)
class CheckSpec:
    """One attempt to check a target, whatever came of it."""

    target_id: str
    started_at: datetime
    finished_at: datetime
    outcome: str  # one of CHECK_OUTCOMES
    failure_kind: str | None = None
    failure_detail: str = ""
    http_status: int | None = None
    final_url: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    snapshot_id: int | None = None
    change_id: int | None = None


@dataclass(frozen=True)
class CheckRecord:
    id: int
    target_id: str
    started_at: datetime
    finished_at: datetime
    outcome: str
    failure_kind: str | None
    failure_detail: str
    http_status: int | None
    final_url: str | None
    timings: dict[str, float]
    snapshot_id: int | None
    change_id: int | None


@dataclass(frozen=True)
class FindingSpec:
    """One classified fact about a change, with the quoted evidence."""

    kind: str
    severity: str  # one of SEVERITIES
    region: str
    path: str
    evidence_before: str | None = None
    evidence_after: str | None = None
    data: JsonObject = field(default_factory=dict)


@dataclass(frozen=True)
class FindingRecord:
    id: int
    change_id: int
    kind: str
    severity: str
    region: str
    path: str
    evidence_before: str | None
    evidence_after: str | None
    data: JsonObject


@dataclass(frozen=True)
class ChangeRecord:
    """A difference between two snapshots of one target, with its findings in stored order."""

    id: int
    target_id: str
    source_id: str
    region_id: str
    from_snapshot_id: int
    to_snapshot_id: int
    detected_at: datetime
    summary: str
    diff: JsonObject
    confirmed: bool
    check_id: int | None
    findings: tuple[FindingRecord, ...] = ()
