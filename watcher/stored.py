"""watcher's values ⇄ storage's records: one converter for each direction of the boundary.

Storage knows nothing of watcher and keeps the application's words (kinds, severities,
outcomes) as plain strings; these functions are the only place they cross.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage import (
    ChangeRecord,
    Database,
    FindingRecord,
    FindingSpec,
    TargetSpec,
    VolatileSpanRecord,
    VolatileSpanSpec,
)
from watcher.classify import Finding, FindingKind, Severity
from watcher.config import Target
from watcher.diff.volatile import Mask


def register_targets(
    database: Database, targets: Sequence[Target], now: datetime, *, complete: bool = False
) -> None:
    """Record the targets; with `complete`, targets not among them are deactivated."""
    with database.transaction() as repo:
        repo.upsert_targets([target_spec(t) for t in targets], now)
        if complete:
            repo.deactivate_targets_except([t.id for t in targets], now)


def target_spec(target: Target) -> TargetSpec:
    return TargetSpec(
        id=target.id,
        source_id=target.source_id,
        region_id=target.region_id,
        url=target.url,
        title=target.title,
    )


def finding_spec(finding: Finding) -> FindingSpec:
    return FindingSpec(
        kind=finding.kind.value,
        severity=finding.severity.value,
        region=finding.region,
        path=finding.path,
        evidence_before=finding.evidence_before,
        evidence_after=finding.evidence_after,
        note=finding.note,
        terms=finding.terms,
    )


def stored_finding(record: FindingRecord) -> Finding:
    """A stored finding as the classifier made it (raises ValueError for a word it never uses)."""
    return Finding(
        kind=FindingKind(record.kind),
        severity=Severity(record.severity),
        evidence_before=record.evidence_before or "",
        evidence_after=record.evidence_after or "",
        path=record.path,
        region=record.region,
        note=record.note,
        terms=record.terms,
    )


def mask_spec(mask: Mask) -> VolatileSpanSpec:
    return VolatileSpanSpec(pattern=mask.pattern, optional=mask.optional)


def stored_mask(record: VolatileSpanRecord) -> Mask:
    return Mask(pattern=record.pattern, optional=record.optional)


def change_as_json(change: ChangeRecord) -> dict[str, object]:
    """A stored change as `watcher changes --json` prints it and the web API returns it."""
    return {
        "id": change.id,
        "target": change.target_id,
        "source": change.source_id,
        "region": change.region_id,
        "detected_at": change.detected_at.isoformat(),
        "summary": change.summary,
        "from_snapshot": change.from_snapshot_id,
        "to_snapshot": change.to_snapshot_id,
        # The same fields as `watcher check --json`: one model of a finding.
        "findings": [stored_finding(f).to_json() for f in change.findings],
    }
