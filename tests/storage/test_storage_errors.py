"""Errors leave storage as StorageError, naming the database without its password."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import pytest
from storage_testkit import T0

from storage import CheckSpec, Database, StorageError
from storage.errors import hide_password, redact_url

SECRET = "s3cr3t-Pa55"


def _closed_loopback_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_unreachable_postgresql_becomes_storage_error_without_password() -> None:
    url = f"postgresql+psycopg://watcher:{SECRET}@127.0.0.1:{_closed_loopback_port()}/watcher"
    database = Database(url)
    try:
        with pytest.raises(StorageError) as caught:
            database.upgrade()
        with pytest.raises(StorageError) as caught_reading, database.reader() as repo:
            repo.list_targets()
    finally:
        database.dispose()
    for error in (caught.value, caught_reading.value):
        message = str(error)
        assert SECRET not in message
        assert "watcher:***@127.0.0.1" in message
        assert "migration failed" in message or "read failed" in message
        assert "refused" in message.lower()


def test_unsupported_database_is_refused_up_front() -> None:
    with pytest.raises(StorageError, match="unsupported database 'mysql'") as caught:
        Database(f"mysql://root:{SECRET}@127.0.0.1/watcher")
    assert SECRET not in str(caught.value)


def test_unparsable_url_is_refused_without_password() -> None:
    with pytest.raises(StorageError) as caught:
        Database(f"not a url://user:{SECRET}@host")
    assert SECRET not in str(caught.value)


def test_sqlite_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "occupied"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(StorageError, match="cannot open"):
        Database(f"sqlite:///{blocker / 'watcher.db'}")


def test_a_rejected_write_is_a_storage_error_and_rolls_back(database: Database) -> None:
    orphan = CheckSpec(
        target_id="no-such-target@de",
        started_at=T0,
        finished_at=T0 + timedelta(seconds=1),
        outcome="failed",
        failure_detail="x" * 5000,
    )
    with (
        pytest.raises(StorageError, match="write failed") as caught,
        database.transaction() as repo,
    ):
        repo.record_check(orphan)
    # The driver's words, not SQLAlchemy's echo of the statement and its parameters.
    assert "[SQL:" not in str(caught.value)
    assert "x" * 100 not in str(caught.value)
    with database.reader() as repo:
        assert repo.check_counts_by_outcome() == {}


def test_an_unmigrated_database_says_so(empty_database: Database) -> None:
    with pytest.raises(StorageError, match="read failed"), empty_database.reader() as repo:
        repo.list_targets()


def test_redaction_of_urls_and_messages() -> None:
    assert (
        redact_url(f"postgresql+psycopg://u:{SECRET}@db:5432/w")
        == "postgresql+psycopg://u:***@db:5432/w"
    )
    assert redact_url("sqlite:///data/watcher.db") == "sqlite:///data/watcher.db"
    assert SECRET not in redact_url(f"weird url://u:{SECRET}@db")
    url = f"postgresql+psycopg://u:{SECRET}@db/w"
    assert hide_password(url, f"auth failed for {SECRET}\n  retry") == "auth failed for *** retry"
