"""Evidence in the web app: a version's screenshot and rendered HTML, a change's bundle as a zip,
and what the change and snapshot pages show of them (files kept, hashes, place in the chain).

The rendered HTML is Meta's page with its scripts: it is served as text, sandboxed, never as a
live page of watcher's origin.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from storage import (
    BlobError,
    BlobStore,
    EvidenceChainRecord,
    Repository,
    SnapshotRecord,
    content_sha256,
)
from storage.evidence import check_record
from watcher.archive.bundle import bundle_files
from watcher.errors import WatcherError
from watcher.web.filters import MAX_ROW_ID
from watcher.web.state import Web, WebState

router = APIRouter()

# A version's files never change once kept: browsers and proxies may keep them a year.
IMMUTABLE = "public, max-age=31536000, immutable"
# The kept page may run nothing, load nothing and is its own opaque origin.
PAGE_POLICY = "sandbox; default-src 'none'"
# Two versions' files (screenshots capped at 20,000 px) fit far below this; a bundle over it
# is refused rather than built in memory.
MAX_BUNDLE_BYTES = 128 * 1024 * 1024
# Already compressed: stored in the zip as they are.
_STORED_SUFFIXES = (".png",)


@dataclass(frozen=True)
class VersionEvidence:
    """What the change page shows of one version: which files are kept for it."""

    snapshot_id: int
    has_screenshot: bool
    has_html: bool
    screenshot_height: int | None
    screenshot_capped: bool


@dataclass(frozen=True)
class ChainPlace:
    """What the snapshot page shows of a version's evidence record."""

    record: EvidenceChainRecord
    problems: tuple[str, ...]  # empty: the record, its files and its link hold

    @property
    def verifies(self) -> bool:
        return not self.problems


def version_evidence(repo: Repository, snapshot_id: int) -> VersionEvidence | None:
    record = repo.evidence_record(snapshot_id)
    if record is None:
        return None
    return VersionEvidence(
        snapshot_id=snapshot_id,
        has_screenshot=record.screenshot_sha256 is not None,
        has_html=record.html_sha256 is not None,
        screenshot_height=record.screenshot_height,
        screenshot_capped=record.screenshot_capped,
    )


def chain_place(
    repo: Repository, snapshot: SnapshotRecord, blobs: BlobStore | None
) -> ChainPlace | None:
    """The version's record and whether it verifies as `watcher verify` checks it: its hash,
    its link to the record of the version before, its text and its files (when the store is
    known here). None for a version kept without evidence."""
    record = repo.evidence_record(snapshot.id)
    if record is None:
        return None
    previous = repo.evidence_record(snapshot.previous_id) if snapshot.previous_id else None
    text_sha256 = content_sha256(snapshot.canonical_text)
    if blobs is None:
        return ChainPlace(record, ("the evidence files are not served here",))
    return ChainPlace(record, tuple(check_record(record, previous, blobs, text_sha256)))


@router.get("/snapshots/{snapshot_id:int}/screenshot.png", include_in_schema=False)
def snapshot_screenshot(snapshot_id: int, request: Request, web: Web) -> Response:
    record = _record_of(web, snapshot_id)
    digest = record.screenshot_sha256
    if digest is None:
        raise HTTPException(404, f"snapshot #{snapshot_id} has no screenshot")
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
    if etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(_read(web, digest), media_type="image/png", headers=headers)


@router.get("/snapshots/{snapshot_id:int}/page.html", include_in_schema=False)
def snapshot_page_html(snapshot_id: int, web: Web) -> Response:
    record = _record_of(web, snapshot_id)
    if record.html_sha256 is None:
        raise HTTPException(404, f"snapshot #{snapshot_id} has no rendered HTML")
    return Response(
        _read(web, record.html_sha256),
        media_type="text/plain; charset=utf-8",
        headers={
            "Content-Security-Policy": PAGE_POLICY,
            "Cache-Control": IMMUTABLE,
            "ETag": f'"{record.html_sha256}"',
        },
    )


@router.get("/changes/{change_id:int}/bundle.zip", include_in_schema=False)
def change_bundle(change_id: int, web: Web) -> Response:
    blobs = _store(web)
    with web.context.database.reader() as repo:
        change = repo.get_change(change_id) if change_id <= MAX_ROW_ID else None
    if change is None:
        raise HTTPException(404, f"no change #{change_id}")
    try:
        files = bundle_files(web.context.database, blobs, change_id)
    except BlobError as error:
        raise HTTPException(503, "an evidence file cannot be read right now") from error
    except WatcherError as error:  # the change went away meanwhile
        raise HTTPException(404, str(error)) from error
    size = sum(len(data) for data in files.values())
    if size > MAX_BUNDLE_BYTES:
        raise HTTPException(
            413, f"the bundle is {size:,} bytes, over the {MAX_BUNDLE_BYTES:,} bytes served here"
        )
    name = f"change-{change_id}"
    return Response(
        zip_files(name, files, change.detected_at),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'},
    )


def zip_files(folder: str, files: dict[str, bytes], when: datetime) -> bytes:
    """The files under `folder/` in a zip, dated `when`: the same bundle gives the same bytes."""
    out = io.BytesIO()
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            stored = name.endswith(_STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return out.getvalue()


def _store(web: WebState) -> BlobStore:
    if web.context.evidence is None:
        raise HTTPException(404, "evidence files are not served here")
    return web.context.evidence


def _record_of(web: WebState, snapshot_id: int) -> EvidenceChainRecord:
    _store(web)
    with web.context.database.reader() as repo:
        record = repo.evidence_record(snapshot_id) if snapshot_id <= MAX_ROW_ID else None
    if record is None:
        raise HTTPException(404, f"snapshot #{snapshot_id} has no evidence")
    return record


def _read(web: WebState, digest: str) -> bytes:
    try:
        return _store(web).get(digest)
    except BlobError as error:
        # The message names a path of the server: not for the visitor.
        raise HTTPException(503, "the evidence file cannot be read right now") from error


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
