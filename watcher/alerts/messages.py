"""Stored changes turned into the plain alert values `notifiers` renders.

The web UI shows a change at `{base_url}/changes/{id}`; the base URL comes from
$WATCHER_BASE_URL (default http://127.0.0.1:8080) so links in alerts work from wherever the
service is published.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from notifiers import Alert, AlertFinding
from storage import ChangeRecord, TargetRecord
from watcher.classify import Finding
from watcher.diff import Change
from watcher.stored import stored_finding

BASE_URL_ENV = "WATCHER_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8080"
# More than any channel shows (the renderer keeps at most 40): enough, and bounded in memory.
MAX_DIFF_LINES = 60


def web_base_url(environ: Mapping[str, str] = os.environ) -> str:
    """The web UI's address as subscribers reach it, without a trailing slash."""
    return (environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).strip().rstrip("/")


def change_url(base_url: str, change_id: int) -> str:
    return f"{base_url.rstrip('/')}/changes/{change_id}"


def changes_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/changes"


def diff_excerpt(change: ChangeRecord, max_lines: int = MAX_DIFF_LINES) -> str:
    """The start of the change as a unified diff; its summary if the stored diff is unreadable
    (written by a future version, or not a diff at all)."""
    try:
        unified = Change.from_json(change.diff).to_unified(context=1)
    except (ValueError, KeyError, TypeError, IndexError):
        return change.summary
    lines = unified.splitlines()
    return "\n".join(lines[:max_lines]) if lines else change.summary


def build_alert(change: ChangeRecord, target: TargetRecord | None, base_url: str) -> Alert:
    """One change as an alert: findings with their quoted evidence, diff excerpt, link."""
    return Alert(
        change_id=change.id,
        target_id=change.target_id,
        source_id=change.source_id,
        source_title=target.title if target is not None and target.title else change.source_id,
        region_id=change.region_id,
        url=target.url if target is not None else "",
        detected_at=change.detected_at,
        findings=tuple(alert_finding(stored_finding(f)) for f in change.findings),
        summary=change.summary,
        diff_excerpt=diff_excerpt(change),
        change_url=change_url(base_url, change.id),
    )


def alert_finding(finding: Finding) -> AlertFinding:
    """A finding as the notifiers tell it."""
    return AlertFinding(
        kind=finding.kind.value,
        severity=finding.severity,
        path=finding.path,
        evidence_before=finding.evidence_before,
        evidence_after=finding.evidence_after,
    )
