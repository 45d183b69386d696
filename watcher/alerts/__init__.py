"""Alerts: which subscriptions a change concerns (pure matching), the channels of each
subscription checked with Apprise at start-up, and the dispatcher that delivers the outbox
through `notifiers` with retries, leases and recorded attempts.

Names are imported on first use: the dispatcher brings the database layer, which commands that
only check subscriptions (`watcher validate`) must not load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from watcher.lazy import lazy_exports

if TYPE_CHECKING:
    from watcher.alerts.backoff import RetryPolicy
    from watcher.alerts.channel_config import subscription_channel_urls
    from watcher.alerts.dispatch import Dispatcher, DispatchSettings, DispatchStats
    from watcher.alerts.matching import deliveries_for_change, subscription_matches
    from watcher.alerts.messages import build_alert, change_url, web_base_url
    from watcher.alerts.periods import period_end, period_label, period_start
    from watcher.alerts.subscriptions import (
        Destination,
        Subscription,
        channel_key,
        resolve_subscription,
        resolve_subscriptions,
    )

__all__ = [
    "Destination",
    "DispatchSettings",
    "DispatchStats",
    "Dispatcher",
    "RetryPolicy",
    "Subscription",
    "build_alert",
    "change_url",
    "channel_key",
    "deliveries_for_change",
    "period_end",
    "period_label",
    "period_start",
    "resolve_subscription",
    "resolve_subscriptions",
    "subscription_channel_urls",
    "subscription_matches",
    "web_base_url",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "RetryPolicy": "backoff",
        "subscription_channel_urls": "channel_config",
        "Dispatcher": "dispatch",
        "DispatchSettings": "dispatch",
        "DispatchStats": "dispatch",
        "deliveries_for_change": "matching",
        "subscription_matches": "matching",
        "build_alert": "messages",
        "change_url": "messages",
        "web_base_url": "messages",
        "period_end": "periods",
        "period_label": "periods",
        "period_start": "periods",
        "Destination": "subscriptions",
        "Subscription": "subscriptions",
        "channel_key": "subscriptions",
        "resolve_subscription": "subscriptions",
        "resolve_subscriptions": "subscriptions",
    },
)
