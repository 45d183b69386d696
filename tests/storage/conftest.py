"""Databases for the storage tests: SQLite in tmp_path and a real PostgreSQL.

PostgreSQL: one throw-away database per test session (`watcher_test_<random>`, dropped at the
end) and one fresh schema per test inside it, so runs never collide with each other or with
anything else on the server. The server is found at $WATCHER_TEST_POSTGRES (default: the local
one, trust auth); when it cannot be reached the PostgreSQL variants are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage import Database


@pytest.fixture
def empty_database(database_url: str) -> Iterator[Database]:
    """A database with no schema at all."""
    database = Database(database_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def database(empty_database: Database) -> Database:
    """A database migrated to the newest schema."""
    empty_database.upgrade()
    return empty_database
