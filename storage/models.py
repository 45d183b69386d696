"""The schema as SQLAlchemy 2 typed models.

Migrations in `storage/migrations/versions` build exactly this schema; a test compares the two.
The vocabulary of `checks.outcome`, `findings.kind` and `findings.severity` is the application's
(storage stores them as given); the outbox's `deliveries.status` and `deliveries.mode` are
storage's own and enforced by the repository, not by CHECK constraints, so that a later migration
can widen them without rebuilding SQLite tables.

One writer per target is a rule of the schema, not of the processes: every version of a target
names the version it follows (`snapshots.previous_id`, unique, and one first version per target),
so two processes that both saw version N cannot both store a version N+1, and a change (unique
on its new version) is stored once however many processes saw it happen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

# Deterministic constraint names, so migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Indexes on PostgreSQL only (migration 0007: the trigram indexes of the text search), which
# the models therefore do not declare; schema comparisons (`alembic check`, the tests) skip them.
POSTGRESQL_ONLY_INDEXES = frozenset(
    {
        "ix_changes_summary_trgm",
        "ix_findings_evidence_before_trgm",
        "ix_findings_evidence_after_trgm",
        "ix_findings_path_trgm",
    }
)


def compared_with_models(
    _object: object, name: str | None, type_: str, reflected: bool, _compare_to: object
) -> bool:
    """Alembic's `include_object` hook: everything but the PostgreSQL-only indexes."""
    return not (type_ == "index" and reflected and name in POSTGRESQL_ONLY_INDEXES)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class Target(Base):
    """A page in a region. Removed from the config → deactivated, never deleted (history stays)."""

    __tablename__ = "targets"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # "SOURCE@REGION"
    source_id: Mapped[str] = mapped_column(String(100), index=True)
    region_id: Mapped[str] = mapped_column(String(50), index=True)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    active: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SnapshotContent(Base):
    """A canonical text, stored once however many snapshots share it."""

    __tablename__ = "snapshot_contents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    canonical_text: Mapped[str] = mapped_column(Text)
    text_length: Mapped[int]
    created_at: Mapped[datetime]


_FIRST_VERSION = text("previous_id IS NULL")


class Snapshot(Base):
    """A version of a target: a new row only when its text differs from the target's latest.

    `previous_id` is the version it follows (None for the first): unique, so a version has at
    most one successor, and the partial index allows one first version per target.
    """

    __tablename__ = "snapshots"
    __table_args__ = (
        Index("ix_snapshots_target_id_id", "target_id", "id"),
        Index("uq_snapshots_previous_id", "previous_id", unique=True),
        Index(
            "uq_snapshots_first_version",
            "target_id",
            unique=True,
            sqlite_where=_FIRST_VERSION,
            postgresql_where=_FIRST_VERSION,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("targets.id"))
    # Written only by the repository, from the latest version's id (no foreign key: see 0003).
    previous_id: Mapped[int | None]
    content_sha256: Mapped[str] = mapped_column(ForeignKey("snapshot_contents.sha256"), index=True)
    taken_at: Mapped[datetime]
    final_url: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None]
    # The page as fetched, gzip-compressed: evidence for a later reader, never diffed.
    raw_html_gzip: Mapped[bytes | None] = mapped_column(LargeBinary)


