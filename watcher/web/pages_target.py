"""`/targets` and `/targets/{id}`: each target's state, checks, volatile spans and next check."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException
from starlette.responses import HTMLResponse

from storage import CheckRecord, TargetRecord
from watcher.distributed.status import target_backoff, url_politeness
from watcher.pipeline.outcome import UNSTABLE_WINDOW
from watcher.web.state import Web, WebState
from watcher.web.views import target_health

router = APIRouter()

RECENT_CHECKS = 30


@router.get("/targets", response_class=HTMLResponse, include_in_schema=False)
def targets_page(web: Web) -> HTMLResponse:
    with web.context.database.reader() as repo:
        targets = repo.list_targets(active_only=False)
        rows = [(t, target_health(repo.recent_checks(t.id, UNSTABLE_WINDOW))) for t in targets]
    # Failing, then unstable targets first: what needs a look is on top.
    rows.sort(key=lambda row: (not row[1].failing, not row[1].unstable, row[0].id))
    return web.pages.html("targets.html", rows=rows)


@router.get("/targets/{target_id:path}", response_class=HTMLResponse, include_in_schema=False)
def target_page(target_id: str, web: Web) -> HTMLResponse:
    with web.context.database.reader() as repo:
        target = repo.get_target(target_id)
        if target is None:
            raise HTTPException(404, f"no target {target_id!r}")
        checks = repo.recent_checks(target_id, RECENT_CHECKS)
        spans = repo.volatile_spans(target_id, masked_only=False)
        snapshots = repo.snapshot_history(target_id, limit=10)
        changes = repo.list_changes(target_id=target_id, limit=10, with_diff=False)
        schedule = repo.schedule_of(target_id)
    politeness = web.context.politeness
    return web.pages.html(
        "target.html",
        target=target,
        health=target_health(checks),
        checks=checks,
        spans=spans,
        snapshots=snapshots,
        changes=changes,
        next_due=next_check_due(web, target, checks),
        backoff=target_backoff(schedule) if schedule is not None else None,
        host=url_politeness([target.url], politeness)[0] if politeness is not None else None,
    )


def next_check_due(
    web: WebState, target: TargetRecord, checks: list[CheckRecord]
) -> datetime | None:
    """The scheduler's next run when it runs in this process, else one interval after the
    last check (None when the configuration is not known here)."""
    runtime = web.context.runtime
    if runtime.next_due is not None:
        return runtime.next_due(target.id)
    settings = web.context.targets.get(target.id)
    if settings is None or not checks:
        return None
    return checks[0].finished_at + settings.interval
