"""One writer per target, and one shape of a finding.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

- `snapshots.previous_id`: each version names the version it follows. Unique, with one first
  version per target (a partial unique index), so two processes that both saw version N cannot
  both store a version N+1. Existing rows are chained in id order.
- `changes.to_snapshot_id` unique: a change is stored once per new version. Changes stored twice
  for the same version by concurrent checks before this rule are folded into the first one.
- `target_leases`: which process is checking a target now.
- `checks.notes`: what a check that went on noticed (a consent dialog left open).
- `findings.note` and `findings.terms` as columns; the JSON copy of each finding (`data`) goes.

SQLite is altered without rebuilding tables (ADD COLUMN, CREATE INDEX, DROP COLUMN), since the
rebuild of a table other tables refer to would trip over their foreign keys inside the migration's
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIRST_VERSION = sa.text("previous_id IS NULL")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    _chain_snapshots()
    _fold_duplicate_changes()
    op.create_index("uq_changes_to_snapshot_id", "changes", ["to_snapshot_id"], unique=True)

    op.create_table(
        "target_leases",
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("acquired_at", _timestamp(), nullable=False),
        sa.Column("expires_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("target_id", name="pk_target_leases"),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name="fk_target_leases_target_id_targets"
        ),
    )

    op.add_column("checks", sa.Column("notes", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("findings", sa.Column("note", sa.Text(), nullable=False, server_default=""))
    op.add_column("findings", sa.Column("terms", sa.JSON(), nullable=False, server_default="[]"))
    _copy_finding_details()
    op.drop_column("findings", "data")


def _chain_snapshots() -> None:
    # No foreign key: SQLite could only drop such a column again by rebuilding a table others
    # refer to. The value is only ever written by the repository, from the latest version's id.
    op.add_column("snapshots", sa.Column("previous_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE snapshots SET previous_id = ("
        " SELECT MAX(earlier.id) FROM snapshots AS earlier"
        " WHERE earlier.target_id = snapshots.target_id AND earlier.id < snapshots.id)"
    )
    op.create_index("uq_snapshots_previous_id", "snapshots", ["previous_id"], unique=True)
    op.create_index(
        "uq_snapshots_first_version",
        "snapshots",
        ["target_id"],
        unique=True,
        sqlite_where=_FIRST_VERSION,
        postgresql_where=_FIRST_VERSION,
    )


# Changes that are not the first stored for their new version.
_DUPLICATES = (
    "SELECT id FROM changes WHERE id > ("
    " SELECT MIN(first.id) FROM changes AS first"
    " WHERE first.to_snapshot_id = changes.to_snapshot_id)"
)


def _fold_duplicate_changes() -> None:
    op.execute(
        "UPDATE checks SET change_id = ("
        " SELECT MIN(first.id) FROM changes AS first JOIN changes AS this"
        " ON first.to_snapshot_id = this.to_snapshot_id WHERE this.id = checks.change_id)"
        f" WHERE change_id IN ({_DUPLICATES})"
    )
    op.execute(
        "DELETE FROM delivery_attempts WHERE delivery_id IN ("
        f" SELECT id FROM deliveries WHERE change_id IN ({_DUPLICATES}))"
    )
    op.execute(f"DELETE FROM deliveries WHERE change_id IN ({_DUPLICATES})")
    op.execute(f"DELETE FROM findings WHERE change_id IN ({_DUPLICATES})")
    op.execute(f"DELETE FROM changes WHERE id IN ({_DUPLICATES})")


def _copy_finding_details() -> None:
    findings = sa.table(
        "findings",
        sa.column("id", sa.Integer()),
        sa.column("data", sa.JSON()),
        sa.column("note", sa.Text()),
        sa.column("terms", sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(findings.c.id, findings.c.data)).all()
    for finding_id, data in rows:
        details = data if isinstance(data, dict) else json.loads(data or "{}")
        connection.execute(
            findings.update()
            .where(findings.c.id == finding_id)
            .values(
                note=str(details.get("note", "")),
                terms=[str(term) for term in details.get("terms", ())],
            )
        )


def downgrade() -> None:
    op.add_column("findings", sa.Column("data", sa.JSON(), nullable=False, server_default="{}"))
    op.drop_column("findings", "terms")
    op.drop_column("findings", "note")
    op.drop_column("checks", "notes")
    op.drop_table("target_leases")
    op.drop_index("uq_changes_to_snapshot_id", table_name="changes")
    op.drop_index("uq_snapshots_first_version", table_name="snapshots")
    op.drop_index("uq_snapshots_previous_id", table_name="snapshots")
    op.drop_column("snapshots", "previous_id")
