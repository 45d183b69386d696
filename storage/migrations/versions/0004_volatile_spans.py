"""Volatile spans: what differs between two loads of one page, learned per target.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "volatile_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("pattern", sa.Text(), nullable=False),
        sa.Column("optional", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("first_seen", _timestamp(), nullable=False),
        sa.Column("last_seen", _timestamp(), nullable=False),
        sa.Column("times_seen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_volatile_spans"),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name="fk_volatile_spans_target_id_targets"
        ),
        sa.UniqueConstraint("target_id", "key", name="uq_volatile_spans_target_id"),
    )


def downgrade() -> None:
    op.drop_table("volatile_spans")
