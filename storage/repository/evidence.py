"""Evidence records: written with their version, read for verification, export and the API."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from storage.blobs import BlobStore
from storage.convert import require_aware
from storage.evidence import (
    EvidenceChainRecord,
    EvidenceSpec,
    record_digest,
    record_fields,
)
from storage.models import EvidenceRecord, Snapshot
from storage.repository.base import MAX_PAGE, RepositoryBase, page_size


class EvidenceMethods(RepositoryBase):
    def record_evidence(
        self, snapshot_id: int, spec: EvidenceSpec, recorded_at: datetime
    ) -> EvidenceChainRecord:
        """The evidence record of a version just stored, chained to the target's latest record.

        Call it in the transaction that stored the version: the version rules of `snapshots`
        (one successor per version) then keep the chain a line, whatever other writers do.
        """
        self._require_writable()
        require_aware(recorded_at, "recorded_at")
        target_id = self._session.execute(
            select(Snapshot.target_id).where(Snapshot.id == snapshot_id)
        ).scalar_one()
        previous = self._session.execute(
            select(EvidenceRecord.record_sha256)
            .where(EvidenceRecord.target_id == target_id, EvidenceRecord.snapshot_id < snapshot_id)
            .order_by(EvidenceRecord.snapshot_id.desc())
            .limit(1)
        ).scalar_one_or_none()
        when = recorded_at.astimezone(UTC).isoformat(timespec="microseconds")
        fields = record_fields(
            snapshot_id=snapshot_id,
            target_id=target_id,
            recorded_at=when,
            spec=spec,
            previous_record_sha256=previous,
        )
        row = EvidenceRecord(
            snapshot_id=snapshot_id,
            target_id=target_id,
            recorded_at=when,
            screenshot_sha256=spec.screenshot_sha256,
            html_sha256=spec.html_sha256,
            text_sha256=spec.text_sha256,
            fetch_record_sha256=spec.fetch_record_sha256,
            screenshot_height=spec.screenshot_height,
            screenshot_capped=spec.screenshot_capped,
            previous_record_sha256=previous,
            record_sha256=record_digest(fields),
        )
        self._session.add(row)
        self._session.flush()
        return _chain_record(row)

    def evidence_record(self, snapshot_id: int) -> EvidenceChainRecord | None:
        """A snapshot's evidence record (its hashes and place in the chain), if it has one."""
        row = self._session.get(EvidenceRecord, snapshot_id)
        return None if row is None else _chain_record(row)

    def evidence_records(
        self,
        *,
        target_id: str | None = None,
        after_snapshot_id: int = 0,
        since: datetime | None = None,
        limit: int = 500,
    ) -> list[EvidenceChainRecord]:
        """Records in snapshot order (each target's chain in order), keyset-paged by snapshot id."""
        statement = (
            select(EvidenceRecord)
            .where(EvidenceRecord.snapshot_id > after_snapshot_id)
            .order_by(EvidenceRecord.snapshot_id)
            .limit(page_size(limit))
        )
        if target_id is not None:
            statement = statement.where(EvidenceRecord.target_id == target_id)
        if since is not None:
            statement = statement.join(Snapshot, Snapshot.id == EvidenceRecord.snapshot_id).where(
                Snapshot.taken_at >= require_aware(since, "since")
            )
        return [_chain_record(row) for row in self._session.scalars(statement)]

    def unrecorded_versions(self, target_id: str | None = None) -> list[tuple[str, int]]:
        """(target, snapshot id) of versions stored after their target's first evidence record
        that have none: a record removed, or a version written without its evidence."""
        first = (
            select(func.min(EvidenceRecord.snapshot_id))
            .where(EvidenceRecord.target_id == Snapshot.target_id)
            .scalar_subquery()
        )
        kept = select(EvidenceRecord.snapshot_id).where(EvidenceRecord.snapshot_id == Snapshot.id)
        statement = (
            select(Snapshot.target_id, Snapshot.id)
            .where(Snapshot.id > first, ~kept.exists())
            .order_by(Snapshot.id)
            .limit(MAX_PAGE)
        )
        if target_id is not None:
            statement = statement.where(Snapshot.target_id == target_id)
        return [(row.target_id, row.id) for row in self._session.execute(statement)]

    def snapshot_screenshot(self, snapshot_id: int, blobs: BlobStore) -> bytes | None:
        """The full-page PNG kept for a version (None when it has none)."""
        record = self.evidence_record(snapshot_id)
        if record is None or record.screenshot_sha256 is None:
            return None
        return blobs.get(record.screenshot_sha256)

    def snapshot_page_html(self, snapshot_id: int, blobs: BlobStore) -> bytes | None:
        """The rendered HTML kept for a version, UTF-8 (None when it has none). Serve it as
        text or in a sandboxed frame, never as a live page of watcher's origin."""
        record = self.evidence_record(snapshot_id)
        if record is None or record.html_sha256 is None:
            return None
        return blobs.get(record.html_sha256)


def _chain_record(row: EvidenceRecord) -> EvidenceChainRecord:
    return EvidenceChainRecord(
        snapshot_id=row.snapshot_id,
        target_id=row.target_id,
        recorded_at=row.recorded_at,
        text_sha256=row.text_sha256,
        fetch_record_sha256=row.fetch_record_sha256,
        screenshot_sha256=row.screenshot_sha256,
        html_sha256=row.html_sha256,
        screenshot_height=row.screenshot_height,
        screenshot_capped=row.screenshot_capped,
        previous_record_sha256=row.previous_record_sha256,
        record_sha256=row.record_sha256,
    )
