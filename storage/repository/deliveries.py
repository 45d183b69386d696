"""Reading the outbox: deliveries, their attempts and the channels' health, for CLI and web."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, case, func, select

from storage.convert import attempt_record, channel_record, delivery_record
from storage.models import AlertChannel, Change, Delivery, DeliveryAttempt
from storage.records import (
    OPEN_DELIVERY_STATUSES,
    ChannelRecord,
    DeliveryAttemptRecord,
    DeliveryRecord,
)
from storage.repository.base import RepositoryBase, page_size


class DeliveryReadMethods(RepositoryBase):
    def sending_workers(self) -> set[str]:
        """The dispatchers that hold claims right now (expired or not)."""
        statement = select(Delivery.claimed_by).where(Delivery.status == "sending").distinct()
        return {worker for worker in self._session.execute(statement).scalars() if worker}

    def next_delivery_due(self) -> datetime | None:
        """When the next row becomes due (a lease running out counts), None if nothing is open."""
        waiting = select(func.min(Delivery.next_attempt_at)).where(
            Delivery.status.in_(["pending", "digest_pending"])
        )
        leased = select(func.min(Delivery.claimed_until)).where(Delivery.status == "sending")
        found = [
            self._session.execute(statement).scalar_one_or_none() for statement in (waiting, leased)
        ]
        times = [when for when in found if when is not None]
        return min(times) if times else None

    def get_delivery(self, delivery_id: int) -> DeliveryRecord | None:
        found = self._deliveries(self._delivery_query().where(Delivery.id == delivery_id))
        return found[0] if found else None

    def pending_deliveries(self, limit: int = 100) -> list[DeliveryRecord]:
        """Deliveries not finished yet (waiting, being sent, waiting for a digest), due first."""
        statement = (
            self._delivery_query()
            .where(Delivery.status.in_(sorted(OPEN_DELIVERY_STATUSES)))
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(page_size(limit))
        )
        return self._deliveries(statement)

    def list_deliveries(
        self,
        *,
        failed_only: bool = False,
        change_id: int | None = None,
        subscription_id: str | None = None,
        limit: int = 100,
        before_id: int | None = None,
    ) -> list[DeliveryRecord]:
        """Deliveries newest first; for the next page pass the last id as `before_id`."""
        statement = self._delivery_query()
        if failed_only:
            statement = statement.where(Delivery.status == "failed_permanent")
        if change_id is not None:
            statement = statement.where(Delivery.change_id == change_id)
        if subscription_id is not None:
            statement = statement.where(Delivery.subscription_id == subscription_id)
        if before_id is not None:
            statement = statement.where(Delivery.id < before_id)
        return self._deliveries(statement.order_by(Delivery.id.desc()).limit(page_size(limit)))

    def delivery_attempts(self, delivery_id: int) -> list[DeliveryAttemptRecord]:
        """Every attempt of one delivery, oldest first."""
        statement = (
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.id)
        )
        return [attempt_record(row) for row in self._session.execute(statement).scalars()]

    def count_deliveries_by_status(self) -> dict[str, int]:
        statement = select(Delivery.status, func.count()).group_by(Delivery.status)
        return {status: count for status, count in self._session.execute(statement)}

    def list_channels(self, *, failing_only: bool = False) -> list[ChannelRecord]:
        """Channels with their open and failed delivery counts, failing ones first."""
        is_open = Delivery.status.in_(sorted(OPEN_DELIVERY_STATUSES))
        open_count = func.sum(case((is_open, 1), else_=0))
        failed_count = func.sum(case((Delivery.status == "failed_permanent", 1), else_=0))
        statement = (
            select(AlertChannel, open_count, failed_count)
            .outerjoin(Delivery, Delivery.channel_key == AlertChannel.key)
            .group_by(AlertChannel.key)
            .order_by(AlertChannel.failing_since.is_(None), AlertChannel.label, AlertChannel.key)
        )
        if failing_only:
            statement = statement.where(AlertChannel.failing_since.is_not(None))
        return [
            channel_record(row, int(opened or 0), int(failed or 0))
            for row, opened, failed in self._session.execute(statement)
        ]

    def get_channel(self, key: str) -> ChannelRecord | None:
        found = self._session.get(AlertChannel, key)
        return None if found is None else channel_record(found)

    @staticmethod
    def _delivery_query() -> Select[Delivery, str, str]:
        return (
            select(Delivery, Change.target_id, AlertChannel.label)
            .join(Change, Change.id == Delivery.change_id)
            .join(AlertChannel, AlertChannel.key == Delivery.channel_key)
        )

    def _deliveries(self, statement: Select[Delivery, str, str]) -> list[DeliveryRecord]:
        return [
            delivery_record(row, target_id, label)
            for row, target_id, label in self._session.execute(statement)
        ]
