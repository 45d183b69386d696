"""`watcher deliveries`: the alert outbox, newest first, and the channels that are failing."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from watcher.cli.common import open_database
from watcher.cli.options import add_db_option

if TYPE_CHECKING:
    from storage import ChannelRecord, DeliveryRecord


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "deliveries", help="list alert deliveries and failing channels"
    )
    add_db_option(parser)
    parser.add_argument("--failed", action="store_true", help="only deliveries given up as failed")
    parser.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--retry-failed",
        action="store_true",
        help="queue every failed delivery again (once the channel's problem is fixed)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    database = open_database(args.db)
    try:
        if args.retry_failed:
            with database.transaction() as repo:
                count = repo.retry_failed_deliveries(datetime.now(UTC))
            print(f"queued {count} failed deliveries again")
            return 0
        with database.reader() as repo:
            failing = repo.list_channels(failing_only=True)
            deliveries = repo.list_deliveries(failed_only=args.failed, limit=args.limit)
            counts = repo.count_deliveries_by_status()
    finally:
        database.dispose()
    if args.json:
        for channel in failing:
            print(json.dumps(channel_as_json(channel), ensure_ascii=False))
        for delivery in deliveries:
            print(json.dumps(delivery_as_json(delivery), ensure_ascii=False))
        return 0
    print_failing(failing)
    for delivery in deliveries:
        print(delivery_line(delivery))
    if not deliveries:
        print("no failed deliveries" if args.failed else "no deliveries yet")
    if counts:
        print("totals: " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
    return 0


def print_failing(channels: list[ChannelRecord]) -> None:
    if not channels:
        return
    print("failing channels (not retried; fix them, then `watcher deliveries --retry-failed`):")
    for channel in channels:
        since = f"{channel.failing_since:%Y-%m-%d %H:%M} UTC" if channel.failing_since else "?"
        print(f"  ✗ {channel.label}  since {since}  ({channel.failed_deliveries} failed)")
        if channel.last_error:
            print(f"      {channel.last_error}")
    print()


def delivery_line(delivery: DeliveryRecord) -> str:
    created = f"{delivery.created_at:%Y-%m-%d %H:%M} UTC"
    head = (
        f"#{delivery.id}  {created}  change #{delivery.change_id} {delivery.target_id}"
        f" → {delivery.subscription_id} {delivery.channel_label}"
    )
    return f"{head}\n    {status_text(delivery)}"


def status_text(delivery: DeliveryRecord) -> str:
    tries = f"{delivery.attempts} attempt{'' if delivery.attempts == 1 else 's'}"
    if delivery.status == "delivered" and delivery.delivered_at is not None:
        return f"delivered {delivery.delivered_at:%Y-%m-%d %H:%M} UTC after {tries}"
    if delivery.status == "failed_permanent":
        return f"FAILED after {tries}: {delivery.last_error}"
    due = f"{delivery.next_attempt_at:%Y-%m-%d %H:%M} UTC"
    if delivery.status == "digest_pending":
        text = f"waiting for its digest at {due}"
    elif delivery.status == "sending":
        text = f"being sent by {delivery.claimed_by}"
    else:
        text = f"pending, next attempt {due}"
    return f"{text} ({tries}; last error: {delivery.last_error})" if delivery.last_error else text


def delivery_as_json(delivery: DeliveryRecord) -> dict[str, object]:
    return {
        "id": delivery.id,
        "change_id": delivery.change_id,
        "target": delivery.target_id,
        "subscription": delivery.subscription_id,
        "channel": delivery.channel_label,
        "channel_key": delivery.channel_key,
        "mode": delivery.mode,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at.isoformat(),
        "last_error": delivery.last_error,
        "created_at": delivery.created_at.isoformat(),
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
    }


def channel_as_json(channel: ChannelRecord) -> dict[str, object]:
    return {
        "failing_channel": channel.label,
        "channel_key": channel.key,
        "failing_since": channel.failing_since.isoformat() if channel.failing_since else None,
        "last_error": channel.last_error,
        "failed_deliveries": channel.failed_deliveries,
    }
