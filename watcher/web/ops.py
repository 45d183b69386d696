"""`/healthz` (is the database reachable, are the scheduler and dispatcher alive, does every
worker take its regions) and `/metrics` (Prometheus text format, the workers' status included)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from starlette.responses import JSONResponse, PlainTextResponse

from storage import StorageError
from storage.records import OPEN_DELIVERY_STATUSES
from watcher.distributed.status import health_report, metrics_text
from watcher.web.state import Web

router = APIRouter()

PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Fetch durations are summarised over this many of the newest checks.
DURATION_WINDOW = 1000
QUANTILES = (0.5, 0.9, 0.95, 0.99)


@router.get("/healthz", include_in_schema=False)
def healthz(web: Web) -> JSONResponse:
    parts: dict[str, str] = {}
    workers: dict[str, Any] = {}
    try:
        with web.context.database.reader() as repo:
            repo.latest_change_id()
        parts["database"] = "ok"
        workers = _workers(health_report(web.context.database, datetime.now(UTC)))
        parts["workers"] = "region refused" if workers["refused_regions"] else "ok"
    except StorageError:
        parts["database"] = "unreachable"
    runtime = web.context.runtime
    for name, probe in (
        ("scheduler", runtime.scheduler_alive),
        ("dispatcher", runtime.dispatcher_alive),
    ):
        if probe is not None:
            parts[name] = "ok" if probe() else "stopped"
    healthy = all(value == "ok" for value in parts.values())
    return JSONResponse(
        {"status": "ok" if healthy else "failing", **parts, **workers}, 200 if healthy else 503
    )


def _workers(report: dict[str, Any]) -> dict[str, Any]:
    """The distributed workers' part of /healthz: a region a worker refuses (it was served
    another region's legal text) fails the check; overdue and backing-off targets are shown."""
    return {
        "workers_seen": report["workers"],
        "refused_regions": report["refused_regions"],
        "overdue_targets": report["overdue_targets"],
        "backing_off": report["backing_off"],
    }


@router.get("/metrics", include_in_schema=False)
def metrics(web: Web) -> PlainTextResponse:
    with web.context.database.reader() as repo:
        outcomes = repo.check_counts_by_outcome()
        failures = repo.failure_counts_by_kind()
        findings = repo.finding_counts_by_kind()
        deliveries = repo.count_deliveries_by_status()
        timings = repo.recent_check_timings(DURATION_WINDOW)
    durations = sorted(t["total_ms"] / 1000 for t in timings if "total_ms" in t)
    lines: list[str] = []
    lines += _family(
        "watcher_checks_total", "counter", "Checks recorded, by outcome.", "outcome", outcomes
    )
    lines += _family(
        "watcher_check_failures_total",
        "counter",
        "Failed checks, by failure kind.",
        "kind",
        failures,
    )
    lines += _family(
        "watcher_findings_total",
        "counter",
        "Findings of stored changes, by kind.",
        "kind",
        findings,
    )
    lines += _family(
        "watcher_deliveries",
        "gauge",
        "Alert deliveries in the outbox, by status.",
        "status",
        deliveries,
    )
    backlog = sum(n for status, n in deliveries.items() if status in OPEN_DELIVERY_STATUSES)
    lines += [
        "# HELP watcher_outbox_backlog Deliveries not sent yet (pending, sending, digest).",
        "# TYPE watcher_outbox_backlog gauge",
        f"watcher_outbox_backlog {backlog}",
    ]
    lines += _summary("watcher_fetch_duration_seconds", durations)
    workers = metrics_text(web.context.database, datetime.now(UTC))
    return PlainTextResponse("\n".join(lines) + "\n" + workers, media_type=PROMETHEUS_TYPE)


def _family(
    name: str, kind: str, help_text: str, label: str, counts: Mapping[str, int]
) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f'{name}{{{label}="{_label(key)}"}} {count}' for key, count in sorted(counts.items())]
    return lines


def _summary(name: str, values: list[float]) -> list[str]:
    lines = [
        f"# HELP {name} Fetch time of the newest {DURATION_WINDOW} checks.",
        f"# TYPE {name} summary",
    ]
    if values:
        lines += [f'{name}{{quantile="{q}"}} {_quantile(values, q):.3f}' for q in QUANTILES]
    lines += [f"{name}_sum {sum(values):.3f}", f"{name}_count {len(values)}"]
    return lines


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _label(value: str) -> str:
    """A label value escaped as the Prometheus text format asks."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
