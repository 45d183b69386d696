"""Evidence records: the hashes of a version's evidence files and its link in the hash chain.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_records",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("screenshot_sha256", sa.String(64), nullable=True),
        sa.Column("html_sha256", sa.String(64), nullable=True),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("fetch_record_sha256", sa.String(64), nullable=False),
        sa.Column("screenshot_height", sa.Integer(), nullable=True),
        sa.Column("screenshot_capped", sa.Boolean(), nullable=False),
        sa.Column("previous_record_sha256", sa.String(64), nullable=True),
        sa.Column("record_sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("snapshot_id", name="pk_evidence_records"),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["snapshots.id"], name="fk_evidence_records_snapshot_id_snapshots"
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name="fk_evidence_records_target_id_targets"
        ),
        sa.UniqueConstraint("record_sha256", name="uq_evidence_records_record_sha256"),
    )
    op.create_index(
        "ix_evidence_records_target_id_snapshot_id",
        "evidence_records",
        ["target_id", "snapshot_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_evidence_records_target_id_snapshot_id", table_name="evidence_records")
    op.drop_table("evidence_records")
