"""Which loads of a check ask for evidence, and what a check keeps, through `Checker` with canned
pages: a screenshot is asked only of a load that becomes a new version."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import BlobStore, Database, StorageError
from watcher.config import parse_config
from watcher.fetch.base import FetchRequest, FetchResult, PageEvidence
from watcher.fetch.static import StaticFetcher
from watcher.pipeline import Analysis, Checker

CONFIG = """\
regions:
  fr: {{locale: fr-FR, timezone: Europe/Paris, accept_language: "fr-FR,fr;q=0.9", \
proxy: "http://fr-user:s3cret-pass@proxy.example.net:3128", legal_variant: eu}}
defaults: {{confirm: {confirm}}}
sources:
  - id: fb-genai
    title: Generative AI
    url: "https://www.facebook.com/privacy/genai/"
    regions: [fr]
"""
FILLER = "<p>" + "Meta explains here how it uses information for its AI features. " * 6 + "</p>"
BEFORE = f"<html><body><main><h1>Generative AI</h1>{FILLER}</main></body></html>"
AFTER = BEFORE.replace("<h1>Generative AI</h1>", "<h1>Generative AI</h1><p>A new paragraph.</p>")
PNG = b"\x89PNG\r\n\x1a\n our own test bytes"


def _run(tmp_path: Path, confirm: bool, pages: list[str], *, keep: bool = True) -> list[bool]:
    """Check once per page; returns the evidence flag of every request, in order."""
    (target,) = parse_config(CONFIG.format(confirm=str(confirm).lower())).targets()
    current = {"html": pages[0]}

    def answer(request: FetchRequest) -> FetchResult:
        evidence = None
        if request.evidence:
            evidence = PageEvidence(
                fetched_at=datetime.now(UTC),
                browser_version="Chromium 156",
                response_headers=(("server", "test"),),
                screenshot_png=PNG + current["html"][-40:].encode(),
                page_height=900,
            )
        return FetchResult(
            target_id=request.target_id,
            url=request.url,
            final_url=request.url,
            status=200,
            html=current["html"],
            evidence=evidence,
        )

    fetcher = StaticFetcher({target.id: answer})
    database = Database(f"sqlite:///{tmp_path / 'watcher.db'}")
    database.upgrade()
    blobs = BlobStore(tmp_path / "evidence") if keep else None
    analysis = Analysis.in_threads()
    with Checker(fetcher, database, analysis=analysis, blobs=blobs) as checker:
        checker.register([target])
        for html in pages:
            current["html"] = html
            asyncio.run(checker.check(target))
    analysis.close()
    database.dispose()
    return [request.evidence for request in fetcher.requests]


@pytest.mark.parametrize("confirm", [True, False])
def test_only_loads_that_become_versions_ask_for_a_screenshot(
    tmp_path: Path, confirm: bool
) -> None:
    flags = _run(tmp_path, confirm, [BEFORE, BEFORE, BEFORE, AFTER])
    # the first version: its load, then one for its evidence; two unchanged re-checks; the
    # change: its first load, then the load that confirms it (or, with confirm: false, a load
    # for its evidence only).
    assert flags == [False, True, False, False, False, True]
    database = Database(f"sqlite:///{tmp_path / 'watcher.db'}")
    with database.reader() as repo:
        records = repo.evidence_records()
    database.dispose()
    assert len(records) == 2 and all(r.screenshot_sha256 for r in records)
    blobs = BlobStore(tmp_path / "evidence")
    fetch = blobs.get(records[1].fetch_record_sha256).decode()
    assert '"proxy_host": "proxy.example.net:3128"' in fetch
    assert "s3cret-pass" not in fetch and "fr-user" not in fetch


def test_without_a_blob_store_no_load_asks_for_evidence(tmp_path: Path) -> None:
    assert _run(tmp_path, True, [BEFORE, BEFORE, AFTER], keep=False) == [False] * 4


def test_a_failed_load_takes_no_screenshot(tmp_path: Path) -> None:
    login = "<html><body><form><input type=password></form><p>Log in to continue</p></body></html>"
    assert _run(tmp_path, True, [login, login]) == [False, False]


def test_an_unchanged_recheck_writes_no_file(tmp_path: Path) -> None:
    _run(tmp_path / "a", True, [BEFORE])
    files = sorted((tmp_path / "a" / "evidence").rglob("*"))
    stats = [(p, p.stat().st_mtime_ns) for p in files]
    _run(tmp_path / "a", True, [BEFORE, BEFORE, BEFORE])
    again = sorted((tmp_path / "a" / "evidence").rglob("*"))
    assert files and [(p, p.stat().st_mtime_ns) for p in again] == stats


def test_an_evidence_store_that_cannot_be_written_stops_the_check(tmp_path: Path) -> None:
    (tmp_path / "evidence").write_text("a file where the folder should be")
    with pytest.raises(StorageError, match="evidence store: cannot write"):
        _run(tmp_path, True, [BEFORE])
