"""Initial schema: targets, snapshot contents, snapshots, changes, checks, findings.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Written by hand to run on SQLite and PostgreSQL alike. Types are spelled out here rather than
imported from `storage.models`, so that later model edits can never rewrite history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp() -> sa.DateTime:
    # Stored as UTC; PostgreSQL keeps the zone (timestamptz), SQLite stores UTC without it.
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("region_id", sa.String(50), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_targets"),
    )
    op.create_index("ix_targets_source_id", "targets", ["source_id"])
    op.create_index("ix_targets_region_id", "targets", ["region_id"])

    op.create_table(
        "snapshot_contents",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("canonical_text", sa.Text(), nullable=False),
        sa.Column("text_length", sa.Integer(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_snapshot_contents"),
    )

    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("taken_at", _timestamp(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("raw_html_gzip", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_snapshots"),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name="fk_snapshots_target_id_targets"
        ),
        sa.ForeignKeyConstraint(
            ["content_sha256"],
            ["snapshot_contents.sha256"],
            name="fk_snapshots_content_sha256_snapshot_contents",
        ),
    )
    op.create_index("ix_snapshots_target_id_id", "snapshots", ["target_id", "id"])
    op.create_index("ix_snapshots_content_sha256", "snapshots", ["content_sha256"])

    # changes.check_id → checks is added below, once checks exists (the two refer to each other).
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("from_snapshot_id", sa.Integer(), nullable=False),
        sa.Column("to_snapshot_id", sa.Integer(), nullable=False),
        sa.Column("detected_at", _timestamp(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_changes"),
        sa.ForeignKeyConstraint(["target_id"], ["targets.id"], name="fk_changes_target_id_targets"),
        sa.ForeignKeyConstraint(
            ["from_snapshot_id"], ["snapshots.id"], name="fk_changes_from_snapshot_id_snapshots"
        ),
        sa.ForeignKeyConstraint(
            ["to_snapshot_id"], ["snapshots.id"], name="fk_changes_to_snapshot_id_snapshots"
        ),
    )
    op.create_index("ix_changes_target_id_id", "changes", ["target_id", "id"])
    op.create_index("ix_changes_detected_at", "changes", ["detected_at"])

    op.create_table(
        "checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("started_at", _timestamp(), nullable=False),
        sa.Column("finished_at", _timestamp(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("failure_kind", sa.String(50), nullable=True),
        sa.Column("failure_detail", sa.Text(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("timings", sa.JSON(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_checks"),
        sa.ForeignKeyConstraint(["target_id"], ["targets.id"], name="fk_checks_target_id_targets"),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["snapshots.id"], name="fk_checks_snapshot_id_snapshots"
        ),
        sa.ForeignKeyConstraint(["change_id"], ["changes.id"], name="fk_checks_change_id_changes"),
    )
    op.create_index("ix_checks_target_id_id", "checks", ["target_id", "id"])
    op.create_index("ix_checks_outcome", "checks", ["outcome"])

    # Batch mode: SQLite cannot add a constraint to an existing table, so Alembic rebuilds the
    # (still empty) table there; PostgreSQL gets a plain ALTER TABLE.
    with op.batch_alter_table("changes") as batch:
        batch.create_foreign_key("fk_changes_check_id_checks", "checks", ["check_id"], ["id"])

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("region", sa.String(50), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("evidence_before", sa.Text(), nullable=True),
        sa.Column("evidence_after", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
        sa.ForeignKeyConstraint(
            ["change_id"], ["changes.id"], name="fk_findings_change_id_changes"
        ),
    )
    op.create_index("ix_findings_change_id", "findings", ["change_id"])


def downgrade() -> None:
    op.drop_table("findings")
    # Break the changes ⇄ checks cycle: SQLite's DROP TABLE deletes the rows first and would
    # trip over the references; PostgreSQL refuses to drop a table another one points at.
    op.execute("UPDATE changes SET check_id = NULL")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_changes_check_id_checks", "changes", type_="foreignkey")
    op.drop_table("checks")
    op.drop_table("changes")
    op.drop_table("snapshots")
    op.drop_table("snapshot_contents")
    op.drop_table("targets")
