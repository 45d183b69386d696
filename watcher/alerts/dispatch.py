"""The dispatcher: claims due outbox rows, sends them through Apprise, records every attempt.

    dispatcher = Dispatcher(database, resolve_subscriptions(config))
    dispatcher.run_once()          # send what is due now, then return (`watcher dispatch --once`)
    dispatcher.run()               # until dispatcher.stop() (SIGTERM in the CLI)

Guarantees, and their limits:
- Nothing is lost: a row leaves the outbox only as `delivered` or `failed_permanent`, each with
  its attempts recorded. A transient failure (5xx, 429, refused connection, timeout) is retried
  with backoff (`RetryPolicy`); a permanent one (bad token, other 4xx, unusable URL) or too many
  attempts marks the row `failed_permanent` and its channel failing, shown by
  `watcher deliveries`.
- Rows are claimed in small batches under a lease and sent one at a time, each attempt committed
  as soon as the send returns. A dispatcher killed mid-batch leaves its claims behind; a restart
  on the same host releases them at once (`workers.dead_local_workers`), otherwise they are
  due again when the lease runs out.
- The duplicate window: a row whose send reached the service but whose attempt could not be
  committed (the process died, or the database was unreachable at that moment) is sent again
  once its claim is released or runs out. Only the row in flight is affected, one per
  dispatcher process; rows claimed but not yet sent are never sent twice.
- `stop()` lets the send in progress finish and be recorded, hands the rest of the batch back,
  and returns from `run()`.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from notifiers import (
    Alert,
    Channel,
    Digest,
    RenderedMessage,
    SendResult,
    channel_for_url,
    redact_text,
    render_alert,
    render_digest,
    send,
)
from storage import AttemptSpec, Database, DeliveryRecord
from storage.errors import StorageError
from watcher.alerts.backoff import RetryPolicy
from watcher.alerts.messages import DEFAULT_BASE_URL, build_alert, changes_url
from watcher.alerts.periods import period_label
from watcher.alerts.subscriptions import Destination, Subscription
from watcher.alerts.workers import dead_local_workers, new_worker_id

log = logging.getLogger("watcher.dispatch")

Sender = Callable[[str, RenderedMessage], SendResult]
Clock = Callable[[], datetime]
# Alerts kept between sends: a change told to several subscriptions is read once.
_ALERT_CACHE_SIZE = 256
# The shortest idle wait: keeps a loop that keeps finding rows it cannot claim from spinning.
_MIN_IDLE_S = 0.2


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DispatchSettings:
    base_url: str = DEFAULT_BASE_URL
    # Must outlast a whole batch of sends; a dead dispatcher's rows wait this long at most.
    lease: timedelta = timedelta(minutes=5)
    batch_size: int = 10
    digest_groups: int = 5
    # How often an idle dispatcher looks for new rows (it also wakes when the next row is due).
    poll_interval: timedelta = timedelta(seconds=5)
    send_timeout_s: float = 15.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.digest_groups < 1:
            raise ValueError("batch_size and digest_groups must be at least 1")
        # A lease running out while its batch is still being sent would let another
        # dispatcher send the same rows: the whole batch must fit in it.
        worst_case = timedelta(seconds=self.send_timeout_s * (self.batch_size + 1))
        if self.lease <= worst_case:
            raise ValueError(
                f"lease {self.lease} is too short for {self.batch_size} sends of up to "
                f"{self.send_timeout_s:g} s each"
            )


@dataclass
class DispatchStats:
    """What one `run_once` did: sends that succeeded, will be retried, or were given up."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    digests: int = 0
    released: int = 0


