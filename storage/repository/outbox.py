"""The alert outbox: deliveries written with their change, claimed under a lease, attempts kept.

A delivery is claimed by setting `status = 'sending'`, `claimed_by` and `claimed_until` in a write
transaction. PostgreSQL: the due rows are selected `FOR UPDATE SKIP LOCKED`, so dispatchers
claiming at the same time take different rows instead of waiting for each other. SQLite: every
write transaction begins with `BEGIN IMMEDIATE` (see `storage.engine`), so claims are serialized
by the database lock (SQLAlchemy leaves `FOR UPDATE` out there).

A dispatcher killed mid-batch leaves its rows in `sending`; once `claimed_until` has passed, they
are due again and the next claim takes them (the row being sent when it died may then be sent
twice: that is the duplicate window). `release_claims` hands a stopped or dead dispatcher's rows
back at once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)

from storage.convert import (
    require_aware,
    require_delivery_modes,
)
from storage.models import AlertChannel, Delivery, DeliveryAttempt
from storage.records import (
    AttemptSpec,
    DeliveryRecord,
    DeliverySpec,
)
from storage.repository.base import page_size
from storage.repository.deliveries import DeliveryReadMethods

# A digest claim takes every due row of a (subscription, channel) group, up to this many.
MAX_DIGEST_ROWS = 1000


def _due(mode: str, now: datetime) -> ColumnElement[bool]:
    """Rows of `mode` to send now: waiting and due, or claimed under a lease that has run out."""
    waiting = "digest_pending" if mode == "digest" else "pending"
    return and_(
        Delivery.mode == mode,
        or_(
            and_(Delivery.status == waiting, Delivery.next_attempt_at <= now),
            and_(Delivery.status == "sending", Delivery.claimed_until <= now),
        ),
    )


def _waiting_status() -> ColumnElement[str]:
    """The status a row returns to when it is not finished: the one of its mode."""
    return case((Delivery.mode == "digest", "digest_pending"), else_="pending")


class OutboxMethods(DeliveryReadMethods):
    def enqueue_deliveries(
        self, change_id: int, deliveries: Sequence[DeliverySpec], now: datetime
    ) -> int:
        """Queue `deliveries` of a change; call it in the transaction that stores the change.

        Immediate rows are due at `due_at` (default `now`); digest rows wait as `digest_pending`
        until theirs. Queuing the same change, subscription and channel again does nothing.
        Returns the number of rows written.
        """
        self._require_writable()
        require_aware(now, "now")
        require_delivery_modes(deliveries)
        unique = {(d.subscription_id, d.channel_key): d for d in deliveries}
        if not unique:
            return 0
        labels = {d.channel_key: d.channel_label for d in unique.values()}
        channels = [
            {
                "key": key,
                "label": labels[key],
                "failing_since": None,
                "last_error": "",
                "last_success_at": None,
                "created_at": now,
                "updated_at": now,
            }
            # Sorted: concurrent writers then lock channel rows in the same order (no deadlock).
            for key in sorted(labels)
        ]
        self._session.execute(
            self._insert(AlertChannel)
            .values(channels)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        rows = [
            {
                "change_id": change_id,
                "subscription_id": d.subscription_id,
                "channel_key": d.channel_key,
                "mode": d.mode,
                "status": "digest_pending" if d.mode == "digest" else "pending",
                "attempts": 0,
                "next_attempt_at": d.due_at or now,
                "claimed_by": None,
                "claimed_until": None,
                "last_error": "",
                "created_at": now,
                "delivered_at": None,
            }
            for d in unique.values()
        ]
        # RETURNING, not rowcount: drivers report -1 for some multi-row inserts.
        written = self._session.execute(
            self._insert(Delivery)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["change_id", "subscription_id", "channel_key"])
            .returning(Delivery.id)
        )
        return len(written.all())

    def claim_due_deliveries(
        self, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> list[DeliveryRecord]:
        """Claim up to `limit` due immediate deliveries, oldest due first, until `now + lease`."""
        self._require_writable()
        require_aware(now, "now")
        ids = list(
            self._session.execute(
                select(Delivery.id)
                .where(_due("immediate", now))
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(page_size(limit))
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        return self._claim(ids, worker_id, now + lease)

    def claim_due_digests(
        self, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> list[DeliveryRecord]:
        """Claim every due digest row of up to `limit` (subscription, channel) groups.

        A digest is one message per group, so a group is claimed whole (up to MAX_DIGEST_ROWS).
        Rows come back grouped, each group oldest first.
        """
        self._require_writable()
        require_aware(now, "now")
        due = _due("digest", now)
        groups = self._session.execute(
            select(Delivery.subscription_id, Delivery.channel_key)
            .where(due)
            .group_by(Delivery.subscription_id, Delivery.channel_key)
            .order_by(func.min(Delivery.next_attempt_at))
            .limit(page_size(limit))
        ).all()
        if not groups:
            return []
        ids = list(
            self._session.execute(
                select(Delivery.id)
                .where(
                    due,
                    tuple_(Delivery.subscription_id, Delivery.channel_key).in_(
                        [tuple(group) for group in groups]
                    ),
                )
                .order_by(Delivery.id)
                .limit(MAX_DIGEST_ROWS * len(groups))
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        claimed = self._claim(ids, worker_id, now + lease)
        return sorted(claimed, key=lambda d: (d.subscription_id, d.channel_key, d.id))

    def record_delivery_attempt(
        self,
        delivery_ids: Sequence[int],
        attempt: AttemptSpec,
        *,
        worker_id: str,
        retry_at: datetime | None,
    ) -> list[DeliveryRecord]:
        """Record one send that carried `delivery_ids` (one row, or a digest's rows).

        Success: delivered. Failure: back to waiting until `retry_at`, or `failed_permanent` when
        the failure is permanent or `retry_at` is None (attempts exhausted). The channel is marked
        failing by a permanent failure and healthy again by a success. A row another dispatcher
        already delivered stays delivered.
        """
        self._require_writable()
        when = require_aware(attempt.attempted_at, "attempted_at")
        if retry_at is not None:
            require_aware(retry_at, "retry_at")
        ids = sorted(set(delivery_ids))
        if not ids:
            return []
        self._session.add_all(
            DeliveryAttempt(
                delivery_id=delivery_id,
                attempted_at=when,
                worker=worker_id,
                ok=attempt.ok,
                permanent=attempt.permanent,
                error=attempt.error,
                duration_ms=attempt.duration_ms,
            )
            for delivery_id in ids
        )
        gives_up = not attempt.ok and (attempt.permanent or retry_at is None)
        outcome: dict[str, Any] = {
            "attempts": Delivery.attempts + 1,
            "claimed_by": None,
            "claimed_until": None,
            "last_error": attempt.error,
        }
        if attempt.ok:
            outcome.update(status="delivered", delivered_at=when)
        elif gives_up:
            outcome.update(status="failed_permanent")
        else:
            outcome.update(status=_waiting_status(), next_attempt_at=retry_at)
        self._session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status != "delivered")
            .values(**outcome)
            .execution_options(synchronize_session=False)
        )
        self._update_channels(ids, attempt, gives_up)
        return self._deliveries(self._delivery_query().where(Delivery.id.in_(ids)))

    def release_claims(
        self, worker_ids: Collection[str], *, delivery_ids: Collection[int] | None = None
    ) -> int:
        """Hand rows claimed by `worker_ids` back (all of them, or only `delivery_ids`) at once,
        without waiting for their lease: a dispatcher stopping, or one known to be dead."""
        self._require_writable()
        statement = update(Delivery).where(
            Delivery.status == "sending", Delivery.claimed_by.in_(list(worker_ids))
        )
        if delivery_ids is not None:
            statement = statement.where(Delivery.id.in_(list(delivery_ids)))
        result = self._session.execute(
            statement.values(
                status=_waiting_status(), claimed_by=None, claimed_until=None
            ).execution_options(synchronize_session=False)
        )
        return int(cast(CursorResult[Any], result).rowcount)

    def retry_failed_deliveries(
        self, now: datetime, *, channel_key: str | None = None, delivery_ids: Collection[int] = ()
    ) -> int:
        """Queue failed deliveries again (all, a channel's, or some), due now, attempts reset;
        their earlier attempts stay on record."""
        self._require_writable()
        require_aware(now, "now")
        statement = update(Delivery).where(Delivery.status == "failed_permanent")
        if channel_key is not None:
            statement = statement.where(Delivery.channel_key == channel_key)
        if delivery_ids:
            statement = statement.where(Delivery.id.in_(list(delivery_ids)))
        result = self._session.execute(
            statement.values(
                status=_waiting_status(), attempts=0, next_attempt_at=now
            ).execution_options(synchronize_session=False)
        )
        return int(cast(CursorResult[Any], result).rowcount)

    def _claim(self, ids: list[int], worker_id: str, until: datetime) -> list[DeliveryRecord]:
        if not ids:
            return []
        self._session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(status="sending", claimed_by=worker_id, claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        return self._deliveries(
            self._delivery_query().where(Delivery.id.in_(ids)).order_by(Delivery.id)
        )

    def _update_channels(self, ids: list[int], attempt: AttemptSpec, gives_up: bool) -> None:
        keys = select(Delivery.channel_key).where(Delivery.id.in_(ids)).distinct()
        when = attempt.attempted_at
        values: dict[str, Any] = {"updated_at": when}
        if attempt.ok:
            values.update(failing_since=None, last_success_at=when, last_error="")
        elif gives_up:
            values.update(
                # Failing since the first permanent failure, not the latest one.
                failing_since=func.coalesce(
                    AlertChannel.failing_since, literal(when, AlertChannel.failing_since.type)
                ),
                last_error=attempt.error,
            )
        else:
            values.update(last_error=attempt.error)
        self._session.execute(
            update(AlertChannel)
            .where(AlertChannel.key.in_(keys))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
