"""Which subscriptions a change concerns, as outbox rows to write with the change. Pure.

Filters combine with AND and an empty filter matches everything. `kinds` and `min_severity`
are about findings: at least one finding of the change must be of a listed kind and at least
as severe. A subscription with neither is told of every change, including one the classifier
found nothing in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from notifiers import Severity
from storage import DeliverySpec
from watcher.alerts.periods import period_end
from watcher.alerts.subscriptions import Subscription
from watcher.config import SubscriptionConfig

# The order the messages use (notifiers' `Severity.rank`), by the names findings carry.
SEVERITY_RANK = {severity.value: severity.rank for severity in Severity}


class FindingLike(Protocol):
    """What matching reads of a finding (a classifier `Finding` or a stored `FindingRecord`)."""

    @property
    def kind(self) -> str: ...

    @property
    def severity(self) -> str: ...


def subscription_matches(
    subscription: SubscriptionConfig,
    *,
    source_id: str,
    region_id: str,
    findings: Sequence[FindingLike],
) -> bool:
    if subscription.sources and source_id not in subscription.sources:
        return False
    if subscription.regions and region_id not in subscription.regions:
        return False
    if not subscription.kinds and subscription.min_severity is None:
        return True
    least = SEVERITY_RANK[subscription.min_severity or "low"]
    return any(
        (not subscription.kinds or str(finding.kind) in subscription.kinds)
        and SEVERITY_RANK.get(str(finding.severity), 0) >= least
        for finding in findings
    )


def deliveries_for_change(
    subscriptions: Sequence[Subscription],
    *,
    source_id: str,
    region_id: str,
    findings: Sequence[FindingLike],
    detected_at: datetime,
) -> list[DeliverySpec]:
    """One row per channel of every matching subscription; digest rows due at their period's end."""
    specs: list[DeliverySpec] = []
    for subscription in subscriptions:
        config = subscription.config
        if not subscription_matches(
            config, source_id=source_id, region_id=region_id, findings=findings
        ):
            continue
        due = period_end(detected_at, config.digest_period) if config.mode == "digest" else None
        specs.extend(
            DeliverySpec(
                subscription_id=config.id,
                channel_key=destination.key,
                channel_label=destination.label,
                mode=config.mode,
                due_at=due,
            )
            for destination in subscription.destinations
        )
    return specs