class Dispatcher:
    def __init__(
        self,
        database: Database,
        subscriptions: Sequence[Subscription],
        *,
        settings: DispatchSettings | None = None,
        clock: Clock = utc_now,
        sender: Sender | None = None,
        jitter: Callable[[], float] = random.random,
        worker_id: str | None = None,
    ) -> None:
        self.database = database
        self.settings = settings or DispatchSettings()
        self.clock = clock
        self.worker_id = worker_id or new_worker_id()
        self._sender = sender or functools.partial(send, timeout_s=self.settings.send_timeout_s)
        self._jitter = jitter
        self.subscriptions = tuple(subscriptions)
        self._subscriptions = {s.id: s for s in subscriptions}
        self._destinations = {(s.id, d.key): d for s in subscriptions for d in s.destinations}
        self._channels: dict[str, Channel] = {}
        self._alerts: dict[int, Alert] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()

    # --- control ---------------------------------------------------------------------------------

    def stop(self) -> None:
        """Finish the send in progress, hand the rest back, return from `run`. Thread-safe."""
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Look for due rows now instead of at the next poll (e.g. a change was just stored)."""
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Deliver until `stop()`: drain what is due, wait for the next due row or a poll.

        Errors do not end the loop (alerts silently no longer sent would be the worst outcome):
        they are logged and the next poll tries again.
        """
        recovered = False
        while not self.stopping:
            try:
                if not recovered:
                    self.recover_dead_workers()
                    recovered = True
                self.run_once()
            except StorageError as error:
                # The database may be restarting: keep the loop, try again at the next poll.
                log.warning("dispatch: database error, retrying later: %s", error)
            except Exception:
                log.exception("dispatch: unexpected error, retrying at the next poll")
            self._wake.wait(self._idle_seconds())
            self._wake.clear()
        log.info("dispatch: stopped (worker %s)", self.worker_id)

    def recover_dead_workers(self) -> int:
        """Hand back at once the claims of dispatchers on this host that are no longer running."""
        with self.database.reader() as repo:
            holders = repo.sending_workers()
        dead = dead_local_workers(holders, self.worker_id)
        if not dead:
            return 0
        with self.database.transaction() as repo:
            released = repo.release_claims(dead)
        log.info("dispatch: released %d deliveries claimed by stopped dispatchers", released)
        return released

    def run_once(self) -> DispatchStats:
        """Send every immediate row and digest that is due now, then return."""
        stats = DispatchStats()
        while not self.stopping:
            with self.database.transaction() as repo:
                batch = repo.claim_due_deliveries(
                    self.worker_id, self.clock(), self.settings.lease, self.settings.batch_size
                )
            if not batch:
                break
            self._send_batch(batch, stats)
        while not self.stopping:
            with self.database.transaction() as repo:
                rows = repo.claim_due_digests(
                    self.worker_id, self.clock(), self.settings.lease, self.settings.digest_groups
                )
            if not rows:
                break
            self._send_digests(rows, stats)
        return stats

    # --- immediate alerts ------------------------------------------------------------------------

    def _send_batch(self, batch: list[DeliveryRecord], stats: DispatchStats) -> None:
        done = 0
        try:
            for delivery in batch:
                if self.stopping:
                    break
                self._deliver(delivery, stats)
                done += 1
        finally:
            # Stopping, or an error: rows not sent yet go back now rather than at lease end.
            stats.released += self._release(batch[done:])

    def _deliver(self, delivery: DeliveryRecord, stats: DispatchStats) -> None:
        destination = self._destinations.get((delivery.subscription_id, delivery.channel_key))
        if destination is None:
            self._give_up([delivery], _no_longer_configured(delivery), stats)
            return
        try:
            alert = self._alert(delivery.change_id)
            message = render_alert(alert, self._channel(destination))
        except Exception as error:  # a bug or a vanished change must not stall the outbox
            log.exception("dispatch: cannot build the alert of delivery %d", delivery.id)
            self._give_up([delivery], f"could not build the message: {_describe(error)}", stats)
            return
        result = self._sender(destination.url, message)
        self._finish([delivery], destination, result, stats)

    # --- digests ---------------------------------------------------------------------------------

    def _send_digests(self, rows: list[DeliveryRecord], stats: DispatchStats) -> None:
        groups: dict[tuple[str, str], list[DeliveryRecord]] = {}
        for row in rows:
            groups.setdefault((row.subscription_id, row.channel_key), []).append(row)
        pending = list(groups.values())
        try:
            while pending and not self.stopping:
                self._send_digest(pending[0], stats)
                pending.pop(0)
        finally:
            stats.released += self._release([row for group in pending for row in group])

    def _send_digest(self, rows: list[DeliveryRecord], stats: DispatchStats) -> None:
        first = rows[0]
        destination = self._destinations.get((first.subscription_id, first.channel_key))
        subscription = self._subscriptions.get(first.subscription_id)
        if destination is None or subscription is None:
            self._give_up(rows, _no_longer_configured(first), stats)
            return
        change_ids = sorted({row.change_id for row in rows})
        try:
            digest = Digest(
                period_label=period_label(
                    min(row.created_at for row in rows), subscription.config.digest_period
                ),
                alerts=tuple(self._alert(change_id) for change_id in change_ids),
                changes_url=changes_url(self.settings.base_url),
            )
            message = render_digest(digest, self._channel(destination))
        except Exception as error:
            log.exception("dispatch: cannot build the digest of deliveries %s", change_ids)
            self._give_up(rows, f"could not build the digest: {_describe(error)}", stats)
            return
        result = self._sender(destination.url, message)
        stats.digests += 1
        self._finish(rows, destination, result, stats)

    # --- recording -------------------------------------------------------------------------------

    def _finish(
        self,
        rows: list[DeliveryRecord],
        destination: Destination,
        result: SendResult,
        stats: DispatchStats,
    ) -> None:
        now = self.clock()
        attempts = max(row.attempts for row in rows) + 1
        retry_at: datetime | None = None
        error = result.error
        if not result.ok and not result.permanent:
            retry_at = self.settings.retry.retry_at(attempts, now, self._jitter())
            if retry_at is None:
                error = f"gave up after {attempts} attempts: {error}"
        attempt = AttemptSpec(
            attempted_at=now,
            ok=result.ok,
            permanent=result.permanent,
            error=error,
            duration_ms=result.duration_ms,
        )
        self._record(rows, attempt, retry_at)
        ids = [row.id for row in rows]
        if result.ok:
            stats.delivered += len(rows)
            log.info(
                "dispatch: delivered %s to %s in %.0f ms",
                ids,
                destination.label,
                result.duration_ms,
            )
        elif retry_at is not None:
            stats.retrying += len(rows)
            log.warning(
                "dispatch: %s to %s failed (attempt %d), retry at %s: %s",
                ids,
                destination.label,
                attempts,
                retry_at.isoformat(timespec="seconds"),
                error,
            )
        else:
            stats.failed += len(rows)
            log.error("dispatch: %s to %s failed for good: %s", ids, destination.label, error)

    def _give_up(self, rows: list[DeliveryRecord], error: str, stats: DispatchStats) -> None:
        attempt = AttemptSpec(attempted_at=self.clock(), ok=False, permanent=True, error=error)
        self._record(rows, attempt, None)
        stats.failed += len(rows)
        log.error("dispatch: %s given up: %s", [row.id for row in rows], error)

    def _record(
        self, rows: list[DeliveryRecord], attempt: AttemptSpec, retry_at: datetime | None
    ) -> None:
        with self.database.transaction() as repo:
            repo.record_delivery_attempt(
                [row.id for row in rows], attempt, worker_id=self.worker_id, retry_at=retry_at
            )

    def _release(self, rows: list[DeliveryRecord]) -> int:
        if not rows:
            return 0
        with self.database.transaction() as repo:
            return repo.release_claims([self.worker_id], delivery_ids=[row.id for row in rows])

    # --- reading ---------------------------------------------------------------------------------

    def _alert(self, change_id: int) -> Alert:
        cached = self._alerts.get(change_id)
        if cached is not None:
            return cached
        with self.database.reader() as repo:
            change = repo.get_change(change_id)
            target = repo.get_target(change.target_id) if change is not None else None
        if change is None:
            raise LookupError(f"change {change_id} is not in the database")
        if len(self._alerts) >= _ALERT_CACHE_SIZE:
            self._alerts.clear()
        alert = self._alerts[change_id] = build_alert(change, target, self.settings.base_url)
        return alert

    def _channel(self, destination: Destination) -> Channel:
        channel = self._channels.get(destination.key)
        if channel is None:
            channel = self._channels[destination.key] = channel_for_url(destination.url)
        return channel

    def _idle_seconds(self) -> float:
        poll = self.settings.poll_interval.total_seconds()
        try:
            with self.database.reader() as repo:
                due = repo.next_delivery_due()
        except StorageError:
            return poll
        if due is None:
            return poll
        return max(_MIN_IDLE_S, min(poll, (due - self.clock()).total_seconds()))


def _no_longer_configured(delivery: DeliveryRecord) -> str:
    return (
        f"subscription {delivery.subscription_id!r} no longer sends to {delivery.channel_label} "
        "(removed from the configuration)"
    )


def _describe(error: Exception) -> str:
    return redact_text(f"{type(error).__name__}: {error}")
