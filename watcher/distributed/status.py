"""What /healthz and /metrics show of the schedule and the workers, as plain functions of the
database and the time (the web app calls them; nothing here serves HTTP).

- `health_report(database, now)`: a JSON-ready dict with `ok`, the workers seen lately with the
  regions each refuses and why, the regions no live worker takes, and the targets backing off.
- `metrics_text(database, now)`: the same as Prometheus text.
- `target_backoff(schedule)`, `host_politeness(targets, politeness)` and
  `url_politeness(urls, politeness)`: for a target's page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage import Database, ScheduleRecord, WorkerStatusRecord
from watcher.config import PolitenessConfig, Target
from watcher.scheduling.backoff import SLOWING_KINDS
from watcher.scheduling.politeness import HostPacer, host_of

# A worker not heard from for this long (three heartbeats and some) is taken for gone.
WORKER_GONE_AFTER = timedelta(minutes=2)
# A target due longer ago than this is overdue: nobody is checking it.
OVERDUE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class ScheduleState:
    workers: list[WorkerStatusRecord]
    schedules: list[ScheduleRecord]


def read_state(database: Database, now: datetime) -> ScheduleState:
    with database.reader() as repo:
        workers = repo.worker_statuses(seen_since=now - WORKER_GONE_AFTER)
        active = {t.id for t in repo.list_targets()}
        schedules = [s for s in repo.schedules().values() if s.target_id in active]
    return ScheduleState([w for w in workers if not w.stopped], schedules)


def target_backoff(schedule: ScheduleRecord) -> dict[str, Any]:
    """The backoff state of one target, for its page in the web app."""
    return {
        "target": schedule.target_id,
        "next_due_at": schedule.next_due_at.isoformat(),
        "failures_in_a_row": schedule.failures,
        "last_failure_kind": schedule.last_failure_kind,
        "backing_off": schedule.failures > 0,
        "slowed_by_host": schedule.last_failure_kind in SLOWING_KINDS,
    }


def host_politeness(
    targets: Sequence[Target], politeness: PolitenessConfig
) -> list[dict[str, Any]]:
    """How each host of `targets` is fetched (per process): at most how many pages at once, and
    how far apart their starts are; `held_back` False for a loopback host nobody configured."""
    return url_politeness([t.url for t in targets], politeness)


def url_politeness(urls: Iterable[str], politeness: PolitenessConfig) -> list[dict[str, Any]]:
    """`host_politeness` of the hosts of `urls` (a stored target knows its URL, not its config)."""
    pacer = HostPacer(politeness)
    rows = []
    for host in sorted({host_of(url) for url in urls}):
        policy = pacer.policy(host)
        rows.append(
            {
                "host": host,
                "held_back": policy is not None,
                "max_concurrent": policy.max_concurrent if policy else None,
                "min_spacing_s": policy.min_spacing.total_seconds() if policy else None,
            }
        )
    return rows


def health_report(database: Database, now: datetime) -> dict[str, Any]:
    state = read_state(database, now)
    refused = {w.worker_id: dict(w.refused) for w in state.workers if w.refused}
    overdue = [s.target_id for s in state.schedules if now - s.next_due_at > OVERDUE_AFTER]
    backing_off = [target_backoff(s) for s in state.schedules if s.failures > 0]
    return {
        "ok": not refused and not overdue,
        "workers": [
            {
                "worker": w.worker_id,
                "regions": list(w.regions),
                "refused": dict(w.refused),
                "checks_done": w.checks_done,
                "seen_at": w.seen_at.isoformat(),
            }
            for w in state.workers
        ],
        "refused_regions": refused,
        "overdue_targets": overdue,
        "backing_off": backing_off,
    }


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def metrics_text(database: Database, now: datetime) -> str:
    state = read_state(database, now)
    lines = [
        "# HELP watcher_worker_up A worker seen in the last two minutes, per region it serves.",
        "# TYPE watcher_worker_up gauge",
    ]
    for worker in state.workers:
        for region in worker.regions:
            taken = 0 if region in worker.refused else 1
            lines.append(
                f'watcher_worker_up{{worker="{_label(worker.worker_id)}",'
                f'region="{_label(region)}"}} {taken}'
            )
    lines += [
        "# HELP watcher_worker_region_refused 1 when the worker was served another region's "
        "legal text and does not take the region's tasks.",
        "# TYPE watcher_worker_region_refused gauge",
    ]
    for worker in state.workers:
        for region in worker.regions:
            refused = 1 if region in worker.refused else 0
            lines.append(
                f'watcher_worker_region_refused{{worker="{_label(worker.worker_id)}",'
                f'region="{_label(region)}"}} {refused}'
            )
    lines += [
        "# HELP watcher_worker_checks_total Checks a worker ran since it started.",
        "# TYPE watcher_worker_checks_total counter",
    ]
    for worker in state.workers:
        lines.append(
            f'watcher_worker_checks_total{{worker="{_label(worker.worker_id)}"}} '
            f"{worker.checks_done}"
        )
    overdue = sum(1 for s in state.schedules if now - s.next_due_at > OVERDUE_AFTER)
    slowed = sum(1 for s in state.schedules if s.failures and s.last_failure_kind in SLOWING_KINDS)
    failing = sum(1 for s in state.schedules if s.failures)
    lines += [
        "# HELP watcher_targets_overdue Targets due for more than 15 minutes.",
        "# TYPE watcher_targets_overdue gauge",
        f"watcher_targets_overdue {overdue}",
        "# HELP watcher_targets_backing_off Targets whose last checks failed, by cause.",
        "# TYPE watcher_targets_backing_off gauge",
        f'watcher_targets_backing_off{{cause="rate_limited_or_blocked"}} {slowed}',
        f'watcher_targets_backing_off{{cause="other"}} {failing - slowed}',
    ]
    return "\n".join(lines) + "\n"
