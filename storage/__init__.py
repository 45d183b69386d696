"""Storage for watcher: SQLAlchemy 2 models, a repository of plain values, Alembic migrations.

Knows nothing of `watcher`. Entry point: `Database(url)`; see `storage.db` for its use and
`storage.repository` for the list of repository methods.
"""

from storage.blobs import BlobStore
from storage.db import Database
from storage.errors import BlobError, SlotTakenError, StorageError, VersionConflictError
from storage.evidence import EvidenceChainRecord, EvidenceSpec
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
    ScheduleRecord,
    SnapshotRecord,
    SnapshotSummary,
    TargetRecord,
    TargetSpec,
    VolatileSpanRecord,
    VolatileSpanSpec,
    WorkerStatusRecord,
)
from storage.repository import Repository, content_sha256

__all__ = [
    "DELIVERY_MODES",
    "DELIVERY_STATUSES",
    "AttemptSpec",
    "BlobError",
    "BlobStore",
    "ChangeRecord",
    "ChannelRecord",
    "CheckRecord",
    "CheckSpec",
    "Database",
    "DeliveryAttemptRecord",
    "DeliveryRecord",
    "DeliverySpec",
    "EvidenceChainRecord",
    "EvidenceSpec",
    "FindingRecord",
    "FindingSpec",
    "JsonObject",
    "LeaseRecord",
    "Repository",
    "ScheduleRecord",
    "SlotTakenError",
    "SnapshotRecord",
    "SnapshotSummary",
    "StorageError",
    "TargetRecord",
    "TargetSpec",
    "VersionConflictError",
    "VolatileSpanRecord",
    "VolatileSpanSpec",
    "WorkerStatusRecord",
    "content_sha256",
]
