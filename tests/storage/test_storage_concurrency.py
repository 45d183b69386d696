"""Two writers storing the same text at once: one content row, no unique-key error.

PostgreSQL only: SQLite writers are serialized by the database lock (`BEGIN IMMEDIATE`), so the
interleaving this test builds cannot happen there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text
from storage_testkit import T0, target

from storage import Database, SnapshotRecord, VersionConflictError

pytestmark = pytest.mark.postgres

SHARED_TEXT = "# Generative AI at Meta\n\nWe use public posts to train our AI models."
WAIT_LIMIT_S = 20.0


@pytest.fixture
def two_writers(postgres_url: str) -> Iterator[tuple[Database, Database]]:
    first, second = Database(postgres_url), Database(postgres_url)
    first.upgrade()
    with first.transaction() as repo:
        repo.upsert_targets([target("genai", "de"), target("genai", "fr")], T0)
    try:
        yield first, second
    finally:
        first.dispose()
        second.dispose()


def _wait_until_a_backend_is_blocked_by_another(database: Database) -> None:
    """Returns once some session of this database waits on a lock held by another session."""
    observer = create_engine(database.engine.url, isolation_level="AUTOCOMMIT")
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0"
    )
    deadline = time.monotonic() + WAIT_LIMIT_S
    try:
        with observer.connect() as connection:
            while connection.execute(query).scalar_one() == 0:
                if time.monotonic() > deadline:
                    pytest.fail("the second writer never waited for the first one")
    finally:
        observer.dispose()


def _save(database: Database, target_id: str, started: threading.Event) -> SnapshotRecord:
    with database.transaction() as repo:
        started.set()
        return repo.save_snapshot(
            target_id,
            canonical_text=SHARED_TEXT,
            raw_html=None,
            taken_at=T0,
            final_url=None,
            http_status=200,
        )


def test_concurrent_inserts_of_the_same_content_share_one_row(
    two_writers: tuple[Database, Database],
) -> None:
    first, second = two_writers
    with ThreadPoolExecutor(max_workers=1) as pool:
        with first.transaction() as repo:
            germany = repo.save_snapshot(
                "genai@de",
                canonical_text=SHARED_TEXT,
                raw_html=None,
                taken_at=T0,
                final_url=None,
                http_status=200,
            )
            # The content row is inserted but not committed: the second writer must now wait
            # on it rather than see nothing and insert a duplicate.
            started = threading.Event()
            france: Future[SnapshotRecord] = pool.submit(_save, second, "genai@fr", started)
            assert started.wait(WAIT_LIMIT_S)
            _wait_until_a_backend_is_blocked_by_another(first)
        # First transaction committed: the second writer resumes and finishes without error.
        saved = france.result(timeout=WAIT_LIMIT_S)
    assert saved.is_new and germany.is_new
    assert saved.content_sha256 == germany.content_sha256
    with first.reader() as repo:
        assert repo.count_snapshots() == 2
        assert repo.count_snapshot_contents() == 1


def test_processes_starting_together_can_all_migrate(postgres_url: str) -> None:
    databases = [Database(postgres_url) for _ in range(3)]
    ready = threading.Barrier(len(databases))

    def upgrade(database: Database) -> str | None:
        ready.wait(WAIT_LIMIT_S)
        database.upgrade()
        return database.current_revision()

    try:
        with ThreadPoolExecutor(max_workers=len(databases)) as pool:
            revisions = list(pool.map(upgrade, databases))
    finally:
        for database in databases:
            database.dispose()
    assert revisions == ["0007"] * len(databases)


def _append_after(database: Database, after: int, text_: str, started: threading.Event) -> int:
    with database.transaction() as repo:
        started.set()
        return repo.append_version(
            "genai@de",
            after=after,
            canonical_text=text_,
            raw_html=None,
            taken_at=T0,
            final_url=None,
            http_status=200,
        ).id


def test_two_writers_appending_after_the_same_version_cannot_both_succeed(
    two_writers: tuple[Database, Database],
) -> None:
    first, second = two_writers
    with first.transaction() as repo:
        base = repo.save_snapshot(
            "genai@de",
            canonical_text="version 1",
            raw_html=None,
            taken_at=T0,
            final_url=None,
            http_status=200,
        )
    with ThreadPoolExecutor(max_workers=1) as pool:
        with first.transaction() as repo:
            mine = repo.append_version(
                "genai@de",
                after=base.id,
                canonical_text="version 2",
                raw_html=None,
                taken_at=T0,
                final_url=None,
                http_status=200,
            )
            # Not committed yet: the rival has read the same latest version and now waits on
            # the one-successor index instead of seeing our row.
            started = threading.Event()
            rival: Future[int] = pool.submit(_append_after, second, base.id, "version 2b", started)
            assert started.wait(WAIT_LIMIT_S)
            _wait_until_a_backend_is_blocked_by_another(first)
        with pytest.raises(VersionConflictError):
            rival.result(timeout=WAIT_LIMIT_S)
    with first.reader() as repo:
        latest = repo.latest_snapshot("genai@de")
        assert repo.count_snapshots("genai@de") == 2
    assert latest is not None and (latest.id, latest.previous_id) == (mine.id, base.id)
