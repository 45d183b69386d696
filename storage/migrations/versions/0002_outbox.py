"""The alert outbox: channels, deliveries (one per change, subscription and channel), attempts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Written by hand to run on SQLite and PostgreSQL alike; types are spelled out here rather than
imported from `storage.models`, so that later model edits can never rewrite history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp() -> sa.DateTime:
    # Stored as UTC; PostgreSQL keeps the zone (timestamptz), SQLite stores UTC without it.
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_channels",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("failing_since", _timestamp(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_success_at", _timestamp(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_alert_channels"),
    )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.String(100), nullable=False),
        sa.Column("channel_key", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _timestamp(), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("claimed_until", _timestamp(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("delivered_at", _timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["change_id"], ["changes.id"], name="fk_deliveries_change_id_changes"
        ),
        sa.ForeignKeyConstraint(
            ["channel_key"], ["alert_channels.key"], name="fk_deliveries_channel_key_alert_channels"
        ),
        # Enqueuing twice for the same change, subscription and channel is a no-op.
        sa.UniqueConstraint(
            "change_id", "subscription_id", "channel_key", name="uq_deliveries_change_id"
        ),
    )
    op.create_index("ix_deliveries_change_id", "deliveries", ["change_id"])
    op.create_index("ix_deliveries_channel_key", "deliveries", ["channel_key"])
    op.create_index(
        "ix_deliveries_status_next_attempt_at", "deliveries", ["status", "next_attempt_at"]
    )

    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", _timestamp(), nullable=False),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_attempts"),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["deliveries.id"], name="fk_delivery_attempts_delivery_id_deliveries"
        ),
    )
    op.create_index("ix_delivery_attempts_delivery_id", "delivery_attempts", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("delivery_attempts")
    op.drop_table("deliveries")
    op.drop_table("alert_channels")
