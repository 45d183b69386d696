"""The feed: changes newest first, filtered, one URL per filter state, keyset pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from watcher.classify import FindingKind, Severity
from watcher.web.filters import FeedFilter, parse_filter
from watcher.web.state import FEED_PAGE_SIZE, Web
from watcher.web.views import change_view

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
@router.get("/changes", response_class=HTMLResponse, include_in_schema=False)
def feed_page(request: Request, web: Web) -> HTMLResponse:
    feed = parse_filter(request.query_params)
    with web.context.database.reader() as repo:
        changes = feed.changes(repo, FEED_PAGE_SIZE)
        sources, regions = repo.source_and_region_ids()
    older = feed.page_after(changes[-1].id) if len(changes) == FEED_PAGE_SIZE else None
    return web.pages.html(
        "feed.html",
        feed=feed,
        changes=[change_view(c, web.context.targets) for c in changes],
        older_url=_feed_url(older) if older else None,
        newest_url=_feed_url(feed.page_after(None)) if feed.before else None,
        atom_url="/feeds/changes.atom" + feed.query_string(),
        sources=sources,
        regions=regions,
        kinds=[k.value for k in FindingKind],
        severities=[s.value for s in Severity],
    )


def _feed_url(feed: FeedFilter) -> str:
    return "/changes" + feed.query_string(with_before=True)
