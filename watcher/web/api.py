"""The JSON API (`/api/...`): targets, checks, changes with findings, snapshots, compare.

Lists are newest first with keyset pages: `next` is the address of the following page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Protocol, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Query, Request

from storage import ChangeRecord, CheckRecord, SnapshotSummary, TargetRecord
from watcher.alerts.messages import change_url
from watcher.classify import FindingKind, Severity
from watcher.pipeline.outcome import UNSTABLE_WINDOW
from watcher.stored import change_as_json
from watcher.web.api_models import (
    ChangeOut,
    CheckOut,
    ComparisonOut,
    ErrorOut,
    Page,
    RetriedOut,
    SnapshotOut,
    SnapshotSummaryOut,
    TargetOut,
    TriggeredOut,
)
from watcher.web.filters import MAX_ID, MAX_ROW_ID, MAX_TEXT, NO_CONTROLS, parse_filter
from watcher.web.pages_compare import load_comparison
from watcher.web.security import require_token
from watcher.web.state import Web, WebState
from watcher.web.views import target_health

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "a parameter cannot be used"},
    404: {"model": ErrorOut, "description": "no such item"},
}

router = APIRouter(prefix="/api", responses=ERRORS)

Limit = Annotated[int, Query(ge=1, le=200, description="at most this many items")]
Before = Annotated[
    int | None, Query(ge=1, le=MAX_ROW_ID, description="keyset: items older than this id")
]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
IdPath = Annotated[str, Path(max_length=MAX_ID, pattern=NO_CONTROLS)]


def _id_query(description: str) -> Any:
    return Query(description=description, max_length=MAX_ID, pattern=NO_CONTROLS)


class _Row(Protocol):
    @property
    def id(self) -> int: ...


RowT = TypeVar("RowT", bound=_Row)


def _page(
    request: Request, rows: Sequence[RowT], as_json: Callable[[RowT], dict[str, Any]], limit: int
) -> dict[str, Any]:
    """One page of a list: its items, and the address of the next page (keyset: `before` the
    last id) when this one is full."""
    following = None
    if rows and len(rows) >= limit:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "before"]
        following = f"{request.url.path}?{urlencode([*params, ('before', str(rows[-1].id))])}"
    return {"items": [as_json(row) for row in rows], "next": following}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def target_json(target: TargetRecord, state: str) -> dict[str, Any]:
    return {
        "id": target.id,
        "source": target.source_id,
        "region": target.region_id,
        "url": target.url,
        "title": target.title,
        "active": target.active,
        "last_checked_at": _iso(target.last_checked_at),
        "last_outcome": target.last_outcome,
        "state": state,
    }


def check_json(check: CheckRecord) -> dict[str, Any]:
    return {
        "id": check.id,
        "target": check.target_id,
        "started_at": check.started_at.isoformat(),
        "finished_at": check.finished_at.isoformat(),
        "outcome": check.outcome,
        "failure_kind": check.failure_kind,
        "failure_detail": check.failure_detail,
        "http_status": check.http_status,
        "final_url": check.final_url,
        "timings": check.timings,
        "snapshot": check.snapshot_id,
        "change": check.change_id,
        "notes": list(check.notes),
    }


def summary_json(snapshot: SnapshotSummary) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "target": snapshot.target_id,
        "taken_at": snapshot.taken_at.isoformat(),
        "final_url": snapshot.final_url,
        "http_status": snapshot.http_status,
        "content_sha256": snapshot.content_sha256,
        "text_length": snapshot.text_length,
    }


@router.get("/targets", response_model=list[TargetOut])
def api_targets(web: Web) -> list[dict[str, Any]]:
    with web.context.database.reader() as repo:
        return [
            target_json(t, target_health(repo.recent_checks(t.id, UNSTABLE_WINDOW)).state)
            for t in repo.list_targets(active_only=False)
        ]


@router.get("/targets/{target_id:path}", response_model=TargetOut)
def api_target(target_id: IdPath, web: Web) -> dict[str, Any]:
    with web.context.database.reader() as repo:
        found = next((t for t in repo.list_targets(active_only=False) if t.id == target_id), None)
        if found is None:
            raise HTTPException(404, f"no target {target_id!r}")
        return target_json(
            found, target_health(repo.recent_checks(target_id, UNSTABLE_WINDOW)).state
        )


@router.get("/checks", response_model=Page[CheckOut])
def api_checks(
    request: Request,
    web: Web,
    target: Annotated[str | None, _id_query("only this target")] = None,
    before: Before = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    with web.context.database.reader() as repo:
        checks = repo.list_checks(target_id=target, before_id=before, limit=limit)
    return _page(request, checks, check_json, limit)


@router.get("/checks/{check_id}", response_model=CheckOut)
def api_check(check_id: RowId, web: Web) -> dict[str, Any]:
    with web.context.database.reader() as repo:
        check = repo.get_check(check_id)
    if check is None:
        raise HTTPException(404, f"no check #{check_id}")
    return check_json(check)


def _change_json(web: WebState, change: ChangeRecord) -> dict[str, Any]:
    data = change_as_json(change)
    data["check"] = change.check_id
    data["url"] = change_url(web.context.base_url, change.id)
    return data


@router.get("/changes", response_model=Page[ChangeOut])
def api_changes(
    request: Request,
    web: Web,
    *,
    source: Annotated[str | None, _id_query("only this source id")] = None,
    region: Annotated[str | None, _id_query("only this region id")] = None,
    kind: Annotated[FindingKind | None, Query(description="a finding of this kind")] = None,
    min_severity: Annotated[Severity | None, Query(description="at least this severe")] = None,
    since: Annotated[date | None, Query(description="on or after this day")] = None,
    until: Annotated[date | None, Query(description="on or before this day")] = None,
    q: Annotated[
        str | None,
        Query(
            description="text in the summary or evidence", max_length=MAX_TEXT, pattern=NO_CONTROLS
        ),
    ] = None,
    before: Before = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    feed = parse_filter(request.query_params)
    with web.context.database.reader() as repo:
        changes = feed.changes(repo, limit)
    return _page(request, changes, lambda change: _change_json(web, change), limit)


@router.get("/changes/{change_id}", response_model=ChangeOut)
def api_change(change_id: RowId, web: Web) -> dict[str, Any]:
    with web.context.database.reader() as repo:
        change = repo.get_change(change_id)
    if change is None:
        raise HTTPException(404, f"no change #{change_id}")
    return _change_json(web, change)


@router.get("/snapshots", response_model=Page[SnapshotSummaryOut])
def api_snapshots(
    request: Request,
    target: Annotated[str, _id_query("the target whose versions to list")],
    web: Web,
    before: Before = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    with web.context.database.reader() as repo:
        versions = repo.snapshot_history(target, limit, before_id=before)
    return _page(request, versions, summary_json, limit)


@router.get("/snapshots/{snapshot_id}", response_model=SnapshotOut)
def api_snapshot(snapshot_id: RowId, web: Web) -> dict[str, Any]:
    with web.context.database.reader() as repo:
        snapshot = repo.get_snapshot(snapshot_id)
        next_id = repo.next_snapshot_id(snapshot_id) if snapshot is not None else None
    if snapshot is None:
        raise HTTPException(404, f"no snapshot #{snapshot_id}")
    return {
        "id": snapshot.id,
        "target": snapshot.target_id,
        "taken_at": snapshot.taken_at.isoformat(),
        "final_url": snapshot.final_url,
        "http_status": snapshot.http_status,
        "content_sha256": snapshot.content_sha256,
        "previous": snapshot.previous_id,
        "next": next_id,
        "canonical_text": snapshot.canonical_text,
    }


@router.get("/compare/{source_id}", response_model=ComparisonOut)
def api_compare(
    source_id: IdPath,
    a: Annotated[str, _id_query("first region id")],
    b: Annotated[str, _id_query("second region id")],
    web: Web,
) -> dict[str, object]:
    return load_comparison(web.context.database, source_id, a, b).to_json()


WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "no valid token"},
    403: {"model": ErrorOut, "description": "writes are disabled"},
    503: {"model": ErrorOut, "description": "no scheduler runs in this process"},
}


@router.post("/checks", response_model=TriggeredOut, status_code=202, responses=WRITE_ERRORS)
def api_trigger_check(
    request: Request,
    target: Annotated[str, _id_query("the target to check now")],
    web: Web,
) -> dict[str, Any]:
    """Ask the scheduler of this process to check a target now (needs the token)."""
    require_token(request, web.context.write_token)
    trigger = web.context.runtime.trigger
    if trigger is None:
        raise HTTPException(503, "no scheduler runs in this process: use `watcher run`")
    if not trigger(target):
        raise HTTPException(404, f"no scheduled target {target!r}")
    return {"target": target, "queued": True}


@router.post("/deliveries/retry-failed", response_model=RetriedOut, responses=WRITE_ERRORS)
def api_retry_failed(request: Request, web: Web) -> dict[str, Any]:
    """Queue every failed delivery again, once its channel is fixed (needs the token)."""
    require_token(request, web.context.write_token)
    with web.context.database.transaction() as repo:
        count = repo.retry_failed_deliveries(datetime.now(UTC))
    return {"queued": count}
