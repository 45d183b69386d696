"""Atom feeds (RFC 4287): the whole history, or any filter state of the feed page.

Entry ids are the changes' permalinks (`WATCHER_BASE_URL/changes/N`), a feed's id its own
address: stable for as long as the service keeps its public address.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from watcher.alerts.messages import change_url
from watcher.web.filters import parse_filter
from watcher.web.state import Web
from watcher.web.views import change_view

router = APIRouter()

ATOM_TYPE = "application/atom+xml; charset=utf-8"
FEED_ENTRIES = 50
# A feed with no entry yet still needs an <updated>: the epoch of the history, fixed.
EMPTY_FEED_UPDATED = datetime(2024, 1, 1, tzinfo=UTC)


@router.get("/feeds/changes.atom", include_in_schema=False)
def changes_feed(request: Request, web: Web) -> Response:
    feed = parse_filter(request.query_params).page_after(None)
    with web.context.database.reader() as repo:
        changes = feed.changes(repo, FEED_ENTRIES)
    base = web.context.base_url
    query = feed.query_string()
    title = "watcher: changes" + (
        " (" + ", ".join(f"{k} {v}" for k, v in feed.query_items()) + ")" if query else ""
    )
    return web.pages.xml(
        "feed.atom.xml",
        ATOM_TYPE,
        title=title,
        feed_id=f"{base}/feeds/changes.atom{query}",
        html_url=f"{base}/changes{query}",
        updated=changes[0].detected_at if changes else EMPTY_FEED_UPDATED,
        entries=[(change_view(c, web.context.targets), change_url(base, c.id)) for c in changes],
    )
