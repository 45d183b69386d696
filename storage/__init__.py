"""Storage for watcher: SQLAlchemy 2 models, a repository of plain values, Alembic migrations.

Knows nothing of `watcher`. Entry point: `Database(url)`; see `storage.db` for its use and
`storage.repository` for the list of repository methods.
"""

from storage.db import Database
from storage.errors import StorageError, VersionConflictError
from storage.records import (
    DELIVERY_MODES,
    DELIVERY_STATUSES,
    AttemptSpec,
    ChangeRecord,
    ChannelRecord,
    CheckRecord,
    CheckSpec,
    DeliveryAttemptRecord,
    DeliveryRecord,
    DeliverySpec,
    FindingRecord,
    FindingSpec,
    JsonObject,
    LeaseRecord,
    SnapshotRecord,
    SnapshotSummary,
    TargetRecord,
    TargetSpec,
    VolatileSpanRecord,
    VolatileSpanSpec,
)
from storage.repository import Repository, content_sha256

__all__ = [
    "DELIVERY_MODES",
    "DELIVERY_STATUSES",
    "AttemptSpec",
    "ChangeRecord",
    "ChannelRecord",
    "CheckRecord",
    "CheckSpec",
    "Database",
    "DeliveryAttemptRecord",
    "DeliveryRecord",
    "DeliverySpec",
    "FindingRecord",
    "FindingSpec",
    "JsonObject",
    "LeaseRecord",
    "Repository",
    "SnapshotRecord",
    "SnapshotSummary",
    "StorageError",
    "TargetRecord",
    "TargetSpec",
    "VersionConflictError",
    "VolatileSpanRecord",
    "VolatileSpanSpec",
    "content_sha256",
]
