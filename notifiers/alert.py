"""Plain alert values: what happened, where, and the quoted evidence.

These are the only inputs the notifiers accept. They carry no behaviour beyond a few
questions every renderer asks (how severe, grouped how), so the dispatcher can build them
from stored rows and tests can build them by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters to a subscriber; ordered high > medium > low."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Larger is more severe, so `max(..., key=rank)` picks the worst."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


@dataclass(frozen=True)
class AlertFinding:
    """One classified change with the words that prove it.

    `path` locates the block on the page (e.g. "How we use information › Objecting"),
    the evidence fields quote the page text before and after ("" when absent).
    """

    kind: str
    severity: Severity
    path: str
    evidence_before: str
    evidence_after: str

    def __post_init__(self) -> None:
        # Callers reading rows from a database hand over plain strings; accept them so
        # every comparison below can rely on the enum.
        object.__setattr__(self, "severity", Severity(self.severity))


@dataclass(frozen=True)
class Alert:
    """One detected change of one target (source x region), ready to be told."""

    change_id: int
    target_id: str
    source_id: str
    source_title: str
    region_id: str
    url: str
    detected_at: datetime
    findings: tuple[AlertFinding, ...]
    summary: str
    diff_excerpt: str
    change_url: str | None

    def __post_init__(self) -> None:
        if self.detected_at.tzinfo is None or self.detected_at.utcoffset() is None:
            # A naive time would be rendered as "UTC" while meaning anything.
            raise ValueError("Alert.detected_at must be timezone-aware")
        object.__setattr__(self, "findings", tuple(self.findings))

    @property
    def most_severe(self) -> AlertFinding | None:
        """The finding that decides the title and the alert's urgency."""
        return most_severe_finding(self.findings)

    @property
    def severity(self) -> Severity:
        """The alert's overall severity; an alert without findings counts as low."""
        worst = self.most_severe
        return worst.severity if worst is not None else Severity.LOW

    @property
    def headline_kind(self) -> str:
        """The most severe finding kind, or "changed" when nothing was classified."""
        worst = self.most_severe
        return worst.kind if worst is not None else "changed"


def most_severe_finding(findings: Iterable[AlertFinding]) -> AlertFinding | None:
    """The most severe finding; among equals the first one, as the classifier ordered them."""
    worst: AlertFinding | None = None
    for finding in findings:
        if worst is None or finding.severity.rank > worst.severity.rank:
            worst = finding
    return worst


@dataclass(frozen=True)
class DigestGroup:
    """The alerts of one source in one region, oldest first."""

    source_id: str
    source_title: str
    region_id: str
    alerts: tuple[Alert, ...]

    @property
    def severity(self) -> Severity:
        return max((alert.severity for alert in self.alerts), key=lambda s: s.rank)


@dataclass(frozen=True)
class Digest:
    """Several alerts told in one message (hourly or daily).

    `changes_url` optionally links to the web UI's change feed; it is where a truncated
    digest sends the reader for the rest.
    """

    period_label: str
    alerts: tuple[Alert, ...]
    changes_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "alerts", tuple(self.alerts))

    def groups(self) -> tuple[DigestGroup, ...]:
        """Alerts grouped by source and region.

        Groups are ordered by severity (worst first), then source title and region, so a
        reader skimming the top of a long digest sees what matters; alerts inside a group
        stay in time order.
        """
        buckets: dict[tuple[str, str], list[Alert]] = {}
        for alert in self.alerts:
            buckets.setdefault((alert.source_id, alert.region_id), []).append(alert)
        groups = [
            DigestGroup(
                source_id=source_id,
                source_title=alerts[0].source_title,
                region_id=region_id,
                alerts=tuple(sorted(alerts, key=lambda a: (a.detected_at, a.change_id))),
            )
            for (source_id, region_id), alerts in buckets.items()
        ]
        groups.sort(key=lambda g: (-g.severity.rank, g.source_title.casefold(), g.region_id))
        return tuple(groups)

    @property
    def severity(self) -> Severity:
        if not self.alerts:
            return Severity.LOW
        return max((alert.severity for alert in self.alerts), key=lambda s: s.rank)
