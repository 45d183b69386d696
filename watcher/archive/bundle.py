"""`write_bundle`: one folder per change, for a person to attach to a complaint.

    change-42/
      before.png  before.html  before.txt  before-fetch.json     the version before
      after.png   after.html   after.txt   after-fetch.json      the version with the change
      diff.html   diff.txt                                       the change, as watcher shows it
      findings.json                                              what it means, with quotes
      MANIFEST.txt                                               SHA-256 of each file + chain

A version kept before evidence was recorded has its text only; the manifest says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from storage import BlobStore, ChangeRecord, Database, EvidenceChainRecord
from storage.blobs import sha256_hex
from watcher import __version__
from watcher.archive.warc import chain_fields
from watcher.diff import Change
from watcher.errors import WatcherError
from watcher.stored import change_as_json

_DIFF_CONTEXT = 2
# The diff shows third-party text: escaped by the renderer, and the page may run nothing.
_DIFF_PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title></head>
<body><h1>{title}</h1>
<p>{summary}</p>
{body}
</body></html>
"""


@dataclass(frozen=True)
class _Side:
    name: str  # "before" or "after"
    snapshot_id: int
    text: str
    record: EvidenceChainRecord | None


def write_bundle(database: Database, blobs: BlobStore, directory: Path, change_id: int) -> Path:
    """Write change `change_id`'s bundle under `directory`; returns the bundle's folder."""
    files = bundle_files(database, blobs, change_id)
    folder = directory / f"change-{change_id}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def bundle_files(database: Database, blobs: BlobStore, change_id: int) -> dict[str, bytes]:
    """Change `change_id`'s bundle as file names and their bytes, `MANIFEST.txt` included
    (the web app zips them on the fly; `write_bundle` writes them to a folder)."""
    with database.reader() as repo:
        change = repo.get_change(change_id)
        if change is None:
            raise WatcherError(f"no change #{change_id} is stored")
        sides = []
        for name, snapshot_id in (
            ("before", change.from_snapshot_id),
            ("after", change.to_snapshot_id),
        ):
            snapshot = repo.get_snapshot(snapshot_id)
            text = snapshot.canonical_text if snapshot is not None else ""
            sides.append(_Side(name, snapshot_id, text, repo.evidence_record(snapshot_id)))
    files: dict[str, bytes] = {}
    for side in sides:
        files.update(_side_files(blobs, side))
    files.update(_change_files(change))
    files["MANIFEST.txt"] = _manifest(change, files, sides).encode("utf-8")
    return files


def _side_files(blobs: BlobStore, side: _Side) -> dict[str, bytes]:
    files = {f"{side.name}.txt": side.text.encode("utf-8")}
    record = side.record
    if record is None:
        return files
    if record.screenshot_sha256 is not None:
        files[f"{side.name}.png"] = blobs.get(record.screenshot_sha256)
    if record.html_sha256 is not None:
        files[f"{side.name}.html"] = blobs.get(record.html_sha256)
    files[f"{side.name}-fetch.json"] = blobs.get(record.fetch_record_sha256)
    return files


def _change_files(change: ChangeRecord) -> dict[str, bytes]:
    diff = Change.from_json(change.diff)
    title = escape(f"Change #{change.id} of {change.target_id}")
    page = _DIFF_PAGE.format(
        title=title,
        summary=escape(f"{change.detected_at:%Y-%m-%d %H:%M UTC}: {change.summary}"),
        body=diff.to_html_side_by_side(_DIFF_CONTEXT),
    )
    # The change as `watcher changes --json` and the API give it, its id named `change`.
    as_json = change_as_json(change)
    findings = {"change": as_json.pop("id"), **as_json}
    return {
        "diff.html": page.encode("utf-8"),
        "diff.txt": diff.to_unified(_DIFF_CONTEXT).encode("utf-8"),
        "findings.json": json.dumps(findings, indent=1, ensure_ascii=False).encode("utf-8"),
    }


def _manifest(change: ChangeRecord, files: dict[str, bytes], sides: list[_Side]) -> str:
    lines = [
        f"# Change #{change.id} of {change.target_id}, detected "
        f"{change.detected_at.isoformat()}, written by watcher {__version__}.",
        "# Check a file: sha256sum -c MANIFEST.txt (the lines below that start with a hash).",
        "",
    ]
    lines += [f"{sha256_hex(files[name])}  {name}" for name in sorted(files)]
    lines += ["", "# Hash chain (`watcher verify` recomputes it from the database):"]
    for side in sides:
        if side.record is None:
            lines.append(f"# {side.name}: snapshot #{side.snapshot_id}, kept before evidence was")
            lines.append("#   recorded: its text only, not in a chain")
            continue
        fields = chain_fields(side.record)
        lines.append(f"# {side.name}: snapshot #{side.snapshot_id}")
        for key in ("recorded_at", "previous_record_sha256", "record_sha256"):
            lines.append(f"#   {key}: {fields[key] or 'none (the first record of its chain)'}")
        for role, digest in sorted(side.record.files().items()):
            lines.append(f"#   {role}_sha256: {digest}")
    return "\n".join(lines) + "\n"
