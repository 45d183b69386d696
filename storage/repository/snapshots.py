"""Snapshots, content-addressed: one `snapshot_contents` row per distinct canonical text."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from storage.convert import compress_html, decompress_html, require_aware, snapshot_record
from storage.errors import VersionConflictError
from storage.models import Snapshot, SnapshotContent
from storage.records import SnapshotRecord, SnapshotSummary
from storage.repository.base import RepositoryBase, page_size


def content_sha256(canonical_text: str) -> str:
    """The key of a canonical text in `snapshot_contents`."""
    return hashlib.sha256(canonical_text.encode("utf-8")).hexdigest()


class SnapshotMethods(RepositoryBase):
    def latest_snapshot(self, target_id: str) -> SnapshotRecord | None:
        statement = (
            self._snapshot_with_text()
            .where(Snapshot.target_id == target_id)
            .order_by(Snapshot.id.desc())
            .limit(1)
        )
        found = self._session.execute(statement).first()
        return None if found is None else snapshot_record(*found)

    def latest_snapshot_id(self, target_id: str) -> int | None:
        """The id of the target's newest version, without reading its text."""
        return self._session.execute(
            select(func.max(Snapshot.id)).where(Snapshot.target_id == target_id)
        ).scalar_one_or_none()

    def save_snapshot(
        self,
        target_id: str,
        *,
        canonical_text: str,
        raw_html: str | None,
        taken_at: datetime,
        final_url: str | None,
        http_status: int | None,
    ) -> SnapshotRecord:
        """Store a version of a target, unless its text equals the target's latest version.

        Same text as the latest snapshot: nothing is written and that snapshot is returned
        (`is_new=False`). Otherwise a version following the latest is written (`is_new=True`)
        with the compressed raw HTML; its text is stored only if no snapshot of any target has it
        yet, so a revert to an older version reuses the older content row.
        """
        self._require_writable()
        latest = self.latest_snapshot(target_id)
        if latest is not None and latest.content_sha256 == content_sha256(canonical_text):
            return latest
        return self.append_version(
            target_id,
            after=latest.id if latest is not None else None,
            canonical_text=canonical_text,
            raw_html=raw_html,
            taken_at=taken_at,
            final_url=final_url,
            http_status=http_status,
        )

    def append_version(
        self,
        target_id: str,
        *,
        after: int | None,
        canonical_text: str,
        raw_html: str | None,
        taken_at: datetime,
        final_url: str | None,
        http_status: int | None,
    ) -> SnapshotRecord:
        """Store the version that follows version `after` (None: the target's first version).

        Raises `VersionConflictError`, having written nothing that this transaction keeps, when
        `after` is no longer the target's latest version: another writer stored one first. The
        schema makes the same promise for writers that race past this read (a version has one
        successor, a target one first version), so two writers can never both succeed.
        """
        self._require_writable()
        require_aware(taken_at, "taken_at")
        if self.latest_snapshot_id(target_id) != after:
            raise VersionConflictError(target_id, after)
        digest = content_sha256(canonical_text)
        self._store_content_once(digest, canonical_text, taken_at)
        snapshot = Snapshot(
            target_id=target_id,
            previous_id=after,
            content_sha256=digest,
            taken_at=taken_at,
            final_url=final_url,
            http_status=http_status,
            raw_html_gzip=compress_html(raw_html),
        )
        self._session.add(snapshot)
        try:
            self._session.flush()
        except IntegrityError as error:
            if not _is_version_rule(error):
                raise
            raise VersionConflictError(target_id, after) from error
        return snapshot_record(snapshot, canonical_text, is_new=True)

    def get_snapshot(self, snapshot_id: int) -> SnapshotRecord | None:
        statement = self._snapshot_with_text().where(Snapshot.id == snapshot_id)
        found = self._session.execute(statement).first()
        return None if found is None else snapshot_record(*found)

    def snapshot_history(
        self, target_id: str, limit: int = 50, *, before_id: int | None = None
    ) -> list[SnapshotSummary]:
        """The target's versions, newest first, without their texts (keyset: `before_id`)."""
        statement = (
            select(Snapshot, SnapshotContent.text_length)
            .join(SnapshotContent, SnapshotContent.sha256 == Snapshot.content_sha256)
            .where(Snapshot.target_id == target_id)
            .order_by(Snapshot.id.desc())
            .limit(page_size(limit))
        )
        if before_id is not None:
            statement = statement.where(Snapshot.id < before_id)
        return [
            SnapshotSummary(
                id=row.id,
                target_id=row.target_id,
                content_sha256=row.content_sha256,
                text_length=text_length,
                taken_at=row.taken_at,
                final_url=row.final_url,
                http_status=row.http_status,
            )
            for row, text_length in self._session.execute(statement)
        ]

    def next_snapshot_id(self, snapshot_id: int) -> int | None:
        """The version stored after this one (None for the target's latest)."""
        return self._session.execute(
            select(Snapshot.id).where(Snapshot.previous_id == snapshot_id)
        ).scalar_one_or_none()

    def snapshot_raw_html(self, snapshot_id: int) -> str | None:
        """The page as fetched when the snapshot was taken (None if unknown or not kept)."""
        blob = self._session.execute(
            select(Snapshot.raw_html_gzip).where(Snapshot.id == snapshot_id)
        ).scalar_one_or_none()
        return decompress_html(blob)

    def count_snapshots(self, target_id: str | None = None) -> int:
        statement = select(func.count()).select_from(Snapshot)
        if target_id is not None:
            statement = statement.where(Snapshot.target_id == target_id)
        return self._session.execute(statement).scalar_one()

    def count_snapshot_contents(self) -> int:
        return self._session.execute(select(func.count()).select_from(SnapshotContent)).scalar_one()

    def _store_content_once(self, digest: str, canonical_text: str, now: datetime) -> None:
        # Insert-or-ignore: a concurrent writer storing the same text makes this a no-op
        # (PostgreSQL waits for that writer's commit) instead of a unique-key error.
        self._session.execute(
            self._insert(SnapshotContent)
            .values(
                sha256=digest,
                canonical_text=canonical_text,
                text_length=len(canonical_text),
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["sha256"])
        )

    @staticmethod
    def _snapshot_with_text() -> Select[Snapshot, str]:
        return select(Snapshot, SnapshotContent.canonical_text).join(
            SnapshotContent, SnapshotContent.sha256 == Snapshot.content_sha256
        )


def _is_version_rule(error: IntegrityError) -> bool:
    """A unique-key error from the one-successor or one-first-version rule of `snapshots`."""
    text = str(error.orig)
    return (
        "previous_id" in text
        or "uq_snapshots_first_version" in text
        or (
            "snapshots.target_id" in text  # SQLite names the columns of a partial unique index
        )
    )
