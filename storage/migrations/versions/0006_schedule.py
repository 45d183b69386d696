"""The schedule in the database, check slots, and the distributed workers' status.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

- `target_schedule`: when each target is next due, its failures in a row (the backoff) and the
  slot a dispatcher queued, shared by every process so a restart resumes the schedule.
- `checks.slot`: the due time a check ran for, unique per target (a task delivered twice is
  recorded once).
- `worker_status`: what each distributed worker last said of itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "target_schedule",
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("next_due_at", _timestamp(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_kind", sa.String(50), nullable=True),
        sa.Column("queued_slot", _timestamp(), nullable=True),
        sa.Column("queued_at", _timestamp(), nullable=True),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("target_id", name="pk_target_schedule"),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name="fk_target_schedule_target_id_targets"
        ),
    )
    op.create_index(
        "ix_target_schedule_next_due_at", "target_schedule", ["next_due_at"], unique=False
    )
    op.create_table(
        "worker_status",
        sa.Column("worker_id", sa.String(200), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("refused", sa.JSON(), nullable=False),
        sa.Column("checks_done", sa.Integer(), nullable=False),
        sa.Column("started_at", _timestamp(), nullable=False),
        sa.Column("seen_at", _timestamp(), nullable=False),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name="pk_worker_status"),
    )
    op.add_column("checks", sa.Column("slot", _timestamp(), nullable=True))
    op.create_index("uq_checks_target_id_slot", "checks", ["target_id", "slot"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_checks_target_id_slot", table_name="checks")
    op.drop_column("checks", "slot")
    op.drop_table("worker_status")
    op.drop_index("ix_target_schedule_next_due_at", table_name="target_schedule")
    op.drop_table("target_schedule")
