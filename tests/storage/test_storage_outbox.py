"""The alert outbox: deliveries queued with their change, leased claims, attempts, channels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from storage_testkit import T0, target

from storage import AttemptSpec, Database, DeliverySpec, FindingSpec, Repository

LEASE = timedelta(minutes=2)
MAIL = DeliverySpec("dpo-mail", "k-mail", "mailto://alerts:***@mail.example.org")
SLACK = DeliverySpec("newsroom", "k-slack", "slack://T1/***/***/#privacy")
DIGEST = DeliverySpec(
    "weekly-ngo", "k-digest", "json://hooks.example.org/***", "digest", T0 + timedelta(hours=1)
)


def _add_change(repo: Repository, minute: int = 0, target_id: str = "genai@de") -> int:
    at = T0 + timedelta(minutes=minute)
    snapshots = [
        repo.save_snapshot(
            target_id,
            canonical_text=f"version {minute} {side}",
            raw_html=None,
            taken_at=at,
            final_url=None,
            http_status=200,
        )
        for side in ("before", "after")
    ]
    change = repo.record_change(
        target_id,
        from_snapshot_id=snapshots[0].id,
        to_snapshot_id=snapshots[1].id,
        detected_at=at,
        summary="The objection form link moved.",
        diff={"version": 1, "ops": [], "context": []},
        findings=[FindingSpec("opt_out_changed", "high", "de", "Your rights › Object")],
    )
    return change.id


@pytest.fixture
def outbox(database: Database) -> Database:
    with database.transaction() as repo:
        repo.upsert_targets([target("genai", "de"), target("genai", "fr")], T0)
    return database


def _queue(database: Database, *specs: DeliverySpec, minute: int = 0) -> int:
    with database.transaction() as repo:
        change_id = _add_change(repo, minute)
        repo.enqueue_deliveries(change_id, list(specs), T0 + timedelta(minutes=minute))
    return change_id


def _claim(database: Database, worker: str, minutes: float = 0, limit: int = 10) -> list[int]:
    with database.transaction() as repo:
        claimed = repo.claim_due_deliveries(worker, T0 + timedelta(minutes=minutes), LEASE, limit)
    return [d.id for d in claimed]


def _attempt(
    database: Database,
    ids: list[int],
    *,
    ok: bool,
    permanent: bool = False,
    minutes: float = 0,
    retry_in: timedelta | None = timedelta(seconds=30),
    error: str = "",
) -> None:
    at = T0 + timedelta(minutes=minutes)
    with database.transaction() as repo:
        repo.record_delivery_attempt(
            ids,
            AttemptSpec(at, ok=ok, permanent=permanent, error=error, duration_ms=12.5),
            worker_id="w1",
            retry_at=None if retry_in is None else at + retry_in,
        )


def test_deliveries_are_queued_with_their_change_once_per_subscription_and_channel(
    outbox: Database,
) -> None:
    change_id = _queue(outbox, MAIL, SLACK, DIGEST)
    with outbox.transaction() as repo:
        again = repo.enqueue_deliveries(change_id, [MAIL, SLACK, DIGEST], T0)
    assert again == 0

    with outbox.reader() as repo:
        deliveries = sorted(repo.pending_deliveries(), key=lambda d: d.subscription_id)
        channels = {c.key: c for c in repo.list_channels()}
    assert [(d.subscription_id, d.status, d.mode) for d in deliveries] == [
        ("dpo-mail", "pending", "immediate"),
        ("newsroom", "pending", "immediate"),
        ("weekly-ngo", "digest_pending", "digest"),
    ]
    assert all(d.change_id == change_id and d.target_id == "genai@de" for d in deliveries)
    assert deliveries[0].next_attempt_at == T0
    assert deliveries[2].next_attempt_at == T0 + timedelta(hours=1)
    assert deliveries[0].channel_label == "mailto://alerts:***@mail.example.org"
    assert channels["k-slack"].label == SLACK.channel_label
    assert channels["k-slack"].open_deliveries == 1
    assert not channels["k-slack"].failing


def test_a_rolled_back_change_leaves_no_delivery_behind(outbox: Database) -> None:
    with pytest.raises(RuntimeError), outbox.transaction() as repo:
        change_id = _add_change(repo)
        repo.enqueue_deliveries(change_id, [MAIL], T0)
        raise RuntimeError("the check failed after the outbox write")
    with outbox.reader() as repo:
        assert repo.pending_deliveries() == []
        assert repo.list_changes() == []


def test_unknown_mode_and_naive_times_are_refused(outbox: Database) -> None:
    with outbox.transaction() as repo:
        change_id = _add_change(repo)
        with pytest.raises(ValueError, match="unknown delivery mode 'weekly'"):
            repo.enqueue_deliveries(change_id, [DeliverySpec("s", "k", "l", "weekly")], T0)
        with pytest.raises(ValueError, match="now must be timezone-aware"):
            repo.enqueue_deliveries(change_id, [MAIL], T0.replace(tzinfo=None))
    with outbox.reader() as repo, pytest.raises(PermissionError):
        repo.enqueue_deliveries(1, [MAIL], T0)


def test_a_claim_takes_due_rows_oldest_first_and_holds_them_for_its_lease(
    outbox: Database,
) -> None:
    first = _queue(outbox, MAIL, minute=0)
    second = _queue(outbox, MAIL, minute=1)
    _queue(outbox, MAIL, minute=5)  # not due yet at minute 1

    with outbox.transaction() as repo:
        claimed = repo.claim_due_deliveries("w1", T0 + timedelta(minutes=1), LEASE, 10)
    assert [d.change_id for d in claimed] == [first, second]
    assert all(d.status == "sending" and d.claimed_by == "w1" for d in claimed)
    assert claimed[0].claimed_until == T0 + timedelta(minutes=1) + LEASE

    # Another dispatcher finds nothing while the lease holds...
    assert _claim(outbox, "w2", minutes=2) == []
    # ...and takes the rows over once it has run out (the first dispatcher died).
    retaken = _claim(outbox, "w2", minutes=3)
    assert retaken == [d.id for d in claimed]
    with outbox.reader() as repo:
        assert repo.sending_workers() == {"w2"}


def test_claims_respect_the_limit(outbox: Database) -> None:
    for minute in range(3):
        _queue(outbox, MAIL, SLACK, minute=minute)
    assert len(_claim(outbox, "w1", minutes=5, limit=4)) == 4
    assert len(_claim(outbox, "w2", minutes=5, limit=4)) == 2
    with pytest.raises(ValueError, match="limit"):
        _claim(outbox, "w3", limit=0)


def test_success_delivers_and_records_the_attempt(outbox: Database) -> None:
    _queue(outbox, MAIL)
    ids = _claim(outbox, "w1")
    _attempt(outbox, ids, ok=True, minutes=0.5)
    with outbox.reader() as repo:
        delivery = repo.get_delivery(ids[0])
        attempts = repo.delivery_attempts(ids[0])
        channel = repo.get_channel("k-mail")
    assert delivery is not None
    assert (delivery.status, delivery.attempts, delivery.claimed_by) == ("delivered", 1, None)
    assert delivery.delivered_at == T0 + timedelta(minutes=0.5)
    assert [(a.ok, a.worker, a.duration_ms) for a in attempts] == [(True, "w1", 12.5)]
    assert channel is not None and channel.last_success_at == T0 + timedelta(minutes=0.5)


def test_a_transient_failure_waits_for_its_retry_time(outbox: Database) -> None:
    _queue(outbox, SLACK)
    ids = _claim(outbox, "w1")
    _attempt(outbox, ids, ok=False, error="Slack: delivery failed: error=503.")

    with outbox.reader() as repo:
        delivery = repo.get_delivery(ids[0])
        channel = repo.get_channel("k-slack")
    assert delivery is not None and channel is not None
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at == T0 + timedelta(seconds=30)
    assert delivery.last_error == "Slack: delivery failed: error=503."
    assert channel.last_error == delivery.last_error and not channel.failing

    assert _claim(outbox, "w1", minutes=0.4) == []
    assert _claim(outbox, "w1", minutes=0.5) == ids


def test_a_permanent_failure_stops_retries_and_marks_the_channel_until_a_success(
    outbox: Database,
) -> None:
    _queue(outbox, MAIL, minute=0)
    _queue(outbox, MAIL, minute=1)
    first = _claim(outbox, "w1", limit=1)
    _attempt(outbox, first, ok=False, permanent=True, minutes=0, error="SMTP server replied 535")
    _attempt(outbox, _claim(outbox, "w1", minutes=2), ok=False, permanent=True, minutes=2)

    with outbox.reader() as repo:
        failed = repo.list_deliveries(failed_only=True)
        failing = repo.list_channels(failing_only=True)
        counts = repo.count_deliveries_by_status()
    assert [d.status for d in failed] == ["failed_permanent"] * 2
    assert [c.key for c in failing] == ["k-mail"]
    assert failing[0].failing_since == T0  # since the first failure, not the latest
    assert failing[0].failed_deliveries == 2
    assert counts == {"failed_permanent": 2}
    assert _claim(outbox, "w1", minutes=60) == []

    # The owner fixed the mailbox: retrying sends again, and a success clears the mark.
    with outbox.transaction() as repo:
        assert repo.retry_failed_deliveries(T0 + timedelta(hours=1), channel_key="k-mail") == 2
    retried = _claim(outbox, "w1", minutes=60)
    _attempt(outbox, retried, ok=True, minutes=61)
    with outbox.reader() as repo:
        assert repo.list_channels(failing_only=True) == []
        assert {d.attempts for d in repo.list_deliveries()} == {1}  # reset, then one success
        assert len(repo.delivery_attempts(retried[0])) == 2  # the history stays


def test_no_retry_time_means_attempts_are_exhausted(outbox: Database) -> None:
    _queue(outbox, SLACK)
    ids = _claim(outbox, "w1")
    _attempt(outbox, ids, ok=False, retry_in=None, error="gave up after 20 attempts")
    with outbox.reader() as repo:
        delivery = repo.get_delivery(ids[0])
        channel = repo.get_channel("k-slack")
    assert delivery is not None and delivery.status == "failed_permanent"
    assert channel is not None and channel.failing


def test_a_late_report_does_not_undo_a_delivery(outbox: Database) -> None:
    _queue(outbox, MAIL)
    ids = _claim(outbox, "w1")
    _attempt(outbox, ids, ok=True)
    _attempt(outbox, ids, ok=False, error="timeout")  # a dispatcher whose lease had run out
    with outbox.reader() as repo:
        delivery = repo.get_delivery(ids[0])
    assert delivery is not None and delivery.status == "delivered"


def test_digests_are_claimed_whole_once_their_period_has_ended(outbox: Database) -> None:
    second_channel = DeliverySpec(
        "weekly-ngo", "k-other", "json://other.example.org/***", "digest", DIGEST.due_at
    )
    for minute in (0, 10, 20):
        _queue(outbox, DIGEST, second_channel, MAIL, minute=minute)

    with outbox.transaction() as repo:
        assert repo.claim_due_digests("w1", T0 + timedelta(minutes=59), LEASE, 10) == []
        claimed = repo.claim_due_digests("w1", T0 + timedelta(hours=1), LEASE, 1)
        rest = repo.claim_due_digests("w1", T0 + timedelta(hours=1), LEASE, 10)
        immediate = repo.claim_due_deliveries("w1", T0 + timedelta(hours=1), LEASE, 10)
    assert len(claimed) == 3 and len({d.channel_key for d in claimed}) == 1
    assert len(rest) == 3 and {d.channel_key for d in rest} != {claimed[0].channel_key}
    assert all(d.mode == "immediate" for d in immediate) and len(immediate) == 3

    _attempt(outbox, [d.id for d in claimed], ok=False, minutes=60, error="503")
    with outbox.reader() as repo:
        waiting = [repo.get_delivery(d.id) for d in claimed]
    assert {(d.status, d.attempts) for d in waiting if d} == {("digest_pending", 1)}


def test_released_claims_are_due_again_at_once(outbox: Database) -> None:
    _queue(outbox, MAIL, SLACK, DIGEST)
    ids = _claim(outbox, "w1")
    with outbox.transaction() as repo:
        assert repo.release_claims(["w1"], delivery_ids=ids[:1]) == 1
        assert repo.release_claims(["w1"]) == 1
        assert repo.release_claims(["someone-else"]) == 0
    assert sorted(_claim(outbox, "w2")) == sorted(ids)


def test_next_delivery_due_counts_waiting_rows_and_running_leases(outbox: Database) -> None:
    with outbox.reader() as repo:
        assert repo.next_delivery_due() is None
    _queue(outbox, DIGEST, minute=0)
    _queue(outbox, MAIL, minute=5)
    with outbox.reader() as repo:
        assert repo.next_delivery_due() == T0 + timedelta(minutes=5)
    _claim(outbox, "w1", minutes=10)
    with outbox.reader() as repo:
        assert repo.next_delivery_due() == T0 + timedelta(minutes=10) + LEASE


def test_listing_is_newest_first_with_pages(outbox: Database) -> None:
    for minute in range(3):
        _queue(outbox, MAIL, minute=minute)
    with outbox.reader() as repo:
        page = repo.list_deliveries(limit=2)
        rest = repo.list_deliveries(limit=2, before_id=page[-1].id)
        only = repo.list_deliveries(subscription_id="nobody")
    assert [d.id for d in page] == sorted((d.id for d in page), reverse=True)
    assert len(rest) == 1 and rest[0].id < page[-1].id
    assert only == []


@pytest.mark.postgres
def test_concurrent_claims_skip_each_others_rows_without_waiting(postgres_url: str) -> None:
    first, second = Database(postgres_url), Database(postgres_url)
    try:
        first.upgrade()
        with first.transaction() as repo:
            repo.upsert_targets([target("genai", "de")], T0)
        for minute in range(4):
            _queue(first, MAIL, minute=minute)
        later = T0 + timedelta(minutes=10)
        # The first claim is not committed yet: its rows are locked. SKIP LOCKED lets the
        # second dispatcher take the others at once (this would hang if it waited).
        with first.transaction() as one:
            mine = one.claim_due_deliveries("w1", later, LEASE, 2)
            with second.transaction() as two:
                theirs = two.claim_due_deliveries("w2", later, LEASE, 10)
        assert len(mine) == 2 and len(theirs) == 2
        assert {d.id for d in mine}.isdisjoint({d.id for d in theirs})
    finally:
        first.dispose()
        second.dispose()
