"""The evidence kept for every new version: its files in the blob store and the fetch record.

Called by the recorder in the transaction that stores the version (files first: a file whose
version then fails to commit is an unreferenced file, never a record without its file).
Unchanged re-checks never get here, so they write nothing.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from storage import BlobStore, EvidenceSpec
from watcher import __version__
from watcher.config import Target
from watcher.fetch.base import FetchFailure, FetchResult
from watcher.fetch.evidence import SCREENSHOT_MAX_HEIGHT
from watcher.health import declared_variants

FETCH_RECORD_FORMAT = 1
_SPACES = re.compile(r"\s+")


def keep_evidence(
    blobs: BlobStore,
    target: Target,
    load: FetchResult | FetchFailure | None,
    canonical_text: str,
    recorded_at: datetime,
) -> EvidenceSpec:
    """Write a version's files (each once, by content) and return their hashes. `load` is the
    rendered page the version comes from, or the failure that recorded the page gone."""
    html = load.html if isinstance(load, FetchResult) else ""
    evidence = load.evidence if isinstance(load, FetchResult) else None
    record = fetch_record(target, load, canonical_text, recorded_at)
    screenshot = evidence.screenshot_png if evidence is not None else None
    return EvidenceSpec(
        text_sha256=blobs.put(canonical_text.encode("utf-8"), compress=True),
        fetch_record_sha256=blobs.put(_json_bytes(record)),
        screenshot_sha256=blobs.put(screenshot) if screenshot else None,
        html_sha256=blobs.put(html.encode("utf-8"), compress=True) if html else None,
        screenshot_height=evidence.page_height if evidence is not None else None,
        screenshot_capped=evidence.screenshot_capped if evidence is not None else False,
    )


def fetch_record(
    target: Target,
    load: FetchResult | FetchFailure | None,
    canonical_text: str,
    recorded_at: datetime,
) -> dict[str, Any]:
    """How the version was fetched, as kept beside its files (never a proxy's credentials)."""
    region = target.region
    proxy = region.proxy
    record: dict[str, Any] = {
        "format": FETCH_RECORD_FORMAT,
        "target": target.id,
        "source": target.source_id,
        "region": target.region_id,
        "locale": region.locale,
        "timezone": region.timezone,
        "accept_language": region.accept_language,
        "proxy_host": _proxy_host(proxy.host, proxy.port) if proxy is not None else None,
        "expected_legal_variant": region.legal_variant,
        "declared_legal_variants": sorted(
            declared_variants(_SPACES.sub(" ", canonical_text).lower())
        ),
        "requested_url": target.url,
        "final_url": None,
        "status": None,
        "response_headers": [],
        "fetched_at": recorded_at.isoformat(),
        "browser": None,
        "watcher_version": __version__,
        "screenshot": None,
    }
    if isinstance(load, FetchFailure):
        record.update(final_url=load.final_url, status=load.status, failure=load.kind.value)
    elif load is not None:
        record.update(requested_url=load.url, final_url=load.final_url, status=load.status)
        evidence = load.evidence
        if evidence is not None:
            record.update(
                response_headers=[list(pair) for pair in evidence.response_headers],
                fetched_at=evidence.fetched_at.isoformat(),
                browser=evidence.browser_version,
                screenshot={
                    "page_height_px": evidence.page_height,
                    "max_height_px": SCREENSHOT_MAX_HEIGHT,
                    "capped": evidence.screenshot_capped,
                    "error": evidence.screenshot_error,
                },
            )
    return record


def _proxy_host(host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port is not None else shown


def _json_bytes(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, indent=1, ensure_ascii=False).encode("utf-8")
