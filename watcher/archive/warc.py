"""`write_warc`: the kept versions as WARC 1.1, for web archives and replay tools.

Each version becomes
- a `response` record of the rendered page at its final URL, with the main response's status
  and headers (the body is the HTML as the browser had it, UTF-8 and uncompressed, so the
  headers that described the wire form, `content-encoding`, `transfer-encoding` and
  `content-length`, are left to the fetch record);
- a `resource` record of its full-page screenshot (`image/png`) and one of its canonical text;
- a `metadata` record (`application/json`) with the fetch record and the chain hashes, at a
  `urn:watcher:` URI of its own that refers to the page's record.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storage import BlobStore, Database, EvidenceChainRecord
from watcher import __version__

_WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
_PAGE = 200


def write_warc(
    database: Database,
    blobs: BlobStore,
    out: IO[bytes],
    *,
    target_id: str | None = None,
    since: datetime | None = None,
) -> int:
    """Write every kept version (of one target, since a date) to `out`; returns how many."""
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    info = {"software": f"watcher {__version__}", "format": "WARC File Format 1.1"}
    writer.write_record(writer.create_warcinfo_record("watcher-evidence.warc.gz", info))
    count = 0
    for record in _records(database, target_id, since):
        _write_version(writer, blobs, record)
        count += 1
    return count


def screenshot_uri(snapshot_id: int) -> str:
    return f"urn:watcher:snapshot:{snapshot_id}:screenshot.png"


def metadata_uri(snapshot_id: int) -> str:
    return f"urn:watcher:snapshot:{snapshot_id}:metadata.json"


def text_uri(snapshot_id: int) -> str:
    return f"urn:watcher:snapshot:{snapshot_id}:canonical.txt"


def chain_fields(record: EvidenceChainRecord) -> dict[str, Any]:
    """A record's hashes and place in its chain, as exports show them."""
    return {
        "snapshot_id": record.snapshot_id,
        "target": record.target_id,
        "recorded_at": record.recorded_at,
        "files_sha256": record.files(),
        "screenshot_height_px": record.screenshot_height,
        "screenshot_capped": record.screenshot_capped,
        "previous_record_sha256": record.previous_record_sha256,
        "record_sha256": record.record_sha256,
    }


def _records(
    database: Database, target_id: str | None, since: datetime | None
) -> Iterator[EvidenceChainRecord]:
    after = 0
    while True:
        with database.reader() as repo:
            page = repo.evidence_records(
                target_id=target_id, after_snapshot_id=after, since=since, limit=_PAGE
            )
        if not page:
            return
        yield from page
        after = page[-1].snapshot_id


def _write_version(writer: WARCWriter, blobs: BlobStore, record: EvidenceChainRecord) -> None:
    fetch = json.loads(blobs.get(record.fetch_record_sha256))
    url = fetch.get("final_url") or fetch.get("requested_url") or ""
    date = _warc_date(fetch.get("fetched_at") or record.recorded_at)
    dated = {"WARC-Date": date}
    response_id: str | None = None
    if record.html_sha256 is not None:
        html = blobs.get(record.html_sha256)
        status = int(fetch.get("status") or 200)
        headers = [
            (name, value)
            for name, value in fetch.get("response_headers", [])
            if name not in _WIRE_HEADERS and name != "content-type"
        ]
        headers += [
            ("content-type", "text/html; charset=utf-8"),
            ("content-length", str(len(html))),
        ]
        http = StatusAndHeaders(f"{status} {_reason(status)}", headers, protocol="HTTP/1.1")
        response = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(html),
            length=len(html),
            http_headers=http,
            warc_headers_dict=dict(dated),
        )
        writer.write_record(response)
        response_id = response.rec_headers.get_header("WARC-Record-ID")
    linked = dict(dated)
    if response_id is not None:
        linked["WARC-Concurrent-To"] = response_id
    if record.screenshot_sha256 is not None:
        png = blobs.get(record.screenshot_sha256)
        _resource(writer, screenshot_uri(record.snapshot_id), png, "image/png", linked)
    text = blobs.get(record.text_sha256)
    _resource(writer, text_uri(record.snapshot_id), text, "text/plain; charset=utf-8", linked)
    metadata = json.dumps(
        {"fetch_record": fetch, "evidence": chain_fields(record)}, indent=1, ensure_ascii=False
    ).encode("utf-8")
    # A URI of its own: replay tools look pages up by URI and must find the page, not this.
    refers = dict(dated)
    if url:
        refers["WARC-Refers-To-Target-URI"] = url
        refers["WARC-Refers-To-Date"] = date
    if response_id is not None:
        refers["WARC-Refers-To"] = response_id
    writer.write_record(
        writer.create_warc_record(
            metadata_uri(record.snapshot_id),
            "metadata",
            payload=io.BytesIO(metadata),
            length=len(metadata),
            warc_content_type="application/json",
            warc_headers_dict=refers,
        )
    )


def _resource(
    writer: WARCWriter, uri: str, data: bytes, content_type: str, headers: dict[str, str]
) -> None:
    writer.write_record(
        writer.create_warc_record(
            uri,
            "resource",
            payload=io.BytesIO(data),
            length=len(data),
            warc_content_type=content_type,
            warc_headers_dict=dict(headers),
        )
    )


def _warc_date(iso: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
