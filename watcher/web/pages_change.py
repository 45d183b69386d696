"""`/changes/{id}`: findings with their evidence, the word-level diff, the other regions."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException
from markupsafe import Markup
from starlette.responses import HTMLResponse

from storage import ChangeRecord
from watcher.diff import Change
from watcher.web.evidence import version_evidence
from watcher.web.filters import MAX_ROW_ID
from watcher.web.state import Web
from watcher.web.views import change_view

router = APIRouter()

# Changes of the same source in other regions this close in time count as "the same change".
SAME_TIME = timedelta(hours=12)
MAX_OTHER_REGIONS = 50
VIEWS = ("inline", "side")


@router.get("/changes/{change_id:int}", response_class=HTMLResponse, include_in_schema=False)
def change_page(change_id: int, web: Web, view: str = "inline") -> HTMLResponse:
    if view not in VIEWS:
        raise HTTPException(400, "view: expected inline or side")
    with web.context.database.reader() as repo:
        change = repo.get_change(change_id) if change_id <= MAX_ROW_ID else None
        if change is None:
            raise HTTPException(404, f"no change #{change_id}")
        target = repo.get_target(change.target_id)
        others = [
            c
            for c in repo.list_changes(
                source_id=change.source_id,
                since=change.detected_at - SAME_TIME,
                until=change.detected_at + SAME_TIME,
                limit=MAX_OTHER_REGIONS,
                with_diff=False,
            )
            if c.target_id != change.target_id
        ]
        before = version_evidence(repo, change.from_snapshot_id)
        after = version_evidence(repo, change.to_snapshot_id)
    return web.pages.html(
        "change.html",
        change=change_view(change, web.context.targets),
        target=target,
        view=view,
        diff_html=diff_html(change, view),
        others=[change_view(c, web.context.targets) for c in others],
        atom_url=f"/feeds/changes.atom?source={change.source_id}",
        evidence_before=before,
        evidence_after=after,
        evidence_served=web.context.evidence is not None,
    )


def diff_html(change: ChangeRecord, view: str) -> Markup | None:
    """The stored diff rendered by `watcher.diff` (which escapes every page text), or None
    when it cannot be read (written by another version)."""
    try:
        diff = Change.from_json(change.diff)
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    html = diff.to_html_side_by_side() if view == "side" else diff.to_html_inline()
    return Markup(html)
