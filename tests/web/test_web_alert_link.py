"""An alert's change link, as `notifiers` renders it, opens that change in the web app."""

from __future__ import annotations

import re

import httpx
import pytest
from web_testkit import History, context_for

from notifiers.channels import channel_for_url
from notifiers.render import render_alert
from storage import Database
from watcher.alerts.messages import DEFAULT_BASE_URL, build_alert, web_base_url
from watcher.cli.serving import DEFAULT_WEB_PORT
from watcher.web import create_app
from watcher.web.server import DEFAULT_HOST, WebServer


@pytest.mark.parametrize(
    "channel",
    [
        "mailto://127.0.0.1:2525?from=alerts@example.com&to=ops@example.org",
        "tgram://123456:ABCdef/987654",
    ],
)
def test_the_link_in_an_alert_opens_its_change(
    database: Database, history: History, channel: str
) -> None:
    server = WebServer(create_app(context_for(database, history.seeded.target_ids)), port=0)
    base_url = server.start()
    try:
        with database.reader() as repo:
            change = repo.get_change(history.newest_change)
            assert change is not None
            target = repo.get_target(change.target_id)
        message = render_alert(build_alert(change, target, base_url), channel_for_url(channel))
        links = re.findall(re.escape(base_url) + r"/changes/\d+", message.body)
        assert links and set(links) == {f"{base_url}/changes/{change.id}"}
        response = httpx.get(links[0], timeout=30)
        assert response.status_code == 200
        assert f"Change #{change.id}: {change.source_id} · {change.region_id}" in response.text
    finally:
        server.stop()


def test_the_default_base_url_is_where_the_app_serves_by_default() -> None:
    assert web_base_url({}) == DEFAULT_BASE_URL == f"http://{DEFAULT_HOST}:{DEFAULT_WEB_PORT}"
