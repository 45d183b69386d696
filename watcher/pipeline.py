"""The one place that composes a check: fetch → health → normalize → diff → classify → store.

Fetches run concurrently (bounded by the fetcher); everything after the fetch is pure except the
final storage transaction, which runs in the event loop's thread, one target at a time, so
SQLite never sees two writers from one process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from storage import CheckSpec, Database, FindingSpec, Repository, SnapshotRecord, TargetSpec
from watcher.alerts.matching import deliveries_for_change
from watcher.alerts.subscriptions import Subscription
from watcher.classify import Finding, classify
from watcher.config import Target
from watcher.diff import Change, diff_documents
from watcher.fetch.base import FailureKind, Fetcher, FetchFailure, FetchResult
from watcher.health import ContentLimits, assess_content, assess_page
from watcher.normalize import Document, SelectorMatchedNothing, normalize_html, parse_canonical
from watcher.optout import find_opt_out_links, opt_out_document, opt_out_findings
from watcher.optout.flow import follow_links, opt_out_target

log = logging.getLogger("watcher.check")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CheckReport:
    """What one check of one target came to; printed by the CLI and logged."""

    target_id: str
    source_id: str
    region_id: str
    outcome: str  # first | unchanged | changed | failed | flap
    failure_kind: str | None = None
    failure_detail: str | None = None
    change_id: int | None = None
    snapshot_id: int | None = None
    check_id: int | None = None
    summary: str | None = None
    findings: tuple[Finding, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    # Checks made on the way, e.g. of the objection forms the page links to.
    related: tuple[CheckReport, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "target": self.target_id,
            "source": self.source_id,
            "region": self.region_id,
            "outcome": self.outcome,
            "failure_kind": self.failure_kind,
            "failure_detail": self.failure_detail,
            "change_id": self.change_id,
            "snapshot_id": self.snapshot_id,
            "summary": self.summary,
            "findings": [f.to_json() for f in self.findings],
            "timings": self.timings,
        }


PageFetch = Callable[[Target, int | None], Awaitable["_Page | FetchFailure"]]
FindingsOf = Callable[[Change, Document, Document, str], list[Finding]]


def _classified(change: Change, _: Document, __: Document, region: str) -> list[Finding]:
    return classify(change, region=region)


def _opt_out_findings(_: Change, before: Document, after: Document, region: str) -> list[Finding]:
    return opt_out_findings(before, after, region=region)


@dataclass(frozen=True)
class _Page:
    """A fetched page that passed the health checks, with its canonical document."""

    result: FetchResult
    document: Document
    canonical: str


class Checker:
    """Runs checks of targets against one fetcher and one database."""

    def __init__(
        self,
        fetcher: Fetcher,
        database: Database,
        *,
        clock: Clock = utc_now,
        limits: ContentLimits | None = None,
        subscriptions: Sequence[Subscription] = (),
        follow_opt_out: bool = True,
    ) -> None:
        self.fetcher = fetcher
        self.database = database
        self.clock = clock
        self.limits = limits or ContentLimits()
        # Told of each stored change through the outbox, written in the change's transaction.
        self.subscriptions = tuple(subscriptions)
        # Follow objection links and keep the state of their forms as a derived target.
        self.follow_opt_out = follow_opt_out

    def register(self, targets: Sequence[Target], *, complete: bool = False) -> None:
        """Record the targets; with `complete`, targets not among them are deactivated."""
        now = self.clock()
        with self.database.transaction() as repo:
            repo.upsert_targets([_target_spec(t) for t in targets], now)
            if complete:
                repo.deactivate_targets_except([t.id for t in targets], now)

    async def check_many(
        self,
        targets: Sequence[Target],
        on_report: Callable[[CheckReport], None] | None = None,
    ) -> list[CheckReport]:
        """Check every target once; reports come back in the order the checks finish."""
        self.register(targets)
        reports: list[CheckReport] = []
        tasks = [asyncio.create_task(self.check(t)) for t in targets]
        for next_done in asyncio.as_completed(tasks):
            report = await next_done
            for each in (report, *report.related):
                reports.append(each)
                if on_report is not None:
                    on_report(each)
        return reports

    async def check(self, target: Target) -> CheckReport:
        report, page = await self._check(target, self._fetch_page, _classified)
        if page is None or not self.follow_opt_out:
            return report
        links = find_opt_out_links(page.document)
        if not links:
            return report
        derived = opt_out_target(target, links)
        self.register([derived])

        async def forms(_: Target, __: int | None) -> _Page | FetchFailure:
            followed = await follow_links(self.fetcher, target, links)
            if isinstance(followed, FetchFailure):
                return followed
            states, first = followed
            document = opt_out_document(states)
            return _Page(first, document, document.canonical_text())

        related, _ = await self._check(derived, forms, _opt_out_findings)
        return replace(report, related=(related,))

    async def _check(
        self, target: Target, fetch_page: PageFetch, findings_of: FindingsOf
    ) -> tuple[CheckReport, _Page | None]:
        """Fetch, compare with the latest snapshot, confirm, store; the page when it was sound."""
        started_at = self.clock()
        with self.database.reader() as repo:
            previous = repo.latest_snapshot(target.id)
        # Parsed once: its length guards against partial renders, the document is diffed.
        before = parse_canonical(previous.canonical_text) if previous is not None else None
        previous_length = before.text_length if before is not None else None
        page = await fetch_page(target, previous_length)
        if isinstance(page, FetchFailure):
            return self._record_failure(target, page, started_at), None
        if previous is None or before is None:
            return self._record_snapshot(target, page, started_at, outcome="first"), page
        if page.canonical == previous.canonical_text:
            return self._record_unchanged(target, page, previous, started_at), page
        if target.confirm:
            again = await fetch_page(target, previous_length)
            if isinstance(again, FetchFailure):
                prefix = "confirmation re-fetch failed: "
                return self._record_failure(target, again, started_at, prefix), None
            if again.canonical != page.canonical:
                return self._record_flap(target, page, again, previous, started_at), None
        recorded = self._record_change(
            target, page, previous, started_at, before=before, findings_of=findings_of
        )
        return recorded, page

    async def _fetch_page(
        self, target: Target, previous_length: int | None
    ) -> _Page | FetchFailure:
        outcome = await self.fetcher.fetch(target.to_fetch_request())
        if isinstance(outcome, FetchFailure):
            return outcome
        unhealthy = assess_page(outcome, expected_variant=target.region.legal_variant)
        if unhealthy is not None:
            return unhealthy
        try:
            document = normalize_html(
                outcome.html, base_url=outcome.final_url, select=target.select, remove=target.remove
            )
        except SelectorMatchedNothing as error:
            return FetchFailure(
                target_id=target.id,
                kind=FailureKind.SELECT_EMPTY,
                detail=str(error),
                url=outcome.url,
                final_url=outcome.final_url,
                status=outcome.status,
                timings=outcome.timings,
            )
        thin = assess_content(
            outcome,
            text_length=document.text_length,
            previous_length=previous_length,
            limits=self.limits,
        )
        if thin is not None:
            return thin
        return _Page(outcome, document, document.canonical_text())

    def _check_spec(
        self, target: Target, page: _Page, started_at: datetime, outcome: str, snapshot_id: int
    ) -> CheckSpec:
        return CheckSpec(
            target_id=target.id,
            started_at=started_at,
            finished_at=self.clock(),
            outcome=outcome,
            http_status=page.result.status,
            final_url=page.result.final_url,
            timings=page.result.timings.as_dict(),
            snapshot_id=snapshot_id,
        )

    def _record_failure(
        self, target: Target, failure: FetchFailure, started_at: datetime, prefix: str = ""
    ) -> CheckReport:
        detail = prefix + failure.detail
        with self.database.transaction() as repo:
            check = repo.record_check(
                CheckSpec(
                    target_id=target.id,
                    started_at=started_at,
                    finished_at=self.clock(),
                    outcome="failed",
                    failure_kind=failure.kind.value,
                    failure_detail=detail,
                    http_status=failure.status,
                    final_url=failure.final_url,
                    timings=failure.timings.as_dict(),
                )
            )
        report = _report(
            target,
            "failed",
            check_id=check.id,
            failure_kind=failure.kind.value,
            failure_detail=detail,
            timings=failure.timings.as_dict(),
        )
        _log(report)
        return report

    def _record_snapshot(
        self, target: Target, page: _Page, started_at: datetime, outcome: str
    ) -> CheckReport:
        with self.database.transaction() as repo:
            snapshot = _save(repo, target, page, self.clock())
            check = repo.record_check(
                self._check_spec(target, page, started_at, outcome, snapshot.id)
            )
        report = _report(
            target,
            outcome,
            check_id=check.id,
            snapshot_id=snapshot.id,
            timings=page.result.timings.as_dict(),
        )
        _log(report)
        return report

    def _record_unchanged(
        self, target: Target, page: _Page, previous: SnapshotRecord, started_at: datetime
    ) -> CheckReport:
        with self.database.transaction() as repo:
            check = repo.record_check(
                self._check_spec(target, page, started_at, "unchanged", previous.id)
            )
        report = _report(
            target,
            "unchanged",
            check_id=check.id,
            snapshot_id=previous.id,
            timings=page.result.timings.as_dict(),
        )
        _log(report)
        return report

    def _record_flap(
        self,
        target: Target,
        first: _Page,
        second: _Page,
        previous: SnapshotRecord,
        started_at: datetime,
    ) -> CheckReport:
        back = "back to the stored version" if second.canonical == previous.canonical_text else ""
        detail = f"a difference did not survive the confirmation re-fetch {back}".strip()
        with self.database.transaction() as repo:
            spec = self._check_spec(target, first, started_at, "flap", previous.id)
            check = repo.record_check(replace(spec, failure_detail=detail))
        report = _report(target, "flap", check_id=check.id, snapshot_id=previous.id, summary=detail)
        _log(report)
        return report

    def _record_change(
        self,
        target: Target,
        page: _Page,
        previous: SnapshotRecord,
        started_at: datetime,
        *,
        before: Document,
        findings_of: FindingsOf,
    ) -> CheckReport:
        change = diff_documents(before, page.document)
        findings = tuple(findings_of(change, before, page.document, target.region_id))
        summary = change.summary()
        now = self.clock()
        with self.database.transaction() as repo:
            snapshot = _save(repo, target, page, now)
            stored = repo.record_change(
                target_id=target.id,
                from_snapshot_id=previous.id,
                to_snapshot_id=snapshot.id,
                detected_at=now,
                summary=summary,
                diff=change.to_json(),
                findings=[_finding_spec(f) for f in findings],
            )
            outbox = deliveries_for_change(
                self.subscriptions,
                source_id=target.source_id,
                region_id=target.region_id,
                findings=findings,
                detected_at=now,
            )
            repo.enqueue_deliveries(stored.id, outbox, now)
            spec = self._check_spec(target, page, started_at, "changed", snapshot.id)
            check = repo.record_check(replace(spec, change_id=stored.id))
        report = _report(
            target,
            "changed",
            check_id=check.id,
            snapshot_id=snapshot.id,
            change_id=stored.id,
            summary=summary,
            findings=findings,
            timings=page.result.timings.as_dict(),
        )
        _log(report)
        return report


def _target_spec(target: Target) -> TargetSpec:
    return TargetSpec(
        id=target.id,
        source_id=target.source_id,
        region_id=target.region_id,
        url=target.url,
        title=target.title,
    )


def _save(repo: Repository, target: Target, page: _Page, now: datetime) -> SnapshotRecord:
    return repo.save_snapshot(
        target_id=target.id,
        canonical_text=page.canonical,
        raw_html=page.result.html,
        taken_at=now,
        final_url=page.result.final_url,
        http_status=page.result.status,
    )


def _finding_spec(finding: Finding) -> FindingSpec:
    return FindingSpec(
        kind=finding.kind,
        severity=finding.severity,
        region=finding.region,
        path=finding.path,
        evidence_before=finding.evidence_before,
        evidence_after=finding.evidence_after,
        data=finding.to_json(),
    )


def _report(
    target: Target,
    outcome: str,
    *,
    check_id: int,
    snapshot_id: int | None = None,
    change_id: int | None = None,
    failure_kind: str | None = None,
    failure_detail: str | None = None,
    summary: str | None = None,
    findings: tuple[Finding, ...] = (),
    timings: dict[str, float] | None = None,
) -> CheckReport:
    return CheckReport(
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
    )


def _log(report: CheckReport) -> None:
    """One logfmt line per check: target, outcome, failure kind, change and time."""
    log.info(
        "check target=%s outcome=%s failure_kind=%s change_id=%s total_ms=%.0f",
        report.target_id,
        report.outcome,
        report.failure_kind or "-",
        report.change_id if report.change_id is not None else "-",
        report.timings.get("total_ms", 0.0),
    )
