"""Scheduling rules with a controllable clock: backoff, first due times, politeness per host."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage import ScheduleRecord
from watcher.config import PolitenessConfig, parse_config
from watcher.distributed.status import host_politeness
from watcher.fetch.base import FetchRequest, FetchResult
from watcher.schedule import first_due_times, pick_due
from watcher.scheduling import (
    RETRY_AFTER_BLOCK,
    RETRY_AFTER_FAILURE,
    HostPacer,
    PoliteFetcher,
    after_check,
)

NOW = datetime(2026, 5, 27, 9, 0, tzinfo=UTC)
SIX_HOURS = timedelta(hours=6)


def test_a_success_is_next_due_one_interval_later_and_forgets_failures() -> None:
    following = after_check(SIX_HOURS, NOW, None, failures_before=4)
    assert (following.due, following.failures) == (NOW + SIX_HOURS, 0)
    assert not following.backing_off


def test_failures_retry_sooner_than_the_interval_later_each_time() -> None:
    delays = []
    failures = 0
    for _ in range(8):
        following = after_check(SIX_HOURS, NOW, "timeout", failures)
        delays.append(following.due - NOW)
        failures = following.failures
    assert delays[:3] == [RETRY_AFTER_FAILURE, RETRY_AFTER_FAILURE * 2, RETRY_AFTER_FAILURE * 4]
    assert delays == sorted(delays)
    assert max(delays) == SIX_HOURS  # never later than the interval
    assert failures == 8


def test_rate_limited_and_blocked_back_off_longer_than_other_failures() -> None:
    for kind in ("rate_limited", "blocked"):
        first = after_check(timedelta(minutes=30), NOW, kind, 0)
        assert first.due - NOW == RETRY_AFTER_BLOCK  # at least an hour, past the interval
        second = after_check(timedelta(minutes=30), NOW, kind, first.failures)
        assert second.due - NOW == RETRY_AFTER_BLOCK * 2
        later = after_check(timedelta(minutes=30), NOW, kind, 20)
        assert later.due - NOW == timedelta(days=1)  # capped
        other = after_check(timedelta(minutes=30), NOW, "timeout", 0)
        assert other.due < first.due


def test_first_due_times_spread_targets_never_checked_and_keep_the_interval_of_others() -> None:
    config = parse_config(CONFIG)
    genai, policy, help_page = config.targets()
    last = {policy.id: NOW - timedelta(hours=1), help_page.id: NOW - timedelta(days=3)}
    due = first_due_times([genai, policy, help_page], last, NOW, timedelta(seconds=30))
    assert due[genai.id] == NOW
    assert due[policy.id] == NOW - timedelta(hours=1) + SIX_HOURS
    assert due[help_page.id] == NOW + timedelta(seconds=20)  # overdue: its share of the spread


def _row(target_id: str) -> ScheduleRecord:
    return ScheduleRecord(target_id, NOW, 0, None, None, None, NOW)


def test_pick_due_leaves_running_and_unknown_targets_and_fills_the_room() -> None:
    rows = [_row("a@fr"), _row("b@fr"), _row("gone@fr"), _row("c@fr")]
    chosen = pick_due(rows, running={"b@fr"}, known={"a@fr", "b@fr", "c@fr"}, room=5)
    assert [r.target_id for r in chosen] == ["a@fr", "c@fr"]
    assert pick_due(rows, running=(), known={"a@fr", "c@fr"}, room=1)[0].target_id == "a@fr"
    assert pick_due(rows, running=(), known={"a@fr"}, room=0) == []


POLITE = PolitenessConfig.model_validate(
    {
        "max_concurrent": 2,
        "min_spacing": "3s",
        "hosts": {
            "help.instagram.com": {"min_spacing": "10s"},
            "127.0.0.1": {"max_concurrent": 1, "min_spacing": "1s"},
        },
    }
)


def test_starts_on_one_host_are_spaced_and_hosts_are_apart() -> None:
    pacer = HostPacer(POLITE)
    starts = [pacer.reserve("www.facebook.com", NOW) for _ in range(3)]
    assert starts == [NOW, NOW + timedelta(seconds=3), NOW + timedelta(seconds=6)]
    assert pacer.reserve("help.instagram.com", NOW) == NOW
    assert pacer.reserve("help.instagram.com", NOW) == NOW + timedelta(seconds=10)
    # Time went by: no wait once the spacing has passed.
    later = NOW + timedelta(minutes=1)
    assert pacer.reserve("www.facebook.com", later) == later


def test_loopback_is_not_held_back_unless_configured() -> None:
    pacer = HostPacer(POLITE)
    assert pacer.policy("localhost") is None
    assert pacer.reserve("::1", NOW) == NOW
    assert pacer.reserve("::1", NOW) == NOW
    listed = pacer.policy("127.0.0.1")
    assert listed is not None and listed.max_concurrent == 1
    assert listed.min_spacing == timedelta(seconds=1)


def test_shipped_defaults_fit_metas_hosts() -> None:
    policy = HostPacer(PolitenessConfig()).policy("www.facebook.com")
    assert policy is not None
    assert policy.max_concurrent <= 2 and policy.min_spacing >= timedelta(seconds=2)


class _GatedFetcher:
    """Holds every fetch until released, counting how many run at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.release = asyncio.Event()
        self.changed = asyncio.Condition()

    async def fetch(self, request: FetchRequest) -> FetchResult:
        async with self.changed:
            self.running += 1
            self.most = max(self.most, self.running)
            self.changed.notify_all()
        await self.release.wait()
        self.running -= 1
        return FetchResult(request.target_id, request.url, request.url, 200, "<html></html>")

    async def close(self) -> None:
        return None


