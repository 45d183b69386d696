"""The shipped migrations build the schema from nothing: the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import Database
from storage.models import POSTGRESQL_ONLY_INDEXES, Base, compared_with_models

TABLES = {"targets", "snapshot_contents", "snapshots", "checks", "changes", "findings"} | {
    "alert_channels",
    "deliveries",
    "delivery_attempts",
    "target_leases",
    "target_schedule",
    "worker_status",
    "volatile_spans",
    "evidence_records",
}


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_builds_every_table_from_an_empty_database(empty_database: Database) -> None:
    assert empty_database.current_revision() is None
    assert _tables(empty_database) == set()

    empty_database.upgrade()

    assert empty_database.current_revision() == empty_database.head_revision() == "0007"
    assert _tables(empty_database) == TABLES


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": compared_with_models}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_comparison_notices_a_schema_that_differs(database: Database) -> None:
    # Guards the test above: an index the models know but the database lacks must show up.
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_changes_detected_at")
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": compared_with_models}
        )
        differences = compare_metadata(context, Base.metadata)
    assert [d[0] for d in differences] == ["add_index"]


def test_indexes_for_the_repository_queries_exist(database: Database) -> None:
    inspector = inspect(database.engine)
    indexed = {
        (table, tuple(index["column_names"]))
        for table in TABLES
        for index in inspector.get_indexes(table)
    }
    for wanted in [
        ("snapshots", ("target_id", "id")),
        ("checks", ("target_id", "id")),
        ("changes", ("target_id", "id")),
        ("changes", ("detected_at",)),
        ("findings", ("change_id",)),
        ("targets", ("source_id",)),
        ("targets", ("region_id",)),
        ("deliveries", ("status", "next_attempt_at")),
        ("deliveries", ("change_id",)),
        ("delivery_attempts", ("delivery_id",)),
        ("evidence_records", ("target_id", "snapshot_id")),
    ]:
        assert wanted in indexed


def test_text_search_has_trigram_indexes_on_postgresql(database: Database) -> None:
    inspector = inspect(database.engine)
    names = {
        index["name"] for table in ("changes", "findings") for index in inspector.get_indexes(table)
    }
    if database.dialect == "postgresql":
        assert names >= POSTGRESQL_ONLY_INDEXES
        with database.engine.connect() as connection:
            # Planners prefer a scan on a table this small; the index must still be usable.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = connection.execute(
                text("EXPLAIN SELECT id FROM findings WHERE evidence_after ILIKE :words"),
                {"words": "%objection%"},
            ).scalars()
            assert "ix_findings_evidence_after_trgm" in "\n".join(plan)
    else:
        assert not names & POSTGRESQL_ONLY_INDEXES


def test_upgrade_twice_is_harmless(database: Database) -> None:
    database.upgrade()
    assert database.current_revision() == "0007"


def test_downgrade_to_nothing_and_back(database: Database) -> None:
    database.downgrade("base")
    assert database.current_revision() is None
    assert _tables(database) == set()

    database.upgrade()
    assert _tables(database) == TABLES


def test_sqlite_file_gets_its_folder_and_connection_settings(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "watcher.db"
    database = Database(f"sqlite:///{path}")
    try:
        database.upgrade()
        assert path.is_file()
        with database.engine.connect() as connection:

            def pragma(name: str) -> object:
                return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 10_000
            assert pragma("synchronous") == 1  # NORMAL
    finally:
        database.dispose()


def test_in_memory_sqlite_keeps_its_schema_across_sessions() -> None:
    database = Database("sqlite://")
    try:
        database.upgrade()
        with database.reader() as repo:
            assert repo.list_targets() == []
    finally:
        database.dispose()
