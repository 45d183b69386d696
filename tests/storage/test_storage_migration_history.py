"""Upgrading a database that already holds history: nothing is lost, the new rules hold.

The history is written with SQL as the older schemas stored it (the repository speaks the newest
schema only), including what the older code could leave behind: a change stored twice for the
same new version by two concurrent checks, with an alert queued for each copy.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect, text
from storage_testkit import T0

from storage import Database, VersionConflictError

TARGET = "genai@de"


def _write_history_of_revision_0002(database: Database) -> None:
    """Three versions of one target; the second change was stored twice (two concurrent checks),
    each copy with a finding and a queued alert."""
    rows = {
        "targets": [
            {
                "id": TARGET,
                "source_id": "genai",
                "region_id": "de",
                "url": "https://x.test/",
                "title": "Generative AI",
                "active": True,
                "created_at": T0,
                "updated_at": T0,
            },
        ],
        "snapshot_contents": [
            {
                "sha256": f"{n:064d}",
                "canonical_text": f"version {n}",
                "text_length": 9,
                "created_at": T0,
            }
            for n in (1, 2, 3)
        ],
        "snapshots": [
            {
                "id": n,
                "target_id": TARGET,
                "content_sha256": f"{n:064d}",
                "taken_at": T0,
                "final_url": None,
                "http_status": 200,
                "raw_html_gzip": None,
            }
            for n in (1, 2, 3)
        ],
        "changes": [
            {
                "id": 10,
                "target_id": TARGET,
                "from_snapshot_id": 1,
                "to_snapshot_id": 2,
                "detected_at": T0,
                "summary": "first",
                "diff": "{}",
                "confirmed": False,
                "check_id": None,
            },
            {
                "id": 11,
                "target_id": TARGET,
                "from_snapshot_id": 2,
                "to_snapshot_id": 3,
                "detected_at": T0,
                "summary": "second",
                "diff": "{}",
                "confirmed": False,
                "check_id": None,
            },
            {
                "id": 12,
                "target_id": TARGET,
                "from_snapshot_id": 2,
                "to_snapshot_id": 3,
                "detected_at": T0,
                "summary": "second, stored again",
                "diff": "{}",
                "confirmed": False,
                "check_id": None,
            },
        ],
        "checks": [
            {
                "id": 20 + n,
                "target_id": TARGET,
                "started_at": T0,
                "finished_at": T0,
                "outcome": "changed",
                "failure_kind": None,
                "failure_detail": "",
                "http_status": 200,
                "final_url": None,
                "timings": "{}",
                "snapshot_id": 3,
                "change_id": change,
            }
            for n, change in enumerate((11, 12))
        ],
        "findings": [
            {
                "id": 30 + n,
                "change_id": change,
                "kind": "new_data_category",
                "severity": "high",
                "region": "de",
                "path": "Generative AI",
                "evidence_before": None,
                "evidence_after": "your AI chats",
                "data": json.dumps({"note": "new kind of data", "terms": ["chats"]}),
            }
            for n, change in enumerate((10, 11, 12))
        ],
        "alert_channels": [
            {
                "key": "k",
                "label": "mailto://***",
                "failing_since": None,
                "last_error": "",
                "last_success_at": None,
                "created_at": T0,
                "updated_at": T0,
            },
        ],
        "deliveries": [
            {
                "id": 40 + n,
                "change_id": change,
                "subscription_id": "dpo",
                "channel_key": "k",
                "mode": "immediate",
                "status": "delivered",
                "attempts": 1,
                "next_attempt_at": T0,
                "claimed_by": None,
                "claimed_until": None,
                "last_error": "",
                "created_at": T0,
                "delivered_at": T0,
            }
            for n, change in enumerate((11, 12))
        ],
        "delivery_attempts": [
            {
                "id": 50 + n,
                "delivery_id": 40 + n,
                "attempted_at": T0,
                "worker": "w",
                "ok": True,
                "permanent": False,
                "error": "",
                "duration_ms": 1.0,
            }
            for n in range(2)
        ],
    }
    with database.engine.begin() as connection:
        for table, values in rows.items():
            columns = list(values[0])
            statement = text(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(':' + c for c in columns)})"
            )
            connection.execute(statement, values)


def test_upgrading_history_chains_versions_and_folds_changes_stored_twice(
    empty_database: Database,
) -> None:
    empty_database.upgrade("0002")
    _write_history_of_revision_0002(empty_database)

    empty_database.upgrade()

    with empty_database.reader() as repo:
        latest = repo.latest_snapshot(TARGET)
        changes = repo.list_changes(target_id=TARGET)
        checks = repo.recent_checks(TARGET)
        deliveries = repo.list_deliveries()
    assert latest is not None and (latest.id, latest.previous_id) == (3, 2)
    assert [c.id for c in changes] == [11, 10]
    assert {check.change_id for check in checks} == {11}
    assert [(d.change_id, d.status) for d in deliveries] == [(11, "delivered")]
    finding = changes[0].findings[0]
    assert (finding.note, finding.terms) == ("new kind of data", ("chats",))
    assert all(check.notes == () for check in checks)


def test_after_the_upgrade_a_version_has_one_successor(empty_database: Database) -> None:
    empty_database.upgrade("0002")
    _write_history_of_revision_0002(empty_database)
    empty_database.upgrade()
    with empty_database.transaction() as repo, pytest.raises(VersionConflictError):
        repo.append_version(
            TARGET,
            after=2,
            canonical_text="a rival version 3",
            raw_html=None,
            taken_at=T0,
            final_url=None,
            http_status=200,
        )
    with empty_database.reader() as repo:
        assert repo.count_snapshots(TARGET) == 3


def test_downgrade_to_the_outbox_schema_keeps_the_history(empty_database: Database) -> None:
    empty_database.upgrade("0002")
    _write_history_of_revision_0002(empty_database)
    empty_database.upgrade()

    empty_database.downgrade("0002")

    tables = set(inspect(empty_database.engine).get_table_names())
    assert "target_leases" not in tables and "deliveries" in tables
    columns = {c["name"] for c in inspect(empty_database.engine).get_columns("snapshots")}
    assert "previous_id" not in columns
    with empty_database.engine.connect() as connection:
        counts = [
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("snapshots", "changes", "findings")
        ]
    assert counts == [3, 2, 2]
    empty_database.upgrade()
    assert empty_database.current_revision() == "0007"