def _request(url: str) -> FetchRequest:
    return FetchRequest(url, url, "fr", "fr-FR", "Europe/Paris", "fr-FR")


def test_polite_fetcher_bounds_fetches_per_host_and_waits_out_the_spacing() -> None:
    clock = [NOW]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += timedelta(seconds=seconds)

    async def go() -> _GatedFetcher:
        inner = _GatedFetcher()
        polite = PoliteFetcher(inner, POLITE, clock=lambda: clock[0], sleep=sleep)
        urls = [f"https://www.facebook.com/p/{i}" for i in range(5)]
        tasks = [asyncio.create_task(polite.fetch(_request(u))) for u in urls]
        async with inner.changed:
            await inner.changed.wait_for(lambda: inner.running >= 2)
        assert inner.running == 2
        inner.release.set()
        await asyncio.gather(*tasks)
        return inner

    inner = asyncio.run(go())
    assert inner.most == 2
    assert waits and all(w > 0 for w in waits)
    assert clock[0] - NOW == timedelta(seconds=12)  # 5 starts, 3 s apart


CONFIG = """\
regions:
  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: "fr-FR,fr;q=0.9"}
politeness:
  max_concurrent: 2
  min_spacing: 3s
  hosts:
    help.instagram.com: {min_spacing: 10s}
sources:
  - {id: fb-genai, title: AI, url: "https://www.facebook.com/privacy/genai/", regions: [fr]}
  - {id: fb-policy, title: Policy, url: "https://www.facebook.com/privacy/policy/", regions: [fr]}
  - {id: ig-help, title: Help, url: "https://help.instagram.com/515230437301944", regions: [fr]}
"""


def test_politeness_is_read_from_sources_yaml_and_checked() -> None:
    config = parse_config(CONFIG)
    assert config.politeness.hosts["help.instagram.com"].min_spacing == timedelta(seconds=10)
    bad = CONFIG.replace("min_spacing: 10s", "min_spacing: 2h")
    try:
        parse_config(bad)
    except Exception as error:
        assert "min_spacing must be between 0s and 10m" in str(error)
    else:
        raise AssertionError("a spacing of 2h was accepted")


def test_host_politeness_lists_each_hosts_policy_for_the_web_app() -> None:
    config = parse_config(CONFIG)
    rows = {row["host"]: row for row in host_politeness(config.targets(), config.politeness)}
    assert rows["help.instagram.com"]["min_spacing_s"] == 10
    assert rows["www.facebook.com"] == {
        "host": "www.facebook.com",
        "held_back": True,
        "max_concurrent": 2,
        "min_spacing_s": 3,
    }
