"""Fixtures of the web tests: a seeded history on SQLite and PostgreSQL and an in-process client.

The seeded history is read-only for the page, feed and API tests, so each backend's copy is
built once per module; tests that write get a fresh one (`fresh_database`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from web_testkit import BASE_URL, SEEDED_CHANGES, History, context_for, seed

from storage import Database
from watcher.web import create_app

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _database_for(backend: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[Database]:
    if backend == "sqlite":
        database = Database(f"sqlite:///{folder / 'watcher.db'}")
        database.upgrade()
        try:
            yield database
        finally:
            database.dispose()
        return
    session_url: URL = request.getfixturevalue("postgres_session_url")
    schema = f"web_{secrets.token_hex(6)}"
    admin = create_engine(session_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = session_url.update_query_dict({"options": f"-csearch_path={schema}"})
    database = Database(url.render_as_string(hide_password=False))
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, History]]:
    folder = tmp_path_factory.mktemp("web")
    for database in _database_for(request.param, request, folder):
        yield database, seed(database, SEEDED_CHANGES)


@pytest.fixture
def database(seeded: tuple[Database, History]) -> Database:
    return seeded[0]


@pytest.fixture
def history(seeded: tuple[Database, History]) -> History:
    return seeded[1]


@pytest.fixture
def fresh_database(migrated_database: Database) -> Database:
    """An empty migrated database of its own, for tests that write."""
    return migrated_database


@pytest.fixture
def client(database: Database, history: History) -> Iterator[TestClient]:
    app = create_app(context_for(database, history.seeded.target_ids))
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client
