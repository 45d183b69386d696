"""Rows to records, and the small value checks every write makes before touching the database."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from datetime import datetime

from storage.models import Change, Check, Finding, Snapshot, Target
from storage.records import (
    CHECK_OUTCOMES,
    SEVERITIES,
    ChangeRecord,
    CheckRecord,
    FindingRecord,
    FindingSpec,
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


def require_outcome(outcome: str) -> str:
    if outcome not in CHECK_OUTCOMES:
        raise ValueError(f"unknown check outcome {outcome!r} (known: {sorted(CHECK_OUTCOMES)})")
    return outcome


def require_severities(findings: Iterable[FindingSpec]) -> None:
    for finding in findings:
        if finding.severity not in SEVERITIES:
            raise ValueError(
                f"unknown severity {finding.severity!r} for finding {finding.kind!r} "
                f"(known: {sorted(SEVERITIES)})"
            )


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
        data=row.data,
    )


def change_record(
    row: Change, source_id: str, region_id: str, findings: Iterable[FindingRecord]
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
        diff=row.diff,
        confirmed=row.confirmed,
        check_id=row.check_id,
        findings=tuple(findings),
    )
