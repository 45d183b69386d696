"""Fixtures shared across the suite: the simulated Meta site, one real Chromium, and databases.

PostgreSQL: one throw-away database per test session (`watcher_test_<random>`, dropped at the
end) and one fresh schema per test inside it, so runs never collide with each other or with
anything else on the server. The server is found at $WATCHER_TEST_POSTGRES (default: the local
one, trust auth); when it cannot be reached the PostgreSQL variants are skipped with the reason.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_harness import BrowserHarness
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from storage import Database
from storage.errors import redact_url
from watcher.errors import FetchError
from watcher.fetch.browser import choose_executable
from watcher.simsite import SimulatedMetaSite


def chromium_problem() -> str | None:
    """Why no Chromium can be used here, or None when one can."""
    try:
        with sync_playwright() as playwright:
            bundled = playwright.chromium.executable_path
        choose_executable(None, bundled)
    except FetchError as error:
        return str(error)
    return None


@pytest.fixture(scope="session")
def chromium_available() -> None:
    problem = chromium_problem()
    if problem:
        pytest.skip(f"needs a real Chromium: {problem}")


@pytest.fixture
def site() -> Iterator[SimulatedMetaSite]:
    """A fresh simulated Meta site per test: its versions and modes start from scratch."""
    with SimulatedMetaSite(render_delay_ms=60) as running:
        yield running


@pytest.fixture(scope="session")
def browser(chromium_available: None) -> Iterator[BrowserHarness]:
    harness = BrowserHarness()
    yield harness
    harness.close()


POSTGRES_ADMIN_URL = os.environ.get(
    "WATCHER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[URL]:
    """A database created for this test session on the PostgreSQL server, dropped afterwards."""
    admin = create_engine(
        POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        connection = admin.connect()
    except OperationalError as error:
        admin.dispose()
        reason = " ".join(str(error.orig).split())
        pytest.skip(f"PostgreSQL not reachable at {redact_url(POSTGRES_ADMIN_URL)}: {reason}")
    name = f"watcher_test_{secrets.token_hex(6)}"
    connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name)
    finally:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_session_url: URL) -> Iterator[str]:
    """A URL whose connections work in a schema of their own, created empty for this test."""
    schema = f"test_{secrets.token_hex(6)}"
    admin = create_engine(postgres_session_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = postgres_session_url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        # A folder that does not exist yet: Database must create it.
        return f"sqlite:///{tmp_path / 'data' / 'watcher.db'}"
    url: str = request.getfixturevalue("postgres_url")
    # Evidence files go to the data folder when the database is not an SQLite file: this
    # test's own, not the working directory's.
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv("WATCHER_DATA", str(tmp_path / "data"))
    return url


@pytest.fixture
def migrated_database(database_url: str) -> Iterator[Database]:
    """An empty database of its own migrated to the newest schema: SQLite in tmp_path, and
    the real PostgreSQL."""
    database = Database(database_url)
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()
