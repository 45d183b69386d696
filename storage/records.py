"""Plain values that go in and out of the repository; no SQLAlchemy object ever leaves it.

`*Spec` values are what a caller asks to store, `*Record` values are what was stored (with ids and
the database's view of the row). Timestamps are always timezone-aware UTC on the way out; on the
way in any aware datetime is accepted and converted, a naive one is refused.
JSON fields (`timings`, `diff`) are opaque to storage: stored and returned as given. So are the
application's words: a check's `outcome`, a finding's `kind` and `severity` are stored as given
(their one definition is the application's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JsonObject = dict[str, Any]


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
    previous_id: int | None = None  # the version this one follows; None for the first


@dataclass(frozen=True)
class CheckSpec:
    """One attempt to check a target, whatever came of it."""

    target_id: str
    started_at: datetime
    finished_at: datetime
    outcome: str
    failure_kind: str | None = None
    failure_detail: str = ""
    http_status: int | None = None
    final_url: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    snapshot_id: int | None = None
    change_id: int | None = None
    notes: tuple[str, ...] = ()
    # The scheduled due time this check ran for; None for a check asked for by hand.
    slot: datetime | None = None


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
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FindingSpec:
    """One classified fact about a change, with the quoted evidence."""

    kind: str
    severity: str
    region: str
    path: str
    evidence_before: str | None = None
    evidence_after: str | None = None
    note: str = ""
    terms: tuple[str, ...] = ()


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
    note: str = ""
    terms: tuple[str, ...] = ()


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


# --- the alert outbox --------------------------------------------------------------------------

DELIVERY_MODES = frozenset({"immediate", "digest"})
# pending: due at next_attempt_at · sending: claimed by a dispatcher until claimed_until ·
# digest_pending: waits for its digest, due at next_attempt_at (the period's end) ·
# delivered · failed_permanent: given up (bad URL, 4xx, too many attempts, unknown subscription).
DELIVERY_STATUSES = frozenset(
    {"pending", "sending", "delivered", "failed_permanent", "digest_pending"}
)
# Rows a dispatcher still has to send.
OPEN_DELIVERY_STATUSES = frozenset({"pending", "sending", "digest_pending"})


@dataclass(frozen=True)
class DeliverySpec:
    """One change to tell one subscription through one of its channels.

    `channel_key` identifies the channel (a hash of its URL: the URL is a secret and stays in
    the configuration); `channel_label` is the URL with its secrets redacted, for people.
    `due_at` is when to send: None means at once; a digest row is due at the end of its period.
    """

    subscription_id: str
    channel_key: str
    channel_label: str
    mode: str = "immediate"  # one of DELIVERY_MODES
    due_at: datetime | None = None


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    change_id: int
    target_id: str
    subscription_id: str
    channel_key: str
    channel_label: str
    mode: str
    status: str
    attempts: int
    next_attempt_at: datetime
    claimed_by: str | None
    claimed_until: datetime | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class AttemptSpec:
    """What one send came to. `error` must already be redacted: storage shows it as given."""

    attempted_at: datetime
    ok: bool
    permanent: bool = False
    error: str = ""
    duration_ms: float = 0.0


@dataclass(frozen=True)
class DeliveryAttemptRecord:
    id: int
    delivery_id: int
    attempted_at: datetime
    worker: str
    ok: bool
    permanent: bool
    error: str
    duration_ms: float


@dataclass(frozen=True)
class ChannelRecord:
    """A channel's health: `failing_since` is set by a permanent failure, cleared by a success."""

    key: str
    label: str
    failing_since: datetime | None
    last_error: str
    last_success_at: datetime | None
    created_at: datetime
    updated_at: datetime
    open_deliveries: int = 0  # pending, sending or waiting for a digest
    failed_deliveries: int = 0

    @property
    def failing(self) -> bool:
        return self.failing_since is not None


@dataclass(frozen=True)
class LeaseRecord:
    """Who is checking a target now, and until when at most."""

    target_id: str
    holder: str
    acquired_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ScheduleRecord:
    """When a target is next due and how its last checks went (the backoff)."""

    target_id: str
    next_due_at: datetime
    failures: int
    last_failure_kind: str | None
    queued_slot: datetime | None
    queued_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class WorkerStatusRecord:
    """A distributed worker as it last reported itself."""

    worker_id: str
    regions: tuple[str, ...]
    refused: dict[str, str]  # region → why the worker does not take its tasks
    checks_done: int
    started_at: datetime
    seen_at: datetime
    stopped: bool


VOLATILE_STATES = frozenset({"learned", "pinned", "dropped"})
# States whose spans are masked in comparisons.
MASKED_STATES = frozenset({"learned", "pinned"})


@dataclass(frozen=True)
class VolatileSpanSpec:
    """A volatile block as learned: its pattern and whether the whole block comes and goes."""

    pattern: str
    optional: bool = False


@dataclass(frozen=True)
class VolatileSpanRecord:
    id: int
    target_id: str
    pattern: str
    optional: bool
    state: str  # one of VOLATILE_STATES
    first_seen: datetime
    last_seen: datetime
    times_seen: int