class Change(Base):
    """The difference between a version and the one before it: one per new version."""

    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_target_id_id", "target_id", "id"),
        Index("uq_changes_to_snapshot_id", "to_snapshot_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("targets.id"))
    from_snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    to_snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    detected_at: Mapped[datetime] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(Text)
    diff: Mapped[dict[str, Any]]
    confirmed: Mapped[bool]
    # checks.change_id points back here, so one of the two keys must be added after both tables
    # exist (use_alter); the check is usually recorded after its change.
    check_id: Mapped[int | None] = mapped_column(ForeignKey("checks.id", use_alter=True))


class Check(Base):
    """Every attempt to check a target, including failures: the service's own health record."""

    __tablename__ = "checks"
    __table_args__ = (
        Index("ix_checks_target_id_id", "target_id", "id"),
        Index("uq_checks_target_id_slot", "target_id", "slot", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("targets.id"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    failure_kind: Mapped[str | None] = mapped_column(String(50))
    failure_detail: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int | None]
    final_url: Mapped[str | None] = mapped_column(Text)
    timings: Mapped[dict[str, Any]]
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    change_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id"))
    # What a check that went on noticed about the page, e.g. a consent dialog left open.
    notes: Mapped[list[str]]
    # The scheduled time this check was run for (None: asked for by hand). Unique per target,
    # so a task delivered twice (a worker killed after recording, before acknowledging) cannot
    # be recorded twice.
    slot: Mapped[datetime | None]


class TargetLease(Base):
    """Which process is checking a target now: taken before a check, given back after it.

    A lease runs out at `expires_at`, so a process that died holding one blocks nobody for long.
    """

    __tablename__ = "target_leases"

    target_id: Mapped[str] = mapped_column(ForeignKey("targets.id"), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class TargetSchedule(Base):
    """When a target is next due, shared by every process: `watcher run`, `watcher check` and the
    workers. Advanced in the transaction that records a check, so missed runs coalesce into one
    and a restart resumes where the schedule was.

    `failures` counts the failed checks in a row (0 after a success): the backoff. `queued_slot`
    is the due time a dispatcher has handed to the queue, with `queued_at`, so it is queued once.
    """

    __tablename__ = "target_schedule"

    target_id: Mapped[str] = mapped_column(ForeignKey("targets.id"), primary_key=True)
    next_due_at: Mapped[datetime] = mapped_column(index=True)
    failures: Mapped[int]
    last_failure_kind: Mapped[str | None] = mapped_column(String(50))
    queued_slot: Mapped[datetime | None]
    queued_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class WorkerStatus(Base):
    """A distributed worker as it last said it was: its regions, those it refuses (served
    another region's legal variant) with the reason, and when it was last seen."""

    __tablename__ = "worker_status"

    worker_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    regions: Mapped[list[str]]
    refused: Mapped[dict[str, Any]]
    checks_done: Mapped[int]
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]
    stopped: Mapped[bool]


class VolatileSpan(Base):
    """A block of a target's page that differed between two loads of one check (a counter, a
    section rendered on one load only): masked in the target's later comparisons.

    `state`: learned (masked, found by watcher), pinned (masked, confirmed by a person) or
    dropped (a person said it is not noise: never masked, never learned again).
    """

    __tablename__ = "volatile_spans"
    __table_args__ = (UniqueConstraint("target_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("targets.id"))
    key: Mapped[str] = mapped_column(String(64))  # sha256 of the kind and the pattern
    pattern: Mapped[str] = mapped_column(Text)
    optional: Mapped[bool]
    state: Mapped[str] = mapped_column(String(10))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    times_seen: Mapped[int]


class Finding(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(10))
    region: Mapped[str] = mapped_column(String(50))
    path: Mapped[str] = mapped_column(Text)
    evidence_before: Mapped[str | None] = mapped_column(Text)
    evidence_after: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    terms: Mapped[list[str]]


class AlertChannel(Base):
    """Where alerts go (one Apprise URL), known by a hash: the URL itself is a secret kept only
    in the configuration. A channel that failed permanently stays marked until a send works."""

    __tablename__ = "alert_channels"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(Text)  # the URL with its secrets redacted
    failing_since: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text)
    last_success_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Delivery(Base):
    """The outbox: one row per change per matching subscription per channel, written in the
    change's own transaction, so an alert is never lost between storing and telling."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("change_id", "subscription_id", "channel_key"),
        # The dispatcher's question: which rows are due?
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"), index=True)
    subscription_id: Mapped[str] = mapped_column(String(100))
    channel_key: Mapped[str] = mapped_column(ForeignKey("alert_channels.key"), index=True)
    mode: Mapped[str] = mapped_column(String(10))  # immediate | digest
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]
    # A claim is a lease: a dispatcher that dies mid-batch loses its rows when it expires.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """Every send of a delivery, successful or not, with the (redacted) error text."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    attempted_at: Mapped[datetime]
    worker: Mapped[str] = mapped_column(String(200))
    ok: Mapped[bool]
    permanent: Mapped[bool]
    error: Mapped[str] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float)


class EvidenceRecord(Base):
    """What a version's evidence files hash to, and its link in the target's hash chain.

    The files (screenshot, rendered HTML, canonical text, fetch record) live in the blob store
    (`storage.blobs`) under these hashes. `record_sha256` is the hash of every other field
    (`storage.evidence.record_digest`), `previous_record_sha256` the record hash of the target's
    version before: editing a file, a field or a link breaks the chain from there on.
    """

    __tablename__ = "evidence_records"
    __table_args__ = (
        Index("ix_evidence_records_target_id_snapshot_id", "target_id", "snapshot_id"),
    )

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"), primary_key=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("targets.id"))
    # The exact text hashed (ISO 8601, UTC): no database round trip can change it.
    recorded_at: Mapped[str] = mapped_column(String(40))
    screenshot_sha256: Mapped[str | None] = mapped_column(String(64))
    html_sha256: Mapped[str | None] = mapped_column(String(64))
    text_sha256: Mapped[str] = mapped_column(String(64))
    fetch_record_sha256: Mapped[str] = mapped_column(String(64))
    # The page's full height in CSS pixels, and whether the screenshot stops short of it.
    screenshot_height: Mapped[int | None]
    screenshot_capped: Mapped[bool]
    previous_record_sha256: Mapped[str | None] = mapped_column(String(64))
    record_sha256: Mapped[str] = mapped_column(String(64), unique=True)
