"""Evidence you can cite, end to end: real Chromium, the simulated Meta site, `watcher check`,
`watcher verify` and `watcher export` (WARC read back with warcio, replayed from pywb)."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import struct
from pathlib import Path

import pytest
from browser_harness import BrowserHarness
from evidence_testkit import PROXY_PASSWORD, TARGET, History, build_history, run_cli
from pywb_replay import pywb_bin, replaying
from warcio.archiveiterator import ArchiveIterator

from storage import EvidenceChainRecord
from watcher.fetch.base import FetchRequest, FetchResult
from watcher.fetch.evidence import SCREENSHOT_MAX_HEIGHT
from watcher.normalize import normalize_html, parse_canonical

pytestmark = pytest.mark.browser

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, chromium_available: None) -> History:
    return build_history(tmp_path_factory.mktemp("evidence"))


@pytest.fixture
def tampered(history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> History:
    """A copy of the history, with WATCHER_DATA pointing at it."""
    copy = history.copy(tmp_path / "copy")
    monkeypatch.setenv("WATCHER_DATA", str(copy.data))
    return copy


def _versions(history: History) -> tuple[EvidenceChainRecord, EvidenceChainRecord]:
    database = history.database()
    try:
        with database.reader() as repo:
            change = repo.get_change(history.change_id)
            assert change is not None
            before = repo.evidence_record(change.from_snapshot_id)
            after = repo.evidence_record(change.to_snapshot_id)
    finally:
        database.dispose()
    assert before is not None and after is not None
    return before, after


def _png_height(png: bytes) -> int:
    assert png.startswith(PNG_MAGIC)
    _width, height = struct.unpack(">II", png[16:24])
    return int(height)


def test_a_change_keeps_both_versions_screenshots_html_and_fetch_records(history: History) -> None:
    assert history.outcomes == ("first", "unchanged", "changed")
    before, after = _versions(history)
    assert after.previous_record_sha256 == before.record_sha256
    assert before.screenshot_sha256 and after.screenshot_sha256
    assert before.screenshot_sha256 != after.screenshot_sha256
    database = history.database()
    try:
        with database.reader() as repo:
            for record in (before, after):
                png = repo.snapshot_screenshot(record.snapshot_id, history.blobs)
                html = repo.snapshot_page_html(record.snapshot_id, history.blobs)
                assert png is not None and html is not None
                assert hashlib.sha256(png).hexdigest() == record.screenshot_sha256
                assert record.screenshot_height is not None
                assert _png_height(png) == min(record.screenshot_height, SCREENSHOT_MAX_HEIGHT)
                assert b"<html" in html and b'role="main"' in html
    finally:
        database.dispose()
    fetch = json.loads(history.blobs.get(after.fetch_record_sha256))
    assert fetch["browser"].startswith("Chromium ")
    assert fetch["status"] == 200
    assert fetch["final_url"].startswith(history.site_base_url)
    assert (fetch["region"], fetch["locale"], fetch["expected_legal_variant"]) == (
        "fr",
        "fr-FR",
        "eu",
    )
    assert ["server", "simsite"] in fetch["response_headers"]
    host, port = fetch["proxy_host"].rsplit(":", 1)
    assert host == "127.0.0.1" and port.isdigit()
    for path in history.data.joinpath("evidence").rglob("*"):
        if path.is_file() and not path.name.endswith(".gz"):
            assert PROXY_PASSWORD.encode() not in path.read_bytes()


def test_an_unchanged_recheck_writes_no_file_and_no_record(history: History) -> None:
    assert history.files_after_first  # the first version did keep files
    assert history.files_after_unchanged == history.files_after_first
    assert history.records_after_unchanged == history.records_after_first


def test_verify_holds_on_an_untouched_history(tampered: History) -> None:
    status, out = run_cli("verify", "--db", tampered.db_url)
    assert status == 0, out
    assert out.startswith("OK: ") and "every file hash, record hash and chain link holds" in out


@pytest.mark.parametrize("role", ["screenshot", "html"])
def test_one_edited_byte_of_a_stored_file_fails_verify_naming_its_record(
    tampered: History, role: str
) -> None:
    before, after = _versions(tampered)
    digest = after.screenshot_sha256 if role == "screenshot" else after.html_sha256
    assert digest is not None
    path = tampered.blobs.find(digest)
    assert path is not None
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    status, out = run_cli("verify", "--db", tampered.db_url, "--target", TARGET)
    assert status == 1, out
    assert f"the evidence record of snapshot #{after.snapshot_id} " in out
    assert f"{role} file" in out
    assert f"snapshot #{before.snapshot_id} " not in out
    assert out.splitlines()[-1].startswith("MISMATCH: 1 problem(s)")


def test_one_edited_field_of_a_record_fails_verify_naming_that_record(tampered: History) -> None:
    before, after = _versions(tampered)
    with sqlite3.connect(tampered.data / "watcher.db") as connection:
        connection.execute(
            "UPDATE evidence_records SET screenshot_height = screenshot_height + 1 "
            "WHERE snapshot_id = ?",
            (before.snapshot_id,),
        )
    status, out = run_cli("verify", "--db", tampered.db_url)
    assert status == 1, out
    assert f"the evidence record of snapshot #{before.snapshot_id} " in out
    assert "its fields do not hash to its record hash" in out
    # The chain is judged from its first broken record: the later one is not named.
    assert f"snapshot #{after.snapshot_id} " not in out


def test_a_removed_last_record_is_named_by_its_snapshot(tampered: History) -> None:
    _, after = _versions(tampered)
    with sqlite3.connect(tampered.data / "watcher.db") as connection:
        connection.execute(
            "DELETE FROM evidence_records WHERE snapshot_id = ?", (after.snapshot_id,)
        )
    status, out = run_cli("verify", "--db", tampered.db_url, "--target", TARGET)
    assert status == 1, out
    assert f"snapshot #{after.snapshot_id} was stored after its chain began" in out


def test_a_removed_record_breaks_the_link_of_the_next(tampered: History) -> None:
    before, after = _versions(tampered)
    with sqlite3.connect(tampered.data / "watcher.db") as connection:
        connection.execute(
            "DELETE FROM evidence_records WHERE snapshot_id = ?", (before.snapshot_id,)
        )
    status, out = run_cli("verify", "--db", tampered.db_url)
    assert status == 1, out
    assert f"snapshot #{after.snapshot_id} " in out and "its link" in out


def test_the_warc_reads_back_record_by_record(tampered: History) -> None:
    before, after = _versions(tampered)
    warc = tampered.root / "evidence.warc.gz"
    status, out = run_cli(
        "export", "--db", tampered.db_url, "--warc", str(warc), "--target", TARGET
    )
    assert status == 0, out
    with warc.open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(stream)
        ]
    assert {headers.protocol for _, headers, _ in records} == {"WARC/1.1"}
    assert [kind for kind, _, _ in records] == ["warcinfo"] + [
        "response",
        "resource",
        "resource",
        "metadata",
    ] * 2
    for index, record in enumerate((before, after)):
        response, screenshot, text, metadata = records[1 + 4 * index : 5 + 4 * index]
        assert response[2] == tampered.blobs.get(record.html_sha256 or "")
        assert response[1].get_header("WARC-Target-URI").startswith(tampered.site_base_url)
        assert screenshot[1].get_header("Content-Type") == "image/png"
        assert screenshot[2] == tampered.blobs.get(record.screenshot_sha256 or "")
        assert hashlib.sha256(text[2]).hexdigest() == record.text_sha256
        facts = json.loads(metadata[2])
        assert facts["evidence"]["record_sha256"] == record.record_sha256
        assert facts["evidence"]["previous_record_sha256"] == record.previous_record_sha256
        assert facts["fetch_record"]["target"] == TARGET
        refers = metadata[1].get_header("WARC-Refers-To")
        assert refers == response[1].get_header("WARC-Record-ID")


def test_the_bundle_holds_both_versions_and_a_manifest_that_checks(tampered: History) -> None:
    before, after = _versions(tampered)
    out_dir = tampered.root / "bundles"
    status, out = run_cli(
        "export", "--db", tampered.db_url, "--bundle", str(out_dir), str(tampered.change_id)
    )
    assert status == 0, out
    folder = out_dir / f"change-{tampered.change_id}"
    names = {p.name for p in folder.iterdir()}
    for side in ("before", "after"):
        assert {f"{side}.png", f"{side}.html", f"{side}.txt", f"{side}-fetch.json"} <= names
    assert {"diff.html", "diff.txt", "findings.json", "MANIFEST.txt"} <= names
    assert (folder / "before.png").read_bytes() == tampered.blobs.get(
        before.screenshot_sha256 or ""
    )
    manifest = (folder / "MANIFEST.txt").read_text()
    sums = [line.split("  ") for line in manifest.splitlines() if line and line[0] != "#"]
    assert {name for _, name in sums} == names - {"MANIFEST.txt"}
    for digest, name in sums:
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert f"record_sha256: {after.record_sha256}" in manifest
    assert f"previous_record_sha256: {before.record_sha256}" in manifest
    findings = json.loads((folder / "findings.json").read_text())
    assert findings["change"] == tampered.change_id and findings["findings"]
    assert "<script" not in (folder / "diff.html").read_text().lower()


def test_bad_usage_and_a_missing_change_are_one_line_errors(tampered: History) -> None:
    status, out = run_cli("export", "--db", tampered.db_url, "--bundle", str(tampered.root))
    assert status == 2 and len(out.splitlines()) == 1
    status, _ = run_cli(
        "export", "--db", tampered.db_url, "--bundle", str(tampered.root / "b"), "999"
    )
    assert status == 1


def first_heading(canonical: str) -> str:
    return next(block.text for block in parse_canonical(canonical).blocks if block.text)


def test_the_warc_replays_in_chromium_from_a_local_pywb(
    tampered: History, browser: BrowserHarness
) -> None:
    bin_dir = pywb_bin()
    if bin_dir is None:
        pytest.skip("pywb is not installed: `make replay-env` installs it in .venv-replay")
    _, after = _versions(tampered)
    warc = tampered.root / "replay.warc.gz"
    status, out = run_cli("export", "--db", tampered.db_url, "--warc", str(warc))
    assert status == 0, out
    page = tampered.blobs.get(after.html_sha256 or "")
    with warc.open("rb") as stream:
        # The response record of the changed version: the one whose body is its kept HTML.
        headers = next(
            r.rec_headers
            for r in ArchiveIterator(stream)
            if r.rec_type == "response" and r.content_stream().read() == page
        )
    url = headers.get_header("WARC-Target-URI")
    stamp = re.sub(r"\D", "", headers.get_header("WARC-Date"))[:14]
    heading = first_heading(tampered.blobs.get(after.text_sha256).decode("utf-8"))
    with replaying(bin_dir, warc, tampered.root / "pywb") as base:
        request = FetchRequest(
            target_id="replay",
            url=f"{base}/{stamp}/{url}",
            region_id="fr",
            locale="fr-FR",
            timezone="Europe/Paris",
            accept_language="fr-FR,fr;q=0.9",
            wait_for="h1",
            timeout_s=30,
        )
        replayed = browser.fetch(request)
    assert isinstance(replayed, FetchResult), replayed
    assert replayed.status == 200
    document = normalize_html(replayed.html, base_url=url, select=('[role="main"]',))
    assert heading in document.canonical_text()
