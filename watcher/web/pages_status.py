"""`/status`: subscriptions and channels, failing ones first, and the outbox backlog."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import HTMLResponse

from storage.records import OPEN_DELIVERY_STATUSES
from watcher.alerts.subscriptions import Subscription
from watcher.web.state import Web

router = APIRouter()


@router.get("/status", response_class=HTMLResponse, include_in_schema=False)
def status_page(web: Web) -> HTMLResponse:
    with web.context.database.reader() as repo:
        channels = repo.list_channels()  # failing ones first, labels already redacted
        counts = repo.count_deliveries_by_status()
    by_key = {c.key: c for c in channels}
    failing = {c.key for c in channels if c.failing}

    def failing_first(subscription: Subscription) -> tuple[bool, str]:
        has_failing = any(d.key in failing for d in subscription.destinations)
        return not has_failing, subscription.config.id

    subscriptions = sorted(web.context.subscriptions, key=failing_first)
    backlog = sum(n for status, n in counts.items() if status in OPEN_DELIVERY_STATUSES)
    return web.pages.html(
        "status.html",
        channels=channels,
        subscriptions=subscriptions,
        by_key=by_key,
        counts=sorted(counts.items()),
        backlog=backlog,
        writes_enabled=web.context.write_token is not None,
    )
