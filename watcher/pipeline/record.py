"""The recorder: one check's verdict stored in one transaction, with its alerts queued.

A new version is stored as the successor of the version the check compared with. If another
process stored one first, the database refuses the second (`VersionConflictError`), nothing is kept,
and the check is decided again against the newer version: one change per real transition, and
its alerts queued once, however many processes watched it happen.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from storage import (
    BlobStore,
    ChangeRecord,
    CheckRecord,
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
from watcher.diff.volatile import Mask
from watcher.fetch.base import FailureKind, FetchFailure, FetchResult
from watcher.pipeline.decide import (
    ABSENT,
    QUOTED_SPANS,
    Changed,
    Comparison,
    Failed,
    FirstVersion,
    Flapped,
    Gone,
    StillGone,
    Stored,
    Verdict,
)
from watcher.pipeline.evidence import keep_evidence
from watcher.pipeline.outcome import (
    UNSTABLE_WINDOW,
    CheckOutcome,
    TargetState,
    is_unstable,
)
from watcher.pipeline.page import Page
from watcher.pipeline.report import CheckReport
from watcher.scheduling.backoff import after_check
from watcher.stored import finding_spec, mask_spec, stored_mask

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Slot:
    """A check that advances its target's schedule: `due` is the scheduled time it ran for
    (recorded once per target), None for a check asked for by hand."""

    due: datetime | None = None


def advance_schedule(repo: Repository, target: Target, spec: CheckSpec) -> None:
    """Move the target's next due time on from this check, in the check's transaction: missed
    runs coalesce into one, failures back off, a success resets the backoff."""
    current = repo.schedule_of(target.id)
    failures_before = current.failures if current is not None else 0
    following = after_check(target.interval, spec.finished_at, spec.failure_kind, failures_before)
    repo.set_schedule(
        target.id,
        next_due_at=following.due,
        failures=following.failures,
        last_failure_kind=spec.failure_kind,
        now=spec.finished_at,
    )


@dataclass(frozen=True)
class NewVersion:
    """A version of a page to store: its canonical text and how it was fetched.

    `load` is the load its evidence comes from: the load asked for a screenshot (the one that
    confirmed a change, or one more load of a first version), else the version's own page, or
    the failure that recorded the page gone.
    """

    canonical_text: str
    raw_html: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    load: FetchResult | FetchFailure | None = None

    @classmethod
    def of(cls, page: Page, evidence: Page | None = None) -> NewVersion:
        result = page.result
        load = (evidence or page).result
        return cls(page.canonical, result.html or None, result.final_url, result.status, load)


# Keeps a new version's evidence, in the transaction that stored it.
EvidenceKeeper = Callable[[Repository, SnapshotRecord, NewVersion], None]


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
    keep_evidence: EvidenceKeeper | None = None,
) -> tuple[SnapshotRecord, ChangeRecord]:
    """Store the version following `after`, the change to it, its findings and its outbox rows.

    Raises `storage.VersionConflictError` (nothing written) when `after` is no longer the latest.
    """
    snapshot = append_version(repo, target_id, after, version, detected_at)
    if keep_evidence is not None:
        keep_evidence(repo, snapshot, version)
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
        self,
        database: Database,
        subscriptions: Sequence[Subscription],
        clock: Clock,
        blobs: BlobStore | None = None,
    ) -> None:
        self.database = database
        self.subscriptions = tuple(subscriptions)
        self.clock = clock
        # Where new versions' evidence files go; None keeps no evidence.
        self.blobs = blobs

    def latest(self, target_id: str) -> Stored | None:
        """The target's latest version, read through its volatile spans."""
        with self.database.reader() as repo:
            snapshot = repo.latest_snapshot(target_id)
            spans = repo.volatile_spans(target_id, masked_only=True)
        if snapshot is None:
            return None
        masks = tuple(stored_mask(span) for span in spans)
        return Stored.of(snapshot.id, snapshot.canonical_text, masks)

    def not_found_since(self, target_id: str) -> tuple[int, datetime | None]:
        """How many checks in a row, up to now, found the page gone, and when the first began."""
        with self.database.reader() as repo:
            checks = repo.recent_checks(target_id, limit=GONE_LOOKBACK)
        streak = list(itertools.takewhile(_found_gone, checks))
        return len(streak), streak[-1].started_at if streak else None

    def record(
        self,
        target: Target,
        verdict: Verdict,
        stored: Stored | None,
        started_at: datetime,
        slot: Slot | None = None,
    ) -> CheckReport:
        """Store the verdict; raises `storage.VersionConflictError` if `stored` is no longer the
        latest version and the verdict would add one, `storage.SlotTakenError` if the slot's
        check is already recorded."""
        if isinstance(verdict, Failed):
            return self._failure(target, verdict, started_at, slot)
        loaded = _loaded(verdict)
        now = self.clock()
        change: ChangeRecord | None = None
        summary: str | None = None
        findings: tuple[Finding, ...] = ()
        learned: tuple[Mask, ...] = ()
        with self.database.transaction() as repo:
            keep = self._evidence_keeper(target, now)
            if isinstance(verdict, FirstVersion):
                version = NewVersion.of(verdict.page, verdict.evidence)
                snapshot = append_version(repo, target.id, None, version, now)
                snapshot_id = snapshot.id
                if keep is not None:
                    keep(repo, snapshot, version)
            elif isinstance(verdict, Changed | Gone):
                version, comparison = _new_version(verdict)
                learned = verdict.learned if isinstance(verdict, Changed) else ()
                if stored is None or comparison is None or comparison.change is None:
                    after = stored.id if stored is not None else None
                    snapshot = append_version(repo, target.id, after, version, now)
                    snapshot_id = snapshot.id
                    if keep is not None:
                        keep(repo, snapshot, version)
                else:
                    snapshot, change = store_change(
                        repo,
                        target_id=target.id,
                        source_id=target.source_id,
                        region_id=target.region_id,
                        after=stored.id,
                        version=version,
                        change=comparison.change,
                        findings=comparison.findings,
                        subscriptions=self.subscriptions,
                        detected_at=now,
                        keep_evidence=keep,
                    )
                    snapshot_id, summary, findings = (
                        snapshot.id,
                        change.summary,
                        comparison.findings,
                    )
            else:  # unchanged, still gone, or a flap: nothing new to store
                assert stored is not None
                snapshot_id = stored.id
                if isinstance(verdict, Flapped):
                    summary, learned = verdict.detail, verdict.learned
            if learned:
                repo.learn_volatile_spans(target.id, [mask_spec(m) for m in learned], now)
            outcome = _outcome(verdict, stored, change)
            check = _record_check(
                repo,
                target,
                slot,
                CheckSpec(
                    target_id=target.id,
                    started_at=started_at,
                    finished_at=self.clock(),
                    outcome=outcome.value,
                    failure_detail=summary if isinstance(verdict, Flapped) and summary else "",
                    http_status=loaded.status,
                    final_url=loaded.final_url,
                    timings=loaded.timings,
                    snapshot_id=snapshot_id,
                    change_id=change.id if change is not None else None,
                    notes=loaded.notes,
                ),
            )
            recent = repo.recent_checks(target.id, limit=UNSTABLE_WINDOW)
            unstable = is_unstable(check.outcome for check in recent)
        volatile = verdict.volatile if isinstance(verdict, Flapped) else ()
        return CheckReport.of(
            target,
            outcome,
            check_id=check.id,
            snapshot_id=snapshot_id,
            change_id=change.id if change is not None else None,
            summary=summary,
            findings=findings,
            timings=loaded.timings,
            notes=loaded.notes,
            state=TargetState.UNSTABLE if unstable else None,
            volatile=volatile or tuple(m.pattern for m in learned[:QUOTED_SPANS]),
        )

    def _evidence_keeper(self, target: Target, now: datetime) -> EvidenceKeeper | None:
        blobs = self.blobs
        if blobs is None:
            return None

        def keep(repo: Repository, snapshot: SnapshotRecord, version: NewVersion) -> None:
            spec = keep_evidence(blobs, target, version.load, version.canonical_text, now)
            repo.record_evidence(snapshot.id, spec, now)

        return keep

    def _failure(
        self, target: Target, verdict: Failed, started_at: datetime, slot: Slot | None
    ) -> CheckReport:
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
            slot,
        )

    def problem(
        self,
        target: Target,
        kind: str,
        detail: str,
        started_at: datetime,
        slot: Slot | None = None,
    ) -> CheckReport:
        """A check that met trouble of the service's own (a bug, a dead worker), recorded."""
        spec = CheckSpec(
            target_id=target.id,
            started_at=started_at,
            finished_at=self.clock(),
            outcome=CheckOutcome.FAILED.value,
            failure_kind=kind,
            failure_detail=detail,
        )
        return self._failed(spec, target, slot)

    def _failed(self, spec: CheckSpec, target: Target, slot: Slot | None) -> CheckReport:
        with self.database.transaction() as repo:
            check = _record_check(repo, target, slot, spec)
        return CheckReport.of(
            target,
            CheckOutcome.FAILED,
            check_id=check.id,
            failure_kind=spec.failure_kind,
            failure_detail=spec.failure_detail,
            timings=spec.timings,
        )


