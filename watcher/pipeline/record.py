"""The recorder: one check's verdict stored in one transaction, with its alerts queued.

A new version is stored as the successor of the version the check compared with. If another
process stored one first, the database refuses the second (`VersionConflictError`), nothing is kept,
and the check is decided again against the newer version: one change per real transition, and
its alerts queued once, however many processes watched it happen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage import (
    ChangeRecord,
    CheckSpec,
    Database,
    Repository,
    SnapshotRecord,
)
from watcher.alerts.matching import deliveries_for_change
from watcher.alerts.subscriptions import Subscription
from watcher.classify import Finding
from watcher.config import Target
from watcher.diff import Change
from watcher.pipeline.decide import (
    Changed,
    Failed,
    FirstVersion,
    Flapped,
    Stored,
    Unchanged,
    Verdict,
)
from watcher.pipeline.outcome import CheckOutcome
from watcher.pipeline.page import Page
from watcher.pipeline.report import CheckReport
from watcher.stored import finding_spec

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class NewVersion:
    """A version of a page to store: its canonical text and how it was fetched."""

    canonical_text: str
    raw_html: str | None = None
    final_url: str | None = None
    http_status: int | None = None

    @classmethod
    def of(cls, page: Page) -> NewVersion:
        result = page.result
        return cls(page.canonical, result.html or None, result.final_url, result.status)


def store_change(
    repo: Repository,
    *,
    target_id: str,
    source_id: str,
    region_id: str,
    after: int,
    version: NewVersion,
    change: Change,
    findings: Sequence[Finding],
    subscriptions: Sequence[Subscription],
    detected_at: datetime,
) -> tuple[SnapshotRecord, ChangeRecord]:
    """Store the version following `after`, the change to it, its findings and its outbox rows.

    Raises `storage.VersionConflictError` (nothing written) when `after` is no longer the latest.
    """
    snapshot = append_version(repo, target_id, after, version, detected_at)
    stored = repo.record_change(
        target_id,
        from_snapshot_id=after,
        to_snapshot_id=snapshot.id,
        detected_at=detected_at,
        summary=change.summary(),
        diff=change.to_json(),
        findings=[finding_spec(f) for f in findings],
    )
    outbox = deliveries_for_change(
        subscriptions,
        source_id=source_id,
        region_id=region_id,
        findings=findings,
        detected_at=detected_at,
    )
    repo.enqueue_deliveries(stored.id, outbox, detected_at)
    return snapshot, stored


class Recorder:
    """Stores what checks came to. Every method is one transaction; call them off the loop."""

    def __init__(
        self, database: Database, subscriptions: Sequence[Subscription], clock: Clock
    ) -> None:
        self.database = database
        self.subscriptions = tuple(subscriptions)
        self.clock = clock

    def latest(self, target_id: str) -> Stored | None:
        with self.database.reader() as repo:
            snapshot = repo.latest_snapshot(target_id)
        return None if snapshot is None else Stored.of(snapshot.id, snapshot.canonical_text)

    def record(
        self, target: Target, verdict: Verdict, stored: Stored | None, started_at: datetime
    ) -> CheckReport:
        """Store the verdict; raises `storage.VersionConflictError` if `stored` is no longer the
        latest version and the verdict would add one."""
        if isinstance(verdict, Failed):
            return self._failure(target, verdict, started_at)
        page = verdict.first if isinstance(verdict, Flapped) else verdict.page
        now = self.clock()
        change_id: int | None = None
        summary: str | None = None
        findings: tuple[Finding, ...] = ()
        with self.database.transaction() as repo:
            if isinstance(verdict, FirstVersion):
                snapshot_id = append_version(repo, target.id, None, NewVersion.of(page), now).id
            elif isinstance(verdict, Changed):
                assert stored is not None
                snapshot, change = store_change(
                    repo,
                    target_id=target.id,
                    source_id=target.source_id,
                    region_id=target.region_id,
                    after=stored.id,
                    version=NewVersion.of(page),
                    change=verdict.change,
                    findings=verdict.findings,
                    subscriptions=self.subscriptions,
                    detected_at=now,
                )
                snapshot_id, change_id = snapshot.id, change.id
                summary, findings = change.summary, verdict.findings
            else:  # unchanged, or a flap: nothing new to store
                assert stored is not None
                snapshot_id = stored.id
                summary = verdict.detail if isinstance(verdict, Flapped) else None
            outcome = _OUTCOMES[type(verdict)]
            check = repo.record_check(
                CheckSpec(
                    target_id=target.id,
                    started_at=started_at,
                    finished_at=self.clock(),
                    outcome=outcome.value,
                    failure_detail=verdict.detail if isinstance(verdict, Flapped) else "",
                    http_status=page.result.status,
                    final_url=page.result.final_url,
                    timings=page.result.timings.as_dict(),
                    snapshot_id=snapshot_id,
                    change_id=change_id,
                    notes=page.notes,
                )
            )
        return CheckReport.of(
            target,
            outcome,
            check_id=check.id,
            snapshot_id=snapshot_id,
            change_id=change_id,
            summary=summary,
            findings=findings,
            timings=page.result.timings.as_dict(),
            notes=page.notes,
        )

    def _failure(self, target: Target, verdict: Failed, started_at: datetime) -> CheckReport:
        failure = verdict.failure
        return self._failed(
            CheckSpec(
                target_id=target.id,
                started_at=started_at,
                finished_at=self.clock(),
                outcome=CheckOutcome.FAILED.value,
                failure_kind=failure.kind.value,
                failure_detail=verdict.detail,
                http_status=failure.status,
                final_url=failure.final_url,
                timings=failure.timings.as_dict(),
            ),
            target,
        )

    def problem(self, target: Target, kind: str, detail: str, started_at: datetime) -> CheckReport:
        """A check that met trouble of the service's own (a bug, a dead worker), recorded."""
        spec = CheckSpec(
            target_id=target.id,
            started_at=started_at,
            finished_at=self.clock(),
            outcome=CheckOutcome.FAILED.value,
            failure_kind=kind,
            failure_detail=detail,
        )
        return self._failed(spec, target)

    def _failed(self, spec: CheckSpec, target: Target) -> CheckReport:
        with self.database.transaction() as repo:
            check = repo.record_check(spec)
        return CheckReport.of(
            target,
            CheckOutcome.FAILED,
            check_id=check.id,
            failure_kind=spec.failure_kind,
            failure_detail=spec.failure_detail,
            timings=spec.timings,
        )


_OUTCOMES: dict[type, CheckOutcome] = {
    FirstVersion: CheckOutcome.FIRST,
    Changed: CheckOutcome.CHANGED,
    Unchanged: CheckOutcome.UNCHANGED,
    Flapped: CheckOutcome.FLAP,
}


def append_version(
    repo: Repository, target_id: str, after: int | None, version: NewVersion, now: datetime
) -> SnapshotRecord:
    return repo.append_version(
        target_id,
        after=after,
        canonical_text=version.canonical_text,
        raw_html=version.raw_html,
        taken_at=now,
        final_url=version.final_url,
        http_status=version.http_status,
    )
