"""Trigram indexes for the change history's text search, on PostgreSQL.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

The feed's text search is a case-insensitive substring match (ILIKE '%words%') on a change's
summary and its findings' quoted evidence and heading path. A B-tree index cannot serve that;
PostgreSQL's `pg_trgm` GIN indexes can, which keeps a search over 10,000 changes at a few
milliseconds instead of a scan of every finding. `pg_trgm` ships with PostgreSQL and is a trusted
extension (a database owner may create it); where the server lacks it the indexes are left out
and the search still works, by scanning. SQLite has no such index and scans (fast enough there).

The models do not declare these indexes: they exist on one dialect only
(`storage.models.POSTGRESQL_ONLY_INDEXES` names them for schema comparisons).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy.exc import DBAPIError

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

# name -> (table, column)
INDEXES = {
    "ix_changes_summary_trgm": ("changes", "summary"),
    "ix_findings_evidence_before_trgm": ("findings", "evidence_before"),
    "ix_findings_evidence_after_trgm": ("findings", "evidence_after"),
    "ix_findings_path_trgm": ("findings", "path"),
}


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        reason = " ".join(str(error.orig).split())
        log.warning("text search runs without trigram indexes: %s", reason)
        return
    # fastupdate off: a new row goes into the index at once rather than into a pending list
    # that only a vacuum folds in (and that the planner prices as a reason to scan). Changes
    # are written a few at a time; reads are what must stay fast.
    # The operator class is named with the extension's schema: the extension may live in a
    # schema other than the first of this connection's search path.
    schema = connection.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    ).scalar_one()
    for name, (table, column) in INDEXES.items():
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ({column} {schema}.gin_trgm_ops) WITH (fastupdate = off)"
        )


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    for name in INDEXES:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
