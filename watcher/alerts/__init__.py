"""Alerts: which subscriptions a change concerns (pure matching), and the dispatcher that
delivers the outbox through `notifiers` with retries, leases and recorded attempts."""

from watcher.alerts.backoff import RetryPolicy
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
    "subscription_matches",
    "web_base_url",
]
