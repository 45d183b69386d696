"""Fixtures for the alerts tests; their implementations live in alerts_testkit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alerts_testkit import Endpoint, ManualClock, SmtpServer, running_smtp
from apprise.plugins.slack import NotifySlack
from apprise.plugins.telegram import NotifyTelegram

from storage import Database


@pytest.fixture
def database(migrated_database: Database) -> Database:
    """A migrated database: SQLite in tmp_path, and the real PostgreSQL."""
    return migrated_database


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'watcher.db'}")
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    running = Endpoint().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from running_smtp()


@pytest.fixture
def chat_apis(endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch) -> Endpoint:
    """Apprise's real Telegram and Slack plugins, pointed at the loopback endpoint."""
    monkeypatch.setattr(NotifyTelegram, "notify_url", f"{endpoint.base_url}/bot")
    monkeypatch.setattr(NotifyTelegram, "request_rate_per_sec", 0)
    monkeypatch.setattr(NotifySlack, "webhook_url", f"{endpoint.base_url}/services")
    monkeypatch.setattr(NotifySlack, "request_rate_per_sec", 0)
    endpoint.reply = b'{"ok": true, "result": {"message_id": 1}}'
    return endpoint
