"""Stored records as the pages show them: plain values, every page text still unescaped
(the templates escape it, always)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage import ChangeRecord, CheckRecord, FindingRecord
from watcher.classify import Severity
from watcher.pipeline.outcome import UNSTABLE_WINDOW, CheckOutcome, is_unstable
from watcher.web.context import TargetSettings
from watcher.web.language import text_language

# Words and symbols beside severities and outcomes: never colour alone.
SEVERITY_SYMBOLS = {"high": "▲▲▲", "medium": "▲▲", "low": "▲"}
FAILING_OUTCOMES = frozenset({CheckOutcome.FAILED.value})


@dataclass(frozen=True)
class FindingView:
    kind: str
    severity: str
    path: str
    before: str
    after: str
    note: str
    lang: str


@dataclass(frozen=True)
class ChangeView:
    id: int
    target_id: str
    source_id: str
    region_id: str
    detected_at: datetime
    summary: str
    findings: tuple[FindingView, ...]
    severity: str | None  # the worst of its findings
    lang: str  # of the quoted text
    from_snapshot_id: int
    to_snapshot_id: int
    check_id: int | None

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(f.kind for f in self.findings))

    @property
    def first_evidence(self) -> FindingView | None:
        return next((f for f in self.findings if f.after or f.before), None)


def region_locale(targets: Mapping[str, TargetSettings], region_id: str) -> str:
    return next((t.locale for tid, t in targets.items() if tid.endswith(f"@{region_id}")), "")


def change_view(change: ChangeRecord, targets: Mapping[str, TargetSettings]) -> ChangeView:
    fallback = targets[change.target_id].locale if change.target_id in targets else ""
    fallback = fallback or region_locale(targets, change.region_id)
    quoted = [t for f in change.findings for t in (f.evidence_after, f.evidence_before) if t]
    lang = text_language(quoted, fallback)
    findings = tuple(_finding_view(f, lang) for f in change.findings)
    return ChangeView(
        id=change.id,
        target_id=change.target_id,
        source_id=change.source_id,
        region_id=change.region_id,
        detected_at=change.detected_at,
        summary=change.summary,
        findings=findings,
        severity=worst_severity(f.severity for f in change.findings),
        lang=lang,
        from_snapshot_id=change.from_snapshot_id,
        to_snapshot_id=change.to_snapshot_id,
        check_id=change.check_id,
    )


def _finding_view(finding: FindingRecord, lang: str) -> FindingView:
    return FindingView(
        kind=finding.kind,
        severity=finding.severity,
        path=finding.path,
        before=finding.evidence_before or "",
        after=finding.evidence_after or "",
        note=finding.note,
        lang=lang,
    )


def worst_severity(severities: Iterable[str]) -> str | None:
    ranked = []
    for value in severities:
        try:
            ranked.append(Severity(value))
        except ValueError:
            continue
    return max(ranked, key=lambda s: s.rank).value if ranked else None


@dataclass(frozen=True)
class TargetHealth:
    """A target's state at a glance: failing, unstable or fine, from its recent checks."""

    failing: bool
    unstable: bool
    last_failure_kind: str | None

    @property
    def state(self) -> str:
        """One word, as the API gives it: failing, unstable or ok."""
        return "failing" if self.failing else "unstable" if self.unstable else "ok"

    @property
    def label(self) -> str:
        if self.failing:
            return f"failing ({self.last_failure_kind or 'failed'})"
        return "unstable" if self.unstable else "ok"


def target_health(recent: Sequence[CheckRecord]) -> TargetHealth:
    latest = recent[0] if recent else None
    failing = latest is not None and latest.outcome in FAILING_OUTCOMES
    return TargetHealth(
        failing=failing,
        unstable=is_unstable(c.outcome for c in recent[:UNSTABLE_WINDOW]),
        last_failure_kind=latest.failure_kind if latest is not None else None,
    )
