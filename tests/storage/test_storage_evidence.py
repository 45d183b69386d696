"""Evidence records and the blob store: the chain on both databases, files written once and
atomically, and every kind of tampering seen by `check_record`."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage_testkit import target

from storage import BlobStore, Database, EvidenceSpec, content_sha256
from storage.blobs import MAX_BLOB_BYTES, BlobCorruptError, BlobMissingError
from storage.errors import BlobError, StorageError
from storage.evidence import check_record, record_digest

T0 = datetime(2026, 5, 27, 8, 0, tzinfo=UTC)


def _store_versions(database: Database, blobs: BlobStore, texts: list[str]) -> list[int]:
    spec = target()
    ids = []
    with database.transaction() as repo:
        repo.upsert_targets([spec], T0)
    for n, text in enumerate(texts):
        at = T0 + timedelta(hours=n)
        with database.transaction() as repo:
            snapshot = repo.save_snapshot(
                spec.id,
                canonical_text=text,
                raw_html=None,
                taken_at=at,
                final_url=None,
                http_status=200,
            )
            evidence = EvidenceSpec(
                text_sha256=blobs.put(text.encode(), compress=True),
                fetch_record_sha256=blobs.put(f'{{"n": {n}}}'.encode()),
                screenshot_sha256=blobs.put(b"\x89PNG fake " + bytes([n])),
                screenshot_height=1000 + n,
            )
            repo.record_evidence(snapshot.id, evidence, at)
            ids.append(snapshot.id)
    return ids


def test_each_version_links_to_the_record_before(database: Database, tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "evidence")
    ids = _store_versions(database, blobs, ["# One", "# Two", "# Three"])
    with database.reader() as repo:
        records = repo.evidence_records(target_id=target().id)
        assert repo.evidence_record(ids[1]) == records[1]
        assert repo.snapshot_screenshot(ids[2], blobs) == b"\x89PNG fake \x02"
        assert repo.snapshot_page_html(ids[2], blobs) is None  # none kept for this version
        later = repo.evidence_records(since=T0 + timedelta(minutes=30))
    assert [r.snapshot_id for r in records] == ids
    assert records[0].previous_record_sha256 is None
    assert [r.previous_record_sha256 for r in records[1:]] == [
        r.record_sha256 for r in records[:-1]
    ]
    assert [r.snapshot_id for r in later] == ids[1:]
    previous = None
    for record, text in zip(records, ["# One", "# Two", "# Three"], strict=True):
        assert check_record(record, previous, blobs, content_sha256(text)) == []
        previous = record


def test_check_record_names_each_kind_of_tampering(database: Database, tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "evidence")
    _store_versions(database, blobs, ["# One", "# Two"])
    with database.reader() as repo:
        first, second = repo.evidence_records()
    text = content_sha256("# Two")
    edited = type(second)(**{**second.__dict__, "screenshot_height": 5})
    assert check_record(edited, first, blobs, text) == ["its fields do not hash to its record hash"]
    assert "its link" in check_record(second, None, blobs, text)[0]
    assert "canonical text" in check_record(second, first, blobs, content_sha256("# 2"))[0]
    path = blobs.find(second.screenshot_sha256 or "")
    assert path is not None
    path.write_bytes(path.read_bytes() + b"!")
    (problem,) = check_record(second, first, blobs, text)
    assert problem.startswith("screenshot file") and "does not match its hash" in problem
    path.unlink()
    (problem,) = check_record(second, first, blobs, text)
    assert "no evidence file" in problem


def test_the_record_hash_is_plain_canonical_json(database: Database, tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "evidence")
    _store_versions(database, blobs, ["# One"])
    with database.reader() as repo:
        (record,) = repo.evidence_records()
    fields = record.hashed_fields()
    spelled = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    assert hashlib.sha256(spelled).hexdigest() == record.record_sha256 == record_digest(fields)


def test_a_blob_is_written_once_atomically_and_read_back(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "evidence")
    digest = blobs.put(b"<html>page</html>", compress=True)
    path = blobs.find(digest)
    assert path is not None and path.name.endswith(".gz")
    assert gzip.decompress(path.read_bytes()) == b"<html>page</html>"
    before = (path.stat().st_mtime_ns, blobs.total_bytes())
    assert blobs.put(b"<html>page</html>", compress=True) == digest
    assert (path.stat().st_mtime_ns, blobs.total_bytes()) == before
    assert blobs.get(digest) == b"<html>page</html>"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_blob_errors_are_clear(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "evidence")
    with pytest.raises(BlobMissingError, match="no evidence file"):
        blobs.get("0" * 64)
    with pytest.raises(BlobError, match="not a SHA-256"):
        blobs.get("../../etc/passwd")
    with pytest.raises(BlobError, match="over the"):
        blobs.put(b"x" * (MAX_BLOB_BYTES + 1))
    digest = blobs.put(b"text kept compressed", compress=True)
    path = blobs.find(digest)
    assert path is not None
    path.write_bytes(b"not gzip at all")
    with pytest.raises(BlobCorruptError, match="unreadable"):
        blobs.get(digest)
    bomb = "b" * 64
    bomb_path = tmp_path / "evidence" / "bb" / f"{bomb}.gz"
    bomb_path.parent.mkdir(parents=True)
    with gzip.open(bomb_path, "wb") as out:
        for _ in range(MAX_BLOB_BYTES // (1024 * 1024) + 1):
            out.write(bytes(1024 * 1024))
    with pytest.raises(BlobCorruptError, match="inflates past the limit"):
        blobs.get(bomb)


def test_a_store_that_cannot_be_written_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "evidence").write_text("a file where the folder should be")
    blobs = BlobStore(tmp_path / "evidence")
    with pytest.raises(StorageError, match="cannot write"):
        blobs.put(b"some bytes")
