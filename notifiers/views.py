"""What the templates see: alert values turned into short, cleaned, unescaped strings.

A view is built at a given `Caps` level: the renderer first tries generous caps and
tightens them when a message does not fit its channel, so a long change still shows every
finding (with shorter quotes) before whole blocks are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from notifiers.alert import Alert, AlertFinding, Digest
from notifiers.text import clean_text, one_line, shorten, tidy_paragraph

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

TITLE_CAP = 250
SOURCE_TITLE_CAP = 200
PATH_CAP = 200


@dataclass(frozen=True)
class Caps:
    """Upper bounds, in characters, for each piece of third-party text."""

    evidence: int
    summary: int
    diff_lines: int
    diff_line_chars: int


# From roomy (e-mail, Slack) to tight (a Telegram message with many findings).
CAP_LEVELS = (
    Caps(evidence=700, summary=600, diff_lines=40, diff_line_chars=200),
    Caps(evidence=300, summary=300, diff_lines=12, diff_line_chars=160),
    Caps(evidence=120, summary=160, diff_lines=0, diff_line_chars=0),
)


@dataclass(frozen=True)
class Moment:
    """A time told twice: ISO 8601 for machines and copy-paste, words for people."""

    iso: str
    human: str


def moment(when: datetime) -> Moment:
    """`when` in UTC, e.g. 2026-11-24T08:30:00Z and "Tue 24 Nov 2026, 08:30 UTC".

    Month and day names are spelled here rather than with strftime so the text does not
    depend on the server's locale.
    """
    utc = when.astimezone(UTC)
    iso = utc.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    human = (
        f"{_WEEKDAYS[utc.weekday()]} {utc.day} {_MONTHS[utc.month - 1]} {utc.year}, {utc:%H:%M} UTC"
    )
    return Moment(iso=iso, human=human)


@dataclass(frozen=True)
class FindingView:
    number: int
    kind: str
    severity: str
    path: str
    before: str
    after: str


@dataclass(frozen=True)
class DiffLine:
    """One line of the unified diff excerpt; `sign` is "+", "-", "@" or " "."""

    sign: str
    text: str


@dataclass(frozen=True)
class AlertView:
    title: str
    severity: str
    kind: str
    source_title: str
    region_id: str
    page_url: str
    detected: Moment
    summary: str
    findings: tuple[FindingView, ...]
    diff_lines: tuple[DiffLine, ...]
    diff_more_lines: int
    change_url: str | None


def alert_title(alert: Alert, limit: int = TITLE_CAP) -> str:
    """E.g. "[high] opt_out_changed — How Meta uses information for generative AI models (fr)"."""
    source = shorten(one_line(alert.source_title), SOURCE_TITLE_CAP)
    title = f"[{alert.severity}] {one_line(alert.headline_kind)} — {source} ({alert.region_id})"
    return shorten(title, limit)


def _finding_view(number: int, finding: AlertFinding, caps: Caps) -> FindingView:
    return FindingView(
        number=number,
        kind=one_line(finding.kind),
        severity=str(finding.severity),
        path=shorten(one_line(finding.path), PATH_CAP),
        before=shorten(tidy_paragraph(finding.evidence_before), caps.evidence),
        after=shorten(tidy_paragraph(finding.evidence_after), caps.evidence),
    )


def diff_lines(excerpt: str, caps: Caps) -> tuple[tuple[DiffLine, ...], int]:
    """The first lines of a unified diff and how many lines were left out."""
    lines = [line for line in clean_text(excerpt).split("\n") if line.strip()]
    # File headers say nothing to a reader; hunks and changed lines do.
    lines = [line for line in lines if not line.startswith(("--- ", "+++ "))]
    kept = lines[: caps.diff_lines]
    shown = tuple(
        DiffLine(
            sign=line[0] if line[0] in "+-@" else " ",
            text=shorten(line.expandtabs(4), caps.diff_line_chars),
        )
        for line in kept
    )
    return shown, len(lines) - len(kept)


def alert_view(alert: Alert, caps: Caps, title: str) -> AlertView:
    shown, more = diff_lines(alert.diff_excerpt, caps)
    return AlertView(
        title=title,
        severity=str(alert.severity),
        kind=one_line(alert.headline_kind),
        source_title=shorten(one_line(alert.source_title), SOURCE_TITLE_CAP),
        region_id=one_line(alert.region_id),
        page_url=alert.url.strip(),
        detected=moment(alert.detected_at),
        summary=shorten(tidy_paragraph(alert.summary), caps.summary),
        findings=tuple(
            _finding_view(number, finding, caps)
            for number, finding in enumerate(alert.findings, start=1)
        ),
        diff_lines=shown,
        diff_more_lines=more,
        change_url=alert.change_url.strip() if alert.change_url else None,
    )


@dataclass(frozen=True)
class DigestItemView:
    severity: str
    kind: str
    finding_count: int
    detected: Moment
    summary: str
    change_url: str | None


@dataclass(frozen=True)
class DigestGroupView:
    source_title: str
    region_id: str
    page_url: str
    items: tuple[DigestItemView, ...]


@dataclass(frozen=True)
class DigestView:
    title: str
    period_label: str
    change_count: int
    group_count: int
    groups: tuple[DigestGroupView, ...]
    changes_url: str | None


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def digest_title(digest: Digest, limit: int = TITLE_CAP) -> str:
    """E.g. "[high] daily digest 2026-11-24 — 7 changes in 3 pages"."""
    groups = len(digest.groups())
    changes = len(digest.alerts)
    counts = f"{plural(changes, 'change')} in {plural(groups, 'page')}"
    title = f"[{digest.severity}] {one_line(digest.period_label)} — {counts}"
    return shorten(title, limit)


def digest_view(digest: Digest, caps: Caps, title: str) -> DigestView:
    groups = digest.groups()
    return DigestView(
        title=title,
        period_label=one_line(digest.period_label),
        change_count=len(digest.alerts),
        group_count=len(groups),
        groups=tuple(
            DigestGroupView(
                source_title=shorten(one_line(group.source_title), SOURCE_TITLE_CAP),
                region_id=one_line(group.region_id),
                page_url=group.alerts[0].url.strip(),
                items=tuple(
                    DigestItemView(
                        severity=str(alert.severity),
                        kind=one_line(alert.headline_kind),
                        finding_count=len(alert.findings),
                        detected=moment(alert.detected_at),
                        summary=shorten(one_line(alert.summary), caps.summary // 2),
                        change_url=alert.change_url.strip() if alert.change_url else None,
                    )
                    for alert in group.alerts
                ),
            )
            for group in groups
        ),
        changes_url=digest.changes_url.strip() if digest.changes_url else None,
    )


@dataclass(frozen=True)
class ChannelCheckView:
    title: str
    sent: Moment
    service: str


TEST_TITLE = "watcher test notification"
