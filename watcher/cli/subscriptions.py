"""`watcher subscriptions`: who is told what, through which channels (secrets redacted)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from watcher.cli.common import open_database
from watcher.cli.options import add_config_option
from watcher.cli.startup import load_setup
from watcher.settings import config_path

if TYPE_CHECKING:
    from storage import ChannelRecord
    from watcher.alerts import Subscription
    from watcher.config import SubscriptionConfig


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "subscriptions", help="list the alert subscriptions and their channels"
    )
    add_config_option(parser)
    parser.add_argument(
        "--status", action="store_true", help="also show each channel's health from the database"
    )
    parser.add_argument("--db", help="database URL for --status (default: $WATCHER_DB)")
    parser.add_argument("--json", action="store_true", help="one JSON object per subscription")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    setup = load_setup(config_path(args.config))
    config, subscriptions = setup.config, setup.subscriptions
    channels: dict[str, ChannelRecord] = {}
    if args.status:
        database = open_database(args.db)
        try:
            with database.reader() as repo:
                channels = {c.key: c for c in repo.list_channels()}
        finally:
            database.dispose()
    for subscription in subscriptions:
        if args.json:
            print(json.dumps(subscription_as_json(subscription, channels), ensure_ascii=False))
        else:
            print_subscription(subscription, channels)
    if not subscriptions and not args.json:
        print(f"no subscriptions in {config.file} (add a 'subscriptions:' section)")
    return 0


def filters_text(config: SubscriptionConfig) -> str:
    parts = [
        f"{name} {', '.join(values)}"
        for name, values in (
            ("sources", config.sources),
            ("regions", config.regions),
            ("kinds", config.kinds),
        )
        if values
    ]
    if config.min_severity is not None:
        parts.append(f"severity ≥ {config.min_severity}")
    return " · ".join(parts) or "every change"


def mode_text(config: SubscriptionConfig) -> str:
    return f"digest ({config.digest_period})" if config.mode == "digest" else "immediate"


def subscription_as_json(
    subscription: Subscription, channels: dict[str, ChannelRecord]
) -> dict[str, object]:
    config = subscription.config
    return {
        "id": config.id,
        "mode": config.mode,
        "digest": config.digest_period if config.mode == "digest" else None,
        "sources": config.sources,
        "regions": config.regions,
        "kinds": config.kinds,
        "min_severity": config.min_severity,
        "apprise_config": config.apprise_config,
        "tags": config.tags,
        "channels": [
            {
                "key": d.key,
                "url": d.label,
                **_status_json(channels.get(d.key)),
            }
            for d in subscription.destinations
        ],
    }


def _status_json(channel: ChannelRecord | None) -> dict[str, object]:
    if channel is None:
        return {}
    return {
        "failing_since": channel.failing_since.isoformat() if channel.failing_since else None,
        "last_error": channel.last_error,
        "open_deliveries": channel.open_deliveries,
        "failed_deliveries": channel.failed_deliveries,
    }


def print_subscription(subscription: Subscription, channels: dict[str, ChannelRecord]) -> None:
    config = subscription.config
    print(f"{config.id}  {mode_text(config)}  {filters_text(config)}")
    if config.apprise_config is not None:
        tags = f" (tags: {', '.join(config.tags)})" if config.tags else ""
        print(f"    from {config.apprise_config}{tags}")
    for destination in subscription.destinations:
        print(f"    → {destination.label}{_status_text(channels.get(destination.key))}")


def _status_text(channel: ChannelRecord | None) -> str:
    if channel is None:
        return ""
    if channel.failing_since is not None:
        return f"  FAILING since {channel.failing_since:%Y-%m-%d %H:%M} UTC: {channel.last_error}"
    waiting = f", {channel.open_deliveries} waiting" if channel.open_deliveries else ""
    return f"  ok{waiting}"