def _record_check(
    repo: Repository, target: Target, slot: Slot | None, spec: CheckSpec
) -> CheckRecord:
    if slot is None:
        return repo.record_check(spec)
    check = repo.record_check(replace(spec, slot=slot.due))
    advance_schedule(repo, target, spec)
    return check


# How far back a streak of "page not found" checks is looked for.
GONE_LOOKBACK = 50


@dataclass(frozen=True)
class _Loaded:
    """What a check's record says of its load."""

    status: int | None
    final_url: str | None
    timings: dict[str, float]
    notes: tuple[str, ...] = ()


def _loaded(verdict: Verdict) -> _Loaded:
    if isinstance(verdict, Failed | Gone | StillGone):
        failure = verdict.failure
        return _Loaded(failure.status, failure.final_url, failure.timings.as_dict())
    page = verdict.first if isinstance(verdict, Flapped) else verdict.page
    result = page.result
    return _Loaded(result.status, result.final_url, result.timings.as_dict(), page.notes)


def _new_version(verdict: Changed | Gone) -> tuple[NewVersion, Comparison | None]:
    if isinstance(verdict, Gone):
        failure = verdict.failure
        version = NewVersion(
            ABSENT, final_url=failure.final_url, http_status=failure.status, load=failure
        )
        return version, verdict.removal
    version = NewVersion.of(verdict.page, verdict.evidence)
    if verdict.quiet:
        return version, None
    return version, Comparison(verdict.change, verdict.findings)


def _outcome(verdict: Verdict, stored: Stored | None, change: ChangeRecord | None) -> CheckOutcome:
    if isinstance(verdict, FirstVersion) or (isinstance(verdict, Gone) and stored is None):
        return CheckOutcome.FIRST
    if change is not None:
        return CheckOutcome.CHANGED
    if isinstance(verdict, Changed | Gone):
        return CheckOutcome.UPDATED
    if isinstance(verdict, Flapped):
        return CheckOutcome.FLAP
    return CheckOutcome.UNCHANGED


def _found_gone(check: CheckRecord) -> bool:
    return check.failure_kind == FailureKind.NOT_FOUND.value


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
