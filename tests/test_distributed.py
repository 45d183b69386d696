"""Distributed mode with real parts: Redis at 127.0.0.1:6379, `watcher worker` processes
(Celery, Chromium), PostgreSQL and the simulated Meta site.

Two workers do more checks per minute than one; no target is checked twice for a slot; a
SIGKILLed worker's task goes back to its queue and is checked and stored once; a worker served
another region's text refuses that region and says so.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from distributed_harness import WorkerProcess, check_lines, kill_leftovers, redis_broker
from sqlalchemy import text

from storage import Database
from watcher.config import Target, parse_config
from watcher.demo import demo_config_yaml
from watcher.distributed.app import make_app
from watcher.distributed.enqueue import celery_sender, enqueue_due
from watcher.distributed.status import health_report, metrics_text
from watcher.simsite import SimulatedMetaSite
from watcher.stored import register_targets

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

# A page that renders 0.4 s after load: a check mostly waits, as on the real site.
RENDER_DELAY_MS = 400


@pytest.fixture(autouse=True)
def no_worker_left() -> Iterator[None]:
    yield
    kill_leftovers()


@pytest.fixture
def slow_site() -> Iterator[SimulatedMetaSite]:
    with SimulatedMetaSite(render_delay_ms=RENDER_DELAY_MS) as running:
        yield running


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    with redis_broker() as found:
        # This test's queues, apart from any other use of the broker.
        monkeypatch.setenv("WATCHER_QUEUE_PREFIX", found[1])
        yield found


def _setup(
    site: SimulatedMetaSite,
    tmp_path: Path,
    postgres_url: str,
    copies: int,
    pages: tuple[str, ...] = ("genai",),
) -> tuple[Path, list[Target], Database]:
    config_text = demo_config_yaml(
        site.base_url,
        site.egress_proxies(),
        pages=pages,
        copies=copies,
        regions=["fr", "de"],
        interval="1h",
        timeout="20s",
    )
    config = tmp_path / "sources.yaml"
    config.write_text(config_text)
    targets = parse_config(config_text).targets()
    database = Database(postgres_url)
    database.upgrade()
    register_targets(database, targets, datetime.now(UTC), complete=True)
    return config, targets, database


def _queue(database: Database, targets: list[Target], broker: str, prefix: str) -> int:
    """Make every target due now and queue it, as `watcher run --distributed` does."""
    now = datetime.now(UTC)
    with database.transaction() as repo:
        repo.ensure_scheduled({t.id: now for t in targets}, now)
    app = make_app(broker, visibility=4)
    queued = enqueue_due(
        database, targets, celery_sender(app), now, requeue_after=timedelta(hours=1)
    )
    app.close()
    return queued


def _per_minute(database: Database, target_ids: list[str]) -> float:
    with database.reader() as repo:
        finished = sorted(c.finished_at for t in target_ids for c in repo.recent_checks(t))
    assert len(finished) == len(target_ids)
    span = (finished[-1] - finished[0]).total_seconds()
    return (len(finished) - 1) / span * 60


def _duplicates(database: Database) -> list[tuple[str, object, int]]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT target_id, slot, count(*) FROM checks GROUP BY target_id, slot "
                "HAVING count(*) > 1"
            )
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_two_workers_do_more_checks_per_minute_than_one_and_no_slot_twice(
    slow_site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    postgres_url: str,
    broker: tuple[str, str],
) -> None:
    broker_url, prefix = broker
    config, targets, database = _setup(slow_site, tmp_path, postgres_url, copies=16)
    first_half, second_half = targets[:16], targets[16:]
    try:
        # One worker, one check at a time.
        one = WorkerProcess(config, postgres_url, broker_url, prefix, "fr,de", "--concurrency", "1")
        one.wait_started()
        assert _queue(database, first_half, broker_url, prefix) == 16
        check_lines(one, 16)
        assert one.stop() == 0  # SIGTERM: a clean stop
        alone = _per_minute(database, [t.id for t in first_half])

        # Two such workers on the other half, their lines in one queue.
        shared: queue.Queue[str] = queue.Queue()
        pair = [
            WorkerProcess(
                config,
                postgres_url,
                broker_url,
                prefix,
                "fr,de",
                "--concurrency",
                "1",
                lines=shared,
            )
            for _ in range(2)
        ]
        for worker in pair:
            worker.wait_started()
        assert _queue(database, second_half, broker_url, prefix) == 16
        lines = check_lines(pair[0], 16)  # reads the shared queue: both workers' checks
        for worker in pair:
            assert worker.stop() == 0
        together = _per_minute(database, [t.id for t in second_half])
        checks_by_worker = [sum("check target=" in line for line in w.printed) for w in pair]
    finally:
        database.dispose()
    print(f"checks per minute: one worker {alone:.1f}, two workers {together:.1f}")
    assert len(lines) == 16 and all(count > 0 for count in checks_by_worker), checks_by_worker
    assert together > alone * 1.3
    assert _duplicates(Database(postgres_url)) == []
    with Database(postgres_url).reader() as repo:
        assert all(len(repo.recent_checks(t.id)) == 1 for t in targets)


def test_a_sigkilled_workers_task_is_redelivered_and_stored_once(
    slow_site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    postgres_url: str,
    broker: tuple[str, str],
) -> None:
    broker_url, prefix = broker
    config, targets, database = _setup(slow_site, tmp_path, postgres_url, copies=1)
    fr = next(t for t in targets if t.region_id == "fr")
    try:
        doomed = WorkerProcess(config, postgres_url, broker_url, prefix, "fr")
        doomed.wait_started()
        slow_site.set_mode("genai", "hang", region="fr")  # the check never ends by itself
        requests_before = slow_site.request_count("genai", "fr")
        assert _queue(database, [fr], broker_url, prefix) == 1
        with database.reader() as repo:
            slot = repo.schedule_of(fr.id).queued_slot  # type: ignore[union-attr]
        # The worker has the task once the site sees its request.
        wait_until(lambda: slow_site.request_count("genai", "fr") > requests_before)
        with database.reader() as repo:
            lease = repo.get_lease(fr.id)
        assert lease is not None and lease.holder.split(":")[1].isdigit()
        doomed.kill()
        slow_site.set_mode("genai", "normal", region="fr")

        rescuer = WorkerProcess(config, postgres_url, broker_url, prefix, "fr")
        rescuer.wait_started()
        (line,) = check_lines(rescuer, 1)
        assert f"target={fr.id} outcome=first" in line
        assert rescuer.stop() == 0
        with database.reader() as repo:
            checks = repo.recent_checks(fr.id)
            assert len(checks) == 1
            assert repo.slot_checked(fr.id, slot)  # type: ignore[arg-type]
            assert repo.count_snapshots(fr.id) == 1
            assert repo.get_lease(fr.id) is None
        assert _duplicates(database) == []
    finally:
        database.dispose()


def test_a_worker_served_another_regions_text_refuses_that_region(
    slow_site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    postgres_url: str,
    broker: tuple[str, str],
) -> None:
    broker_url, prefix = broker
    # The privacy policy names its data controller: the page that tells the variant served.
    config, targets, database = _setup(
        slow_site, tmp_path, postgres_url, copies=1, pages=("privacy_policy",)
    )
    slow_site.set_mode(None, "wrong_region", region="fr")  # the fr egress now gets the us text
    try:
        worker = WorkerProcess(config, postgres_url, broker_url, prefix, "fr,de")
        refused = worker.wait_for(lambda line: "region fr refused" in line)
        assert "expected eu" in refused
        started = worker.wait_started()
        assert "taking de;" in started
        assert _queue(database, targets, broker_url, prefix) == 2
        (line,) = check_lines(worker, 1)
        assert "target=privacy-policy@de outcome=first" in line
        now = datetime.now(UTC)
        report = health_report(database, now)
        (status,) = report["workers"]
        assert "expected eu" in status["refused"]["fr"]
        assert report["ok"] is False
        assert 'region="fr"} 1' in metrics_text(database, now)
        assert worker.stop() == 0
        with database.reader() as repo:
            # Left in its queue for a worker in France.
            assert repo.recent_checks("privacy-policy@fr") == []
    finally:
        database.dispose()


def wait_until(condition: object, timeout: float = 60) -> None:
    """Wait for `condition()` to hold, looking again whenever 50 ms pass (the site gives no
    event to wait on); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition never held")
        pause.wait(0.05)
