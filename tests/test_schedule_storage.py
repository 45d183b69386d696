"""The schedule in the database, with a controllable clock: advanced by each recorded check,
missed runs coalesced, failures backed off, a slot checked once, queued once; and what
/healthz and /metrics read of it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from storage import Database
from watcher.config import Target, parse_config
from watcher.distributed.enqueue import enqueue_due
from watcher.distributed.status import health_report, metrics_text
from watcher.fetch.base import FailureKind, FetchFailure, FetchRequest
from watcher.fetch.static import StaticFetcher
from watcher.pipeline import Analysis, Checker, CheckOutcome, CheckReport
from watcher.schedule import Schedule, register_schedule

NOW = datetime(2026, 5, 27, 9, 0, tzinfo=UTC)
INTERVAL = timedelta(hours=6)
CONFIG = """\
regions:
  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: "fr-FR,fr;q=0.9"}
  de: {locale: de-DE, timezone: Europe/Berlin, accept_language: "de-DE,de;q=0.9"}
defaults: {interval: 6h, confirm: false}
sources:
  - id: fb-genai
    title: Generative AI
    url: "https://www.facebook.com/privacy/genai/?locale={locale_underscore}"
    regions: [fr, de]
"""
FILLER = "<p>" + "Meta explains here how it uses information for its AI features. " * 6 + "</p>"
PAGE = f"<html><body><main><h1>Generative AI</h1>{FILLER}</main></body></html>"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


def _checker(database: Database, fetcher: StaticFetcher, clock: Clock) -> Checker:
    return Checker(
        fetcher,  # type: ignore[arg-type]
        database,
        analysis=Analysis.in_threads(),
        clock=clock,
        follow_opt_out=False,
    )


def _rate_limited(request: FetchRequest) -> FetchFailure:
    return FetchFailure(
        target_id=request.target_id,
        kind=FailureKind.RATE_LIMITED,
        detail="HTTP 429",
        url=request.url,
        status=429,
    )


def test_a_check_for_a_slot_moves_the_schedule_on_and_runs_once(database: Database) -> None:
    fr, _ = parse_config(CONFIG).targets()
    clock = Clock()
    fetcher = StaticFetcher({fr.id: PAGE})
    with _checker(database, fetcher, clock) as checker:
        checker.register([fr])
        register_schedule(database, [fr], NOW, timedelta(0))
        with database.reader() as repo:
            slot = repo.schedules()[fr.id].next_due_at
        assert slot == NOW
        clock.now = NOW + timedelta(seconds=5)
        first = asyncio.run(checker.check(fr, due=slot))
        again = asyncio.run(checker.check(fr, due=slot))  # the same task delivered twice
    assert first.outcome is CheckOutcome.FIRST
    assert again.outcome is CheckOutcome.SKIPPED and "already recorded" in (
        again.failure_detail or ""
    )
    assert len(fetcher.requests) == 1
    with database.reader() as repo:
        assert len(repo.recent_checks(fr.id)) == 1
        assert repo.slot_checked(fr.id, slot)
        schedule = repo.schedule_of(fr.id)
    assert schedule is not None
    assert schedule.next_due_at == clock.now + INTERVAL
    assert schedule.failures == 0


def test_missed_runs_coalesce_into_one_check(database: Database) -> None:
    fr, _ = parse_config(CONFIG).targets()
    clock = Clock()
    fetcher = StaticFetcher({fr.id: PAGE})
    with _checker(database, fetcher, clock) as checker:
        checker.register([fr])
        register_schedule(database, [fr], NOW, timedelta(0))
        clock.now = NOW + 3 * INTERVAL + timedelta(minutes=7)  # down for three intervals
        with database.reader() as repo:
            due = repo.due_schedules(clock.now, requeue_before=clock.now)
        assert [row.target_id for row in due] == [fr.id]
        asyncio.run(checker.check(fr, due=due[0].next_due_at))
        with database.reader() as repo:
            assert repo.due_schedules(clock.now, requeue_before=clock.now) == []
            assert repo.schedule_of(fr.id).next_due_at == clock.now + INTERVAL  # type: ignore[union-attr]
            assert len(repo.recent_checks(fr.id)) == 1


def test_failures_back_off_longer_when_rate_limited_and_a_success_resets(
    database: Database,
) -> None:
    fr, _ = parse_config(CONFIG).targets()
    clock = Clock()
    fetcher = StaticFetcher({fr.id: _rate_limited})
    with _checker(database, fetcher, clock) as checker:
        checker.register([fr])
        asyncio.run(checker.check(fr))  # a `watcher check` by hand moves the schedule too
        with database.reader() as repo:
            first = repo.schedule_of(fr.id)
        assert first is not None and first.failures == 1
        assert first.last_failure_kind == "rate_limited"
        assert first.next_due_at == NOW + INTERVAL  # at least an hour, here the interval
        clock.now = first.next_due_at
        asyncio.run(checker.check(fr, due=first.next_due_at))
        with database.reader() as repo:
            second = repo.schedule_of(fr.id)
        assert second is not None and second.failures == 2
        assert second.next_due_at == clock.now + 2 * INTERVAL
        report = health_report(database, clock.now)
        assert report["backing_off"][0]["slowed_by_host"] is True
        assert 'watcher_targets_backing_off{cause="rate_limited_or_blocked"} 1' in metrics_text(
            database, clock.now
        )
        fetcher.pages[fr.id] = PAGE
        clock.now = second.next_due_at
        asyncio.run(checker.check(fr, due=second.next_due_at))
        with database.reader() as repo:
            third = repo.schedule_of(fr.id)
    assert third is not None and (third.failures, third.last_failure_kind) == (0, None)
    assert third.next_due_at == clock.now + INTERVAL
    assert health_report(database, clock.now)["backing_off"] == []


def test_a_due_slot_is_queued_once_to_its_regions_queue_and_again_only_when_lost(
    database: Database,
) -> None:
    targets = parse_config(CONFIG).targets()
    sent: list[tuple[str, list[str], str]] = []

    def send(name: str, args: list[str], queue: str) -> None:
        sent.append((name, args, queue))

    with _checker(database, StaticFetcher({}), Clock()) as checker:
        checker.register(targets)
    register_schedule(database, targets, NOW, timedelta(0))
    requeue = timedelta(hours=1)
    assert enqueue_due(database, targets, send, NOW, requeue_after=requeue) == 2
    assert {queue for _, _, queue in sent} == {"watcher.region.fr", "watcher.region.de"}
    assert {args[0] for _, args, _ in sent} == {t.id for t in targets}
    assert all(args[1] == NOW.isoformat() for _, args, _ in sent)
    # A second dispatcher, or the next round: nothing more to queue.
    assert (
        enqueue_due(database, targets, send, NOW + timedelta(minutes=5), requeue_after=requeue) == 0
    )
    # Never checked an hour later: its task was lost, queue it again.
    late = NOW + requeue + timedelta(seconds=1)
    assert enqueue_due(database, targets, send, late, requeue_after=requeue) == 2
    assert len(sent) == 4


def test_health_names_a_worker_refusing_a_region(database: Database) -> None:
    with database.transaction() as repo:
        repo.report_worker(
            "host:1:abcd",
            regions=["fr", "de"],
            refused={"fr": "fb-genai@fr served the us text, expected eu"},
            checks_done=3,
            now=NOW,
        )
        repo.report_worker(
            "host:2:gone", regions=["uk"], refused={}, checks_done=0, now=NOW - timedelta(hours=1)
        )
    report = health_report(database, NOW + timedelta(seconds=30))
    assert report["ok"] is False
    assert [w["worker"] for w in report["workers"]] == ["host:1:abcd"]  # the other is gone
    assert "expected eu" in report["refused_regions"]["host:1:abcd"]["fr"]
    metrics = metrics_text(database, NOW + timedelta(seconds=30))
    assert 'watcher_worker_region_refused{worker="host:1:abcd",region="fr"} 1' in metrics
    assert 'watcher_worker_up{worker="host:1:abcd",region="de"} 1' in metrics


def test_the_embedded_loop_checks_what_is_due_and_leaves_a_leased_target(
    database: Database,
) -> None:
    fr, de = parse_config(CONFIG).targets()
    clock = Clock()
    fetcher = StaticFetcher({fr.id: PAGE, de.id: PAGE})

    async def go() -> None:
        with _checker(database, fetcher, clock) as checker:
            checker.register([fr, de])
            with database.transaction() as repo:  # another host is checking `de`
                repo.acquire_lease(de.id, "elsewhere:1:ab", NOW, NOW + timedelta(minutes=5))
            schedule = Schedule(
                checker, [fr, de], database, startup_spread=timedelta(0), clock=clock
            )
            finished = asyncio.Event()
            checked: list[str] = []
            original = checker.check

            async def check(target: Target, *, due: datetime | None = None) -> CheckReport:
                report = await original(target, due=due)
                checked.append(f"{target.id}:{report.outcome.value}")
                if len(checked) == 2:
                    finished.set()
                return report

            checker.check = check  # type: ignore[method-assign]
            await schedule.start()
            await asyncio.wait_for(finished.wait(), 60)
            await schedule.stop()
            assert sorted(checked) == [f"{de.id}:skipped", f"{fr.id}:first"]

    asyncio.run(go())
    with database.reader() as repo:
        schedules = repo.schedules()
    assert schedules[fr.id].next_due_at == NOW + INTERVAL
    assert schedules[de.id].next_due_at == NOW  # still due: its check is someone else's
