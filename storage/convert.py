"""Rows to records, and the small value checks every write makes before touching the database."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from datetime import datetime

from storage.models import (
    AlertChannel,
    Change,
    Check,
    Delivery,
    DeliveryAttempt,
    Finding,
    Snapshot,
    Target,
)
from storage.records import (
    DELIVERY_MODES,
    ChangeRecord,
    ChannelRecord,
    CheckRecord,
    DeliveryAttemptRecord,
    DeliveryRecord,
    DeliverySpec,
    FindingRecord,
    SnapshotRecord,
    TargetRecord,
)

# Fixed mtime: identical pages compress to identical bytes.
_GZIP_MTIME = 0


def require_aware(value: datetime, name: str) -> datetime:
    """Refuse naive datetimes early, with the argument's name, rather than deep in a driver."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def compress_html(html: str | None) -> bytes | None:
    if html is None:
        return None
    return gzip.compress(html.encode("utf-8"), mtime=_GZIP_MTIME)


def decompress_html(blob: bytes | None) -> str | None:
    if blob is None:
        return None
    return gzip.decompress(blob).decode("utf-8")


def target_record(
    row: Target, last_checked_at: datetime | None = None, last_outcome: str | None = None
) -> TargetRecord:
    return TargetRecord(
        id=row.id,
        source_id=row.source_id,
        region_id=row.region_id,
        url=row.url,
        title=row.title,
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_checked_at=last_checked_at,
        last_outcome=last_outcome,
    )


def snapshot_record(row: Snapshot, canonical_text: str, *, is_new: bool = False) -> SnapshotRecord:
    return SnapshotRecord(
        id=row.id,
        target_id=row.target_id,
        content_sha256=row.content_sha256,
        canonical_text=canonical_text,
        taken_at=row.taken_at,
        final_url=row.final_url,
        http_status=row.http_status,
        is_new=is_new,
        previous_id=row.previous_id,
    )


def check_record(row: Check) -> CheckRecord:
    return CheckRecord(
        id=row.id,
        target_id=row.target_id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=row.outcome,
        failure_kind=row.failure_kind,
        failure_detail=row.failure_detail,
        http_status=row.http_status,
        final_url=row.final_url,
        timings=dict(row.timings),
        snapshot_id=row.snapshot_id,
        change_id=row.change_id,
        notes=tuple(row.notes),
    )


def finding_record(row: Finding) -> FindingRecord:
    return FindingRecord(
        id=row.id,
        change_id=row.change_id,
        kind=row.kind,
        severity=row.severity,
        region=row.region,
        path=row.path,
        evidence_before=row.evidence_before,
        evidence_after=row.evidence_after,
        note=row.note,
        terms=tuple(row.terms),
    )


def change_record(
    row: Change,
    source_id: str,
    region_id: str,
    findings: Iterable[FindingRecord],
    *,
    with_diff: bool = True,
) -> ChangeRecord:
    return ChangeRecord(
        id=row.id,
        target_id=row.target_id,
        source_id=source_id,
        region_id=region_id,
        from_snapshot_id=row.from_snapshot_id,
        to_snapshot_id=row.to_snapshot_id,
        detected_at=row.detected_at,
        summary=row.summary,
        # Not touched when deferred: reading it would load it after all.
        diff=row.diff if with_diff else {},
        confirmed=row.confirmed,
        check_id=row.check_id,
        findings=tuple(findings),
    )


def require_delivery_modes(deliveries: Iterable[DeliverySpec]) -> None:
    for delivery in deliveries:
        if delivery.mode not in DELIVERY_MODES:
            raise ValueError(
                f"unknown delivery mode {delivery.mode!r} for subscription "
                f"{delivery.subscription_id!r} (known: {sorted(DELIVERY_MODES)})"
            )
        if delivery.due_at is not None:
            require_aware(delivery.due_at, "due_at")


def delivery_record(row: Delivery, target_id: str, channel_label: str) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        change_id=row.change_id,
        target_id=target_id,
        subscription_id=row.subscription_id,
        channel_key=row.channel_key,
        channel_label=channel_label,
        mode=row.mode,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        claimed_by=row.claimed_by,
        claimed_until=row.claimed_until,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def attempt_record(row: DeliveryAttempt) -> DeliveryAttemptRecord:
    return DeliveryAttemptRecord(
        id=row.id,
        delivery_id=row.delivery_id,
        attempted_at=row.attempted_at,
        worker=row.worker,
        ok=row.ok,
        permanent=row.permanent,
        error=row.error,
        duration_ms=row.duration_ms,
    )


def channel_record(row: AlertChannel, open_count: int = 0, failed_count: int = 0) -> ChannelRecord:
    return ChannelRecord(
        key=row.key,
        label=row.label,
        failing_since=row.failing_since,
        last_error=row.last_error,
        last_success_at=row.last_success_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        open_deliveries=open_count,
        failed_deliveries=failed_count,
    )
