"""`CheckReport`: what one check of one target came to, as the CLI prints it and the log says it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from watcher.classify import Finding
from watcher.config import Target
from watcher.pipeline.outcome import CheckOutcome

log = logging.getLogger("watcher.check")


@dataclass(frozen=True)
class CheckReport:
    """What one check of one target came to; printed by the CLI and logged."""

    target_id: str
    source_id: str
    region_id: str
    outcome: CheckOutcome
    failure_kind: str | None = None
    failure_detail: str | None = None
    change_id: int | None = None
    snapshot_id: int | None = None
    check_id: int | None = None
    summary: str | None = None
    findings: tuple[Finding, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    # What a check that went on noticed about the page (a consent dialog left open, ...).
    notes: tuple[str, ...] = ()
    # Checks made on the way, e.g. of the objection forms the page links to.
    related: tuple[CheckReport, ...] = ()

    @classmethod
    def of(
        cls,
        target: Target,
        outcome: CheckOutcome,
        *,
        failure_kind: str | None = None,
        failure_detail: str | None = None,
        change_id: int | None = None,
        snapshot_id: int | None = None,
        check_id: int | None = None,
        summary: str | None = None,
        findings: tuple[Finding, ...] = (),
        timings: dict[str, float] | None = None,
        notes: tuple[str, ...] = (),
    ) -> CheckReport:
        return cls(
            target_id=target.id,
            source_id=target.source_id,
            region_id=target.region_id,
            outcome=outcome,
            failure_kind=failure_kind,
            failure_detail=failure_detail,
            change_id=change_id,
            snapshot_id=snapshot_id,
            check_id=check_id,
            summary=summary,
            findings=findings,
            timings=timings or {},
            notes=notes,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "target": self.target_id,
            "source": self.source_id,
            "region": self.region_id,
            "outcome": self.outcome.value,
            "failure_kind": self.failure_kind,
            "failure_detail": self.failure_detail,
            "change_id": self.change_id,
            "snapshot_id": self.snapshot_id,
            "summary": self.summary,
            "findings": [f.to_json() for f in self.findings],
            "timings": self.timings,
            "notes": list(self.notes),
        }

    def log(self) -> None:
        """One logfmt line: target, outcome, failure kind, change and time."""
        log.info(
            "check target=%s outcome=%s failure_kind=%s change_id=%s total_ms=%.0f%s",
            self.target_id,
            self.outcome.value,
            self.failure_kind or "-",
            self.change_id if self.change_id is not None else "-",
            self.timings.get("total_ms", 0.0),
            "".join(f" note={note!r}" for note in self.notes),
        )
