"""The pure rules: which subscriptions a change concerns, digest periods, retry delays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alerts_testkit import config_with, subscriptions_of

from watcher.alerts import RetryPolicy, deliveries_for_change, period_end, period_label
from watcher.alerts.workers import dead_local_workers, new_worker_id

SUBSCRIPTIONS = """\
subscriptions:
  - id: everything
    urls: json://hooks.example.org/all
  - id: high-fr-de
    urls: [json://hooks.example.org/a, json://hooks.example.org/b]
    regions: [fr, de]
    min_severity: high
  - id: opt-out-genai
    urls: json://hooks.example.org/optout
    sources: [fb-genai]
    kinds: [opt_out_changed]
    mode: digest
    digest: hourly
  - id: medium-policy-de
    urls: json://hooks.example.org/policy
    sources: [fb-policy]
    regions: [de]
    min_severity: medium
"""


@dataclass(frozen=True)
class F:
    kind: str
    severity: str


AT = datetime(2026, 5, 27, 9, 30, tzinfo=UTC)


def told(source: str, region: str, *findings: F) -> list[tuple[str, str]]:
    subscriptions = subscriptions_of(config_with(SUBSCRIPTIONS))
    specs = deliveries_for_change(
        subscriptions, source_id=source, region_id=region, findings=findings, detected_at=AT
    )
    return [(s.subscription_id, s.mode) for s in specs]


def test_a_high_opt_out_finding_reaches_every_matching_subscription_and_channel() -> None:
    assert told("fb-genai", "fr", F("opt_out_changed", "high")) == [
        ("everything", "immediate"),
        ("high-fr-de", "immediate"),
        ("high-fr-de", "immediate"),
        ("opt-out-genai", "digest"),
    ]


def test_severity_and_kind_filters_need_one_finding_passing_both() -> None:
    # A low opt-out finding and a high finding of another kind: no single finding is a
    # high opt-out, but each filter alone is met by one of them.
    findings = (F("opt_out_changed", "low"), F("effective_date_changed", "high"))
    assert told("fb-genai", "de", *findings) == [
        ("everything", "immediate"),
        ("high-fr-de", "immediate"),
        ("high-fr-de", "immediate"),
        ("opt-out-genai", "digest"),
    ]
    assert told("fb-genai", "de", F("cosmetic", "low")) == [("everything", "immediate")]


def test_source_and_region_filters() -> None:
    assert told("fb-policy", "de", F("legal_basis_changed", "medium")) == [
        ("everything", "immediate"),
        ("medium-policy-de", "immediate"),
    ]
    assert told("fb-policy", "fr", F("legal_basis_changed", "medium")) == [
        ("everything", "immediate")
    ]


def test_a_change_without_findings_reaches_only_unfiltered_subscriptions() -> None:
    assert told("fb-genai", "fr") == [("everything", "immediate")]


def test_digest_rows_are_due_at_the_end_of_their_period() -> None:
    subscriptions = subscriptions_of(config_with(SUBSCRIPTIONS))
    specs = deliveries_for_change(
        subscriptions,
        source_id="fb-genai",
        region_id="fr",
        findings=[F("opt_out_changed", "high")],
        detected_at=AT,
    )
    digest = [s for s in specs if s.mode == "digest"]
    assert [s.due_at for s in digest] == [datetime(2026, 5, 27, 10, 0, tzinfo=UTC)]
    assert all(s.due_at is None for s in specs if s.mode == "immediate")
    # Channels are known by a hash and a redacted label, never by the URL.
    assert all(len(s.channel_key) == 64 and "hooks.example.org" in s.channel_label for s in specs)


def test_periods_are_utc_hours_and_days() -> None:
    # 01:45 in Paris on the 28th is 23:45 UTC on the 27th: periods follow UTC.
    paris_evening = datetime(2026, 5, 28, 1, 45, tzinfo=ZoneInfo("Europe/Paris"))
    assert period_end(paris_evening, "hourly") == datetime(2026, 5, 28, 0, 0, tzinfo=UTC)
    assert period_end(paris_evening, "daily") == datetime(2026, 5, 28, 0, 0, tzinfo=UTC)
    assert period_end(AT, "daily") == datetime(2026, 5, 28, tzinfo=UTC)
    assert period_label(AT, "daily") == "daily digest 2026-05-27"
    assert period_label(AT, "hourly") == "hourly digest 2026-05-27 09:00–10:00 UTC"


def test_retry_delays_grow_to_a_cap_with_jitter_and_stop() -> None:
    policy = RetryPolicy()
    delays = [policy.delay(n, 0.0) for n in range(1, 10)]
    assert delays[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert delays[-1] == timedelta(hours=1)
    assert policy.delay(200, 0.0) == timedelta(hours=1)
    assert policy.delay(1, 0.999) == timedelta(seconds=30 * (1 - 0.25 * 0.999))
    assert policy.retry_at(19, AT, 0.0) == AT + timedelta(hours=1)
    assert policy.retry_at(20, AT, 0.0) is None
    total = sum((policy.delay(n, 0.0) for n in range(1, 20)), timedelta())
    assert timedelta(hours=12) < total < timedelta(hours=16)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=1.0)


def test_only_certainly_dead_local_workers_are_released() -> None:
    me = new_worker_id()
    host, pid, _ = me.split(":")
    gone = f"{host}:{2**22 + 12345}:abcd"  # above Linux's pid_max: no such process
    earlier_me = f"{host}:{pid}:0000"  # our pid, another process before us
    alive = f"{host}:1:abcd"  # pid 1 always runs
    elsewhere = f"other-{host}:{2**22 + 12345}:abcd"
    odd = "not-a-worker-id"
    found = dead_local_workers([me, gone, earlier_me, alive, elsewhere, odd], me)
    assert found == {gone, earlier_me}
