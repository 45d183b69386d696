"""Evidence records and their hash chain: the values, the record hash, and the checks of both.

A version's record names the SHA-256 of each of its evidence files and the record hash of the
target's version before it. The record hash covers every field but itself, as canonical JSON
(sorted keys, no spaces, UTF-8), so anyone can recompute it with a few lines of any language:

    sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode())

`check_record` recomputes a record's hash, its link to the record before and its files' hashes
and says what does not hold; `watcher verify` walks every chain with it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from storage.blobs import BlobStore, sha256_hex
from storage.errors import BlobError

RECORD_FORMAT = 1


@dataclass(frozen=True)
class EvidenceSpec:
    """The files of a new version, already in the blob store, by their SHA-256."""

    text_sha256: str
    fetch_record_sha256: str
    screenshot_sha256: str | None = None
    html_sha256: str | None = None
    screenshot_height: int | None = None  # the page's full height, CSS pixels
    screenshot_capped: bool = False


@dataclass(frozen=True)
class EvidenceChainRecord:
    """A stored evidence record: a version's file hashes and its place in the target's chain."""

    snapshot_id: int
    target_id: str
    recorded_at: str  # ISO 8601, UTC, exactly as hashed
    text_sha256: str
    fetch_record_sha256: str
    screenshot_sha256: str | None
    html_sha256: str | None
    screenshot_height: int | None
    screenshot_capped: bool
    previous_record_sha256: str | None
    record_sha256: str

    def hashed_fields(self) -> dict[str, Any]:
        return record_fields(
            snapshot_id=self.snapshot_id,
            target_id=self.target_id,
            recorded_at=self.recorded_at,
            spec=EvidenceSpec(
                text_sha256=self.text_sha256,
                fetch_record_sha256=self.fetch_record_sha256,
                screenshot_sha256=self.screenshot_sha256,
                html_sha256=self.html_sha256,
                screenshot_height=self.screenshot_height,
                screenshot_capped=self.screenshot_capped,
            ),
            previous_record_sha256=self.previous_record_sha256,
        )

    def files(self) -> dict[str, str]:
        """Each kept file's role and SHA-256."""
        named = {
            "screenshot": self.screenshot_sha256,
            "html": self.html_sha256,
            "text": self.text_sha256,
            "fetch_record": self.fetch_record_sha256,
        }
        return {role: digest for role, digest in named.items() if digest is not None}


def record_fields(
    *,
    snapshot_id: int,
    target_id: str,
    recorded_at: str,
    spec: EvidenceSpec,
    previous_record_sha256: str | None,
) -> dict[str, Any]:
    return {
        "format": RECORD_FORMAT,
        "snapshot_id": snapshot_id,
        "target_id": target_id,
        "recorded_at": recorded_at,
        "screenshot_sha256": spec.screenshot_sha256,
        "screenshot_height": spec.screenshot_height,
        "screenshot_capped": spec.screenshot_capped,
        "html_sha256": spec.html_sha256,
        "text_sha256": spec.text_sha256,
        "fetch_record_sha256": spec.fetch_record_sha256,
        "previous_record_sha256": previous_record_sha256,
    }


def record_digest(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_record(
    record: EvidenceChainRecord,
    previous: EvidenceChainRecord | None,
    blobs: BlobStore,
    stored_text_sha256: str | None,
) -> list[str]:
    """What does not hold about `record`, given the target's record before it (None: first)
    and the hash of its snapshot's text as the database has it. Empty when everything holds."""
    problems: list[str] = []
    if record_digest(record.hashed_fields()) != record.record_sha256:
        problems.append("its fields do not hash to its record hash")
    expected_link = previous.record_sha256 if previous is not None else None
    if record.previous_record_sha256 != expected_link:
        problems.append("its link does not name the record before it in the chain")
    if stored_text_sha256 != record.text_sha256:
        problems.append("the database's canonical text does not match its text hash")
    for role, digest in record.files().items():
        try:
            actual = sha256_hex(blobs.get(digest))
        except BlobError as error:
            problems.append(f"{role} file: {error.message}")
            continue
        if actual != digest:
            now = f"(now {actual[:12]}…)"
            problems.append(f"{role} file {digest[:12]}… does not match its hash {now}")
    return problems
