"""Channels that are down, refuse, reject or never come back; leases; stopping mid-batch.

Backoff is exercised with a clock the test moves: no test waits for time to pass.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from alerts_testkit import (
    T0,
    WAIT_S,
    Endpoint,
    ManualClock,
    config_with,
    free_port,
    register_targets,
    store_change,
    subscriptions_of,
)

from storage import Database
from watcher.alerts import Dispatcher, DispatchSettings, RetryPolicy


class _Seen(logging.Handler):
    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.fragment in record.getMessage():
            self.event.set()


@contextmanager
def logged(logger: str, fragment: str) -> Iterator[threading.Event]:
    """An event set once a record containing `fragment` is logged on `logger`."""
    handler = _Seen(fragment)
    target = logging.getLogger(logger)
    level = target.level
    target.setLevel(logging.INFO)
    target.addHandler(handler)
    try:
        yield handler.event
    finally:
        target.removeHandler(handler)
        target.setLevel(level)


def dispatcher_for(
    database: Database,
    url: str,
    clock: ManualClock,
    settings: DispatchSettings | None = None,
) -> Dispatcher:
    config = config_with(f"subscriptions:\n  - id: ops\n    urls: '{url}'\n")
    register_targets(database, config)
    return Dispatcher(
        database,
        subscriptions_of(config),
        settings=settings or DispatchSettings(send_timeout_s=5),
        clock=clock,
        jitter=lambda: 0.0,
        worker_id="test-host:1:dispatcher",
    )


def test_an_endpoint_answering_500_gets_the_alert_after_it_recovers(
    database: Database, endpoint: Endpoint, clock: ManualClock
) -> None:
    dispatcher = dispatcher_for(database, f"json://127.0.0.1:{endpoint.port}/hook", clock)
    change_id = store_change(database, dispatcher.subscriptions)
    endpoint.status = 500

    waits = []
    for _ in range(3):
        assert dispatcher.run_once().retrying == 1
        assert dispatcher.run_once().retrying == 0  # not due again before its retry time
        with database.reader() as repo:
            (delivery,) = repo.pending_deliveries()
        waits.append(delivery.next_attempt_at - clock.now)
        clock.now = delivery.next_attempt_at
    assert waits == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]

    endpoint.status = 200
    assert dispatcher.run_once().delivered == 1

    requests = endpoint.wait_for(4)
    assert [r.change_ids()[-1] for r in requests] == [change_id] * 4
    with database.reader() as repo:
        (delivery,) = repo.list_deliveries()
        attempts = repo.delivery_attempts(delivery.id)
        (channel,) = repo.list_channels()
    assert (delivery.status, delivery.attempts) == ("delivered", 4)
    assert [(a.ok, a.permanent) for a in attempts] == [(False, False)] * 3 + [(True, False)]
    assert all("error=500" in a.error for a in attempts[:3])
    assert [a.attempted_at - T0 for a in attempts] == [
        timedelta(0),
        timedelta(seconds=30),
        timedelta(seconds=90),
        timedelta(seconds=210),
    ]
    assert not channel.failing and channel.last_error == ""


def test_refused_connections_are_retried_until_the_endpoint_listens(
    sqlite_database: Database, clock: ManualClock
) -> None:
    port = free_port()  # nothing listens here yet
    dispatcher = dispatcher_for(sqlite_database, f"json://127.0.0.1:{port}/hook", clock)
    store_change(sqlite_database, dispatcher.subscriptions)

    assert dispatcher.run_once().retrying == 1
    with sqlite_database.reader() as repo:
        (delivery,) = repo.pending_deliveries()
    assert "connect" in delivery.last_error.lower()

    late = Endpoint(port=port).start()
    try:
        clock.advance(timedelta(seconds=30))
        assert dispatcher.run_once().delivered == 1
        assert len(late.wait_for(1)) == 1
    finally:
        late.stop()


def test_a_rejected_token_fails_at_once_and_marks_the_channel_until_it_works_again(
    sqlite_database: Database, endpoint: Endpoint, clock: ManualClock
) -> None:
    url = f"json://watcher:S3cretPassw0rd@127.0.0.1:{endpoint.port}/hook"
    dispatcher = dispatcher_for(sqlite_database, url, clock)
    endpoint.status = 401
    for serial in range(2):
        store_change(sqlite_database, dispatcher.subscriptions, serial=serial)

    stats = dispatcher.run_once()

    assert (stats.failed, stats.retrying) == (2, 0)
    clock.advance(timedelta(days=1))
    assert dispatcher.run_once().failed == 0  # given up: never retried
    assert len(endpoint.requests) == 2  # one attempt each
    assert endpoint.requests[0].basic_auth() == "watcher:S3cretPassw0rd"
    with sqlite_database.reader() as repo:
        (failing,) = repo.list_channels(failing_only=True)
        failed = repo.list_deliveries(failed_only=True)
    assert failing.label == f"json://watcher:***@127.0.0.1:{endpoint.port}/hook"
    assert failing.failing_since == T0 and "401" in failing.last_error
    assert len(failed) == 2 and all(d.attempts == 1 for d in failed)
    assert "S3cretPassw0rd" not in failing.last_error + "".join(d.last_error for d in failed)

    endpoint.status = 200  # the token was fixed on the service's side
    store_change(sqlite_database, dispatcher.subscriptions, serial=2)
    assert dispatcher.run_once().delivered == 1
    with sqlite_database.reader() as repo:
        assert repo.list_channels(failing_only=True) == []


def test_a_channel_down_for_good_is_given_up_after_the_last_attempt(
    sqlite_database: Database, endpoint: Endpoint, clock: ManualClock
) -> None:
    settings = DispatchSettings(retry=RetryPolicy(max_attempts=3))
    dispatcher = dispatcher_for(
        sqlite_database, f"json://127.0.0.1:{endpoint.port}/hook", clock, settings
    )
    store_change(sqlite_database, dispatcher.subscriptions)
    endpoint.status = 503

    results = []
    for _ in range(4):
        stats = dispatcher.run_once()
        results.append((stats.retrying, stats.failed))
        clock.advance(timedelta(hours=1))

    assert results == [(1, 0), (1, 0), (0, 1), (0, 0)]
    with sqlite_database.reader() as repo:
        (delivery,) = repo.list_deliveries(failed_only=True)
        (channel,) = repo.list_channels(failing_only=True)
    assert delivery.attempts == 3
    assert delivery.last_error.startswith("gave up after 3 attempts: ")
    assert channel.failing


def test_rows_of_a_dispatcher_elsewhere_wait_for_its_lease_to_run_out(
    sqlite_database: Database, endpoint: Endpoint, clock: ManualClock
) -> None:
    dispatcher = dispatcher_for(sqlite_database, f"json://127.0.0.1:{endpoint.port}/hook", clock)
    store_change(sqlite_database, dispatcher.subscriptions)
    with sqlite_database.transaction() as repo:
        repo.claim_due_deliveries("another-host:42:abcd", T0, timedelta(minutes=5), 10)

    assert dispatcher.recover_dead_workers() == 0  # not ours to judge: another host
    assert dispatcher.run_once().delivered == 0
    clock.advance(timedelta(minutes=5))
    assert dispatcher.run_once().delivered == 1
    assert len(endpoint.wait_for(1)) == 1


def test_stop_finishes_the_send_in_progress_and_hands_the_rest_back(
    sqlite_database: Database, endpoint: Endpoint, clock: ManualClock
) -> None:
    dispatcher = dispatcher_for(sqlite_database, f"json://127.0.0.1:{endpoint.port}/hook", clock)
    for serial in range(4):
        store_change(sqlite_database, dispatcher.subscriptions, serial=serial)
    endpoint.hold_at = 1
    outcome = []
    running = threading.Thread(target=lambda: outcome.append(dispatcher.run_once()))
    running.start()

    endpoint.wait_for(1)  # the first send is in flight, held by the endpoint
    dispatcher.stop()
    endpoint.release.set()
    running.join(WAIT_S)

    assert not running.is_alive()
    (stats,) = outcome
    assert (stats.delivered, stats.released) == (1, 3)
    assert len(endpoint.requests) == 1
    with sqlite_database.reader() as repo:
        statuses = sorted((d.status, d.claimed_by) for d in repo.list_deliveries())
    assert statuses == [("delivered", None)] + [("pending", None)] * 3


def test_the_loop_delivers_what_arrives_while_it_runs_and_survives_database_errors(
    sqlite_database: Database, endpoint: Endpoint, clock: ManualClock
) -> None:
    dispatcher = dispatcher_for(sqlite_database, f"json://127.0.0.1:{endpoint.port}/hook", clock)
    running = threading.Thread(target=dispatcher.run)
    running.start()
    try:
        with logged("watcher.dispatch", "dispatch: delivered") as delivered:
            store_change(sqlite_database, dispatcher.subscriptions, serial=0)
            dispatcher.wake()  # as a check that stored a change would
            assert delivered.wait(WAIT_S), "the first alert was not delivered"

        # The outbox disappears under it: the loop logs and goes on instead of dying.
        with sqlite_database.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE deliveries RENAME TO deliveries_away")
        with logged("watcher.dispatch", "database error") as seen:
            dispatcher.wake()
            assert seen.wait(WAIT_S), "the loop never met the database error"
        with sqlite_database.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE deliveries_away RENAME TO deliveries")
        with logged("watcher.dispatch", "dispatch: delivered") as delivered:
            store_change(sqlite_database, dispatcher.subscriptions, serial=1)
            dispatcher.wake()
            assert delivered.wait(WAIT_S), "the loop did not recover"
        assert len(endpoint.requests) == 2
    finally:
        dispatcher.stop()
        running.join(WAIT_S)
    assert not running.is_alive()
    with sqlite_database.reader() as repo:
        assert {d.status for d in repo.list_deliveries()} == {"delivered"}
