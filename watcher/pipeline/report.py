"""`CheckReport`: what one check of one target came to, as the CLI prints it and the log says it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from watcher.classify import Finding
from watcher.config import Target
from watcher.pipeline.outcome import CheckOutcome, TargetState

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
    # The target's state after this check (None: nothing to say), and the volatile blocks
    # this check's loads disagreed on.
    state: TargetState | None = None
    volatile: tuple[str, ...] = ()
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
        state: TargetState | None = None,
        volatile: tuple[str, ...] = (),
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
            state=state,
            volatile=volatile,
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
            "state": self.state.value if self.state is not None else None,
            "volatile": list(self.volatile),
        }

    def log(self) -> None:
        """One logfmt line: target, outcome, failure kind, change and time; an unstable target
        at WARNING, with the volatile text quoted."""
        state = f" state={self.state.value}" if self.state is not None else ""
        log.log(
            logging.WARNING if self.state is TargetState.UNSTABLE else logging.INFO,
            "check target=%s outcome=%s failure_kind=%s change_id=%s total_ms=%.0f%s%s%s",
            self.target_id,
            self.outcome.value,
            self.failure_kind or "-",
            self.change_id if self.change_id is not None else "-",
            self.timings.get("total_ms", 0.0),
            state,
            "".join(f" volatile={text!r}" for text in self.volatile),
            "".join(f" note={note!r}" for note in self.notes),
        )
