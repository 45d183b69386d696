"""`Checker`: composes a check of a target from the shared steps.

    lease → latest version → load page (fetch, health, read) → [re-load to confirm] → decide
          → [compare: diff + classify] → record (one transaction) → objection forms → give back

The event loop only waits: the browser works in its own process, reading and comparing run in
the analysis workers, and every database call runs in one storage thread of this checker (so
a busy SQLite writer elsewhere never stalls the loop, and this process never competes with
itself for SQLite's write lock).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar

from storage import BlobStore, Database, SlotTakenError, StorageError, VersionConflictError
from watcher.alerts.subscriptions import Subscription
from watcher.alerts.workers import new_worker_id
from watcher.config import Target
from watcher.diff.volatile import Mask
from watcher.fetch.base import FailureKind, Fetcher, FetchFailure
from watcher.fetch.limits import PageLimits
from watcher.health import ContentLimits
from watcher.pipeline.analysis import Analysis
from watcher.pipeline.decide import (
    Changed,
    Different,
    Failed,
    FindingsOf,
    FirstVersion,
    Flapped,
    Gone,
    StillGone,
    Stored,
    Unchanged,
    Verdict,
    compare,
    decide,
    form_findings,
    needs_confirmation,
    page_findings,
    reconcile,
    removal,
)
from watcher.pipeline.forms import is_objection_page, load_forms, opt_out_target
from watcher.pipeline.lease import Leases
from watcher.pipeline.outcome import CheckOutcome, CheckProblem
from watcher.pipeline.page import Page, PageRules, load_page
from watcher.pipeline.record import Recorder, Slot
from watcher.pipeline.report import CheckReport
from watcher.stored import register_targets

log = logging.getLogger("watcher.check")

Clock = Callable[[], datetime]
# Loads the page of a check, given the stored version's length (to tell a partial render), the
# target's volatile spans (to read it through them) and whether to keep evidence of the load.
PageLoad = Callable[[int | None, tuple[Mask, ...], bool], Awaitable[Page | FetchFailure]]
R = TypeVar("R")

# Another writer storing a version between our read and our write is rare (leases keep
# checkers apart); each retry compares with the version that writer stored.
MAX_CONFLICTS = 3


def utc_now() -> datetime:
    return datetime.now(UTC)


class Checker:
    """Runs checks of targets against one fetcher and one database. Close it when done."""

    def __init__(
        self,
        fetcher: Fetcher,
        database: Database,
        *,
        analysis: Analysis | None = None,
        clock: Clock = utc_now,
        limits: ContentLimits | None = None,
        page_limits: PageLimits | None = None,
        subscriptions: Sequence[Subscription] = (),
        follow_opt_out: bool = True,
        holder: str | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.database = database
        self.clock = clock
        self.limits = limits or ContentLimits()
        # The fetcher's limits: the one on extracted text is checked when a page is read.
        self.page_limits = page_limits or PageLimits()
        # Follow objection links and keep the state of their forms as a derived target.
        self.follow_opt_out = follow_opt_out
        self._owns_analysis = analysis is None
        self.analysis = analysis or Analysis.in_processes()
        # With a blob store, every new version keeps its evidence (screenshot, rendered HTML,
        # text, fetch record) in a hash chain; loads that store nothing take no screenshot.
        self.recorder = Recorder(database, subscriptions, clock, blobs)
        self.leases = Leases(database, holder or new_worker_id(), clock)
        self._storage = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storage")

    def close(self) -> None:
        self._storage.shutdown(wait=True)
        if self._owns_analysis:
            self.analysis.close()

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def register(self, targets: Sequence[Target], *, complete: bool = False) -> None:
        """Record the targets; with `complete`, targets not among them are deactivated."""
        register_targets(self.database, targets, self.clock(), complete=complete)

    async def check_many(
        self,
        targets: Sequence[Target],
        on_report: Callable[[CheckReport], None] | None = None,
    ) -> list[CheckReport]:
        """Check every target once; reports come back in the order the checks finish.

        A database error stops the pass: the checks still running are cancelled (nothing of
        theirs is recorded) and the error is raised once.
        """
        await self._in_storage(self.register, targets)
        reports: list[CheckReport] = []
        # Checks start in this order: a region's targets one after another let its context's
        # kept pages serve them (see PlaywrightFetcher for how its slots are handed on).
        in_order = sorted(targets, key=lambda target: target.region_id)
        tasks = [asyncio.create_task(self.check(t)) for t in in_order]
        try:
            for next_done in asyncio.as_completed(tasks):
                report = await next_done
                for each in (report, *report.related):
                    reports.append(each)
                    if on_report is not None:
                        on_report(each)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return reports

    async def check(self, target: Target, *, due: datetime | None = None) -> CheckReport:
        """One check of `target`, advancing its schedule. `due`: the scheduled time it runs for,
        checked once (a second check for it is skipped). Raises `StorageError` when the database
        cannot be used."""
        held = await self._in_storage(self.leases.take, target)
        if held is not None:
            report = CheckReport.of(
                target,
                CheckOutcome.SKIPPED,
                failure_detail=f"being checked by {held.holder} (lease until "
                f"{held.expires_at:%H:%M:%S} UTC)",
            )
            report.log()
            return report
        try:
            if due is not None and await self._in_storage(self._slot_checked, target, due):
                return _slot_done(target, due)
            return await self._check_with_forms(target, Slot(due))
        finally:
            await self._give_back(target)

    def _slot_checked(self, target: Target, due: datetime) -> bool:
        with self.database.reader() as repo:
            return repo.slot_checked(target.id, due)

    async def _check_with_forms(self, target: Target, slot: Slot) -> CheckReport:
        try:
            report, page = await self._checked(
                target, self._page_loader(target), page_findings, quiet=False, slot=slot
            )
        except SlotTakenError:
            assert slot.due is not None
            return _slot_done(target, slot.due)
        if page is None or not self.follow_opt_out:
            return report
        links = page.links
        if not links:
            return report
        derived = opt_out_target(target, links)
        await self._in_storage(self.register, [derived])

        async def forms(_: int | None, masks: tuple[Mask, ...], __: bool) -> Page | FetchFailure:
            return await load_forms(self.fetcher, self.analysis, target, links, masks)

        # One event, one alert: a link that moved is told by the page's own change; the
        # forms' target stores their new state quietly unless a form's state changed.
        related, _ = await self._checked(derived, forms, form_findings, quiet=True)
        return replace(report, related=(related,))

    def _page_loader(self, target: Target) -> PageLoad:
        request = target.to_fetch_request()

        async def load(
            previous_length: int | None, masks: tuple[Mask, ...], evidence: bool
        ) -> Page | FetchFailure:
            rules = PageRules.for_target(
                target, self.limits, previous_length, self.page_limits, masks
            )
            asked = replace(request, evidence=True) if evidence else request
            return await load_page(self.fetcher, self.analysis, asked, rules)

        return load

    async def _checked(
        self,
        target: Target,
        load: PageLoad,
        findings_of: FindingsOf,
        *,
        quiet: bool,
        slot: Slot | None = None,
    ) -> tuple[CheckReport, Page | None]:
        """The check of one target with its report, and the page when it was sound.

        Trouble of the service's own (a bug, a dead analysis worker) is recorded as a failed
        check with a named problem and logged in one line, so one target cannot stop a pass.
        """
        started_at = self.clock()
        try:
            return await self._decided_and_recorded(
                target, load, findings_of, started_at, quiet=quiet, slot=slot
            )
        except (StorageError, asyncio.CancelledError):
            raise
        except Exception as error:  # AnalysisCrashError, or a bug: one target, not the pass
            detail = f"{type(error).__name__}: {error}"
            log.error("check target=%s failed on an internal error: %s", target.id, detail)
            log.debug("internal error in the check of %s", target.id, exc_info=True)
            report = await self._in_storage(
                self.recorder.problem,
                target,
                CheckProblem.INTERNAL.value,
                detail,
                started_at,
                slot,
            )
            report.log()
            return report, None

    async def _decided_and_recorded(
        self,
        target: Target,
        load: PageLoad,
        findings_of: FindingsOf,
        started_at: datetime,
        *,
        quiet: bool,
        slot: Slot | None,
    ) -> tuple[CheckReport, Page | None]:
        stored = await self._in_storage(self.recorder.latest, target.id)
        masks = stored.masks if stored is not None else ()
        length = stored.text_length if stored is not None and not stored.absent else None
        # Evidence (a screenshot) is asked only of a load that becomes a new version: the load
        # that confirms a change, or one more load of a sound page that becomes a first version
        # (or a change, where no confirmation is configured). An unchanged re-check and a
        # failed one take no screenshot.
        keeps = self.recorder.blobs is not None
        first = await load(length, masks, False)
        confirm = needs_confirmation(target.confirm, stored, first)
        again = await load(length, masks, keeps) if confirm else None
        evidence = again if isinstance(again, Page) else None
        new_without_confirmation = stored is None or (
            not confirm and needs_confirmation(True, stored, first)
        )
        if keeps and isinstance(first, Page) and new_without_confirmation:
            extra = await load(length, masks, True)
            evidence = extra if isinstance(extra, Page) else None
        for _ in range(MAX_CONFLICTS):
            verdict = await self._verdict(
                target,
                stored=stored,
                first=first,
                again=again,
                evidence=evidence,
                findings_of=findings_of,
                started_at=started_at,
                quiet=quiet,
            )
            try:
                report = await self._in_storage(
                    self.recorder.record, target, verdict, stored, started_at, slot
                )
            except VersionConflictError:
                # Another process stored a version first: compare with that one instead.
                stored = await self._in_storage(self.recorder.latest, target.id)
                continue
            report.log()
            return report, first if isinstance(first, Page) else None
        raise StorageError(
            self.database.display_url,
            f"{target.id}: other writers kept storing versions first ({MAX_CONFLICTS} times)",
        )

    async def _verdict(
        self,
        target: Target,
        *,
        stored: Stored | None,
        first: Page | FetchFailure,
        again: Page | FetchFailure | None,
        evidence: Page | None,
        findings_of: FindingsOf,
        started_at: datetime,
        quiet: bool,
    ) -> Verdict:
        decision = decide(stored, first, again)
        if isinstance(decision, Failed):
            if decision.failure.kind is FailureKind.NOT_FOUND and not decision.prefix:
                return await self._absence(target, stored, decision.failure, started_at)
            return decision
        if isinstance(decision, FirstVersion):
            return replace(decision, evidence=evidence)
        if isinstance(decision, Unchanged):
            return decision
        assert stored is not None
        region = target.region_id
        if isinstance(decision, Different):
            found = await self.analysis.run(
                compare, stored.masked, decision.page.masked, region, findings_of
            )
            page = decision.page
        else:
            loads = (decision.first.canonical, decision.second.canonical)
            found = await self.analysis.run(
                reconcile, stored.canonical, loads, stored.masks, region, findings_of
            )
            page = decision.first
            if found.change is None:
                back = decision.second.masked == stored.masked
                return Flapped(page, decision.second, back, found.learned, found.volatile)
        assert found.change is not None
        return Changed(
            page,
            found.change,
            found.findings,
            learned=found.learned,
            quiet=quiet and not found.findings,
            evidence=evidence,
        )

    async def _absence(
        self, target: Target, stored: Stored | None, failure: FetchFailure, started_at: datetime
    ) -> Verdict:
        """A page not found: a failed check until its absence is confirmed, then a version."""
        if stored is not None and stored.absent:
            return StillGone(failure)
        streak, since = await self._in_storage(self.recorder.not_found_since, target.id)
        if streak < 1 or since is None or started_at - since < target.removed_after:
            return Failed(failure)
        if stored is None:
            return Gone(failure, None)
        gone = await self.analysis.run(
            removal, stored.masked, target.region_id, is_objection_page(target)
        )
        return Gone(failure, gone)

    async def _give_back(self, target: Target) -> None:
        try:
            await self._in_storage(self.leases.give_back, target)
        except StorageError as error:
            # The lease runs out by itself; the error that matters is reported by the check.
            log.debug("could not give back the lease of %s: %s", target.id, error)

    async def _in_storage(self, function: Callable[..., R], *args: object) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._storage, function, *args)


def _slot_done(target: Target, due: datetime) -> CheckReport:
    report = CheckReport.of(
        target,
        CheckOutcome.SKIPPED,
        failure_detail=f"the check due at {due:%Y-%m-%d %H:%M:%S} UTC is already recorded",
    )
    report.log()
    return report
