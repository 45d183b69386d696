"""Evidence in the web app: the change page's screenshots and links, the snapshot page's hashes
and chain, the screenshot, page and bundle routes (a kept page holding <script> is served as
sandboxed text), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html
from web_testkit import BASE_URL, context_for

from benchmarks.web_history import START, seed_history
from storage import BlobStore, Database, EvidenceSpec, content_sha256
from watcher.web import create_app, evidence

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HOSTILE_PAGE = (
    "<!doctype html><html><body><h1>Our notice</h1>"
    "<script>document.title='ran';fetch('/api/deliveries/retry-failed',{method:'POST'})</script>"
    "<img src=x onerror=alert(1)></body></html>"
)


@dataclass(frozen=True)
class Evidenced:
    client: TestClient
    database: Database
    blobs: BlobStore
    change_id: int
    before: int  # snapshot ids
    after: int
    without_evidence: int
    screenshot: bytes  # the after version's


def _keep(repo_blobs: BlobStore, text: str, png: bytes, page: str) -> EvidenceSpec:
    return EvidenceSpec(
        text_sha256=repo_blobs.put(text.encode("utf-8"), compress=True),
        fetch_record_sha256=repo_blobs.put(b'{"status": 200}', compress=True),
        screenshot_sha256=repo_blobs.put(png),
        html_sha256=repo_blobs.put(page.encode("utf-8"), compress=True),
        screenshot_height=1200,
    )


@pytest.fixture
def evidenced(fresh_database: Database, tmp_path: Path) -> Iterator[Evidenced]:
    seeded = seed_history(fresh_database, 3)
    blobs = BlobStore(tmp_path / "evidence")
    change_id = seeded.change_ids[0]
    with fresh_database.reader() as repo:
        change = repo.get_change(change_id)
        assert change is not None
        before = repo.get_snapshot(change.from_snapshot_id)
        after = repo.get_snapshot(change.to_snapshot_id)
        other = repo.get_change(seeded.change_ids[1])
    assert before is not None and after is not None and other is not None
    assert (
        content_sha256(before.canonical_text)
        == hashlib.sha256(before.canonical_text.encode("utf-8")).hexdigest()
    )
    after_png = PNG_MAGIC + b"after version's own pixels"
    with fresh_database.transaction() as repo:
        for snapshot, png, page in (
            (before, PNG_MAGIC + b"before version's own pixels", "<p>Before</p>"),
            (after, after_png, HOSTILE_PAGE),
        ):
            spec = _keep(blobs, snapshot.canonical_text, png, page)
            repo.record_evidence(snapshot.id, spec, START + timedelta(days=1))
    context = context_for(fresh_database, seeded.target_ids, evidence=blobs)
    with TestClient(create_app(context), base_url=BASE_URL) as client:
        yield Evidenced(
            client,
            fresh_database,
            blobs,
            change_id,
            before.id,
            after.id,
            other.to_snapshot_id,
            after_png,
        )


def test_the_change_page_shows_both_screenshots_side_by_side_with_their_files(
    evidenced: Evidenced,
) -> None:
    page = evidenced.client.get(f"/changes/{evidenced.change_id}")
    assert page.status_code == 200
    tree = html.fromstring(page.text)
    figures = tree.xpath("//section[@class='evidence']//figure")
    assert len(figures) == 2
    images = [figure.xpath(".//img")[0].get("src") for figure in figures]
    assert images == [
        f"/snapshots/{evidenced.before}/screenshot.png",
        f"/snapshots/{evidenced.after}/screenshot.png",
    ]
    links = set(tree.xpath("//section[@class='evidence']//a/@href"))
    for snapshot_id in (evidenced.before, evidenced.after):
        assert f"/snapshots/{snapshot_id}/page.html" in links
        assert f"/snapshots/{snapshot_id}.txt" in links
    assert f"/changes/{evidenced.change_id}/bundle.zip" in links


def test_a_change_without_evidence_says_so_and_offers_no_screenshot(
    evidenced: Evidenced,
) -> None:
    with evidenced.database.reader() as repo:
        newest = repo.latest_change_id()
    assert newest is not None and newest != evidenced.change_id
    tree = html.fromstring(evidenced.client.get(f"/changes/{newest}").text)
    assert not tree.xpath("//section[@class='evidence']//img")
    assert (
        "kept before evidence was recorded"
        in tree.xpath("//section[@class='evidence']")[0].text_content()
    )


def test_the_screenshot_is_served_as_png_with_a_long_cache_and_its_hash_as_etag(
    evidenced: Evidenced,
) -> None:
    response = evidenced.client.get(f"/snapshots/{evidenced.after}/screenshot.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == evidenced.screenshot
    digest = hashlib.sha256(evidenced.screenshot).hexdigest()
    assert response.headers["etag"] == f'"{digest}"'
    assert "max-age=31536000" in response.headers["cache-control"]
    again = evidenced.client.get(
        f"/snapshots/{evidenced.after}/screenshot.png", headers={"If-None-Match": f'"{digest}"'}
    )
    assert again.status_code == 304 and again.content == b""


def test_a_kept_page_with_script_is_served_as_sandboxed_text(evidenced: Evidenced) -> None:
    response = evidenced.client.get(f"/snapshots/{evidenced.after}/page.html")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    policies = response.headers.get_list("content-security-policy")
    assert any(policy.startswith("sandbox") for policy in policies)
    assert response.text == HOSTILE_PAGE  # as kept, not rewritten and not live


@pytest.mark.parametrize("path", ["screenshot.png", "page.html"])
def test_a_snapshot_without_evidence_or_unknown_is_404(evidenced: Evidenced, path: str) -> None:
    for snapshot_id in (evidenced.without_evidence, 999_999):
        response = evidenced.client.get(f"/snapshots/{snapshot_id}/{path}")
        assert response.status_code == 404
        assert "has no evidence" in response.text


def test_without_an_evidence_store_the_files_are_404(evidenced: Evidenced) -> None:
    ids = _target_ids(evidenced.database)
    with TestClient(create_app(context_for(evidenced.database, ids))) as client:
        for path in (
            f"/snapshots/{evidenced.after}/screenshot.png",
            f"/changes/{evidenced.change_id}/bundle.zip",
        ):
            response = client.get(path)
            assert response.status_code == 404 and "not served here" in response.text
        page = client.get(f"/changes/{evidenced.change_id}")
        assert "screenshot.png" not in page.text and "bundle.zip" not in page.text


def test_the_bundle_is_a_zip_of_both_versions_files_and_its_manifest(
    evidenced: Evidenced,
) -> None:
    response = evidenced.client.get(f"/changes/{evidenced.change_id}/bundle.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    name = f"change-{evidenced.change_id}"
    assert f'filename="{name}.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        files = {
            info.filename.removeprefix(f"{name}/"): archive.read(info)
            for info in archive.infolist()
        }
    assert files["after.png"] == evidenced.screenshot
    assert files["after.html"].decode() == HOSTILE_PAGE
    assert {"before.png", "before.txt", "diff.html", "findings.json"} <= set(files)
    lines = files["MANIFEST.txt"].decode().splitlines()
    sums = [line.split("  ") for line in lines if line and not line.startswith("#")]
    listed = {entry[1]: entry[0] for entry in sums}
    assert set(listed) == set(files) - {"MANIFEST.txt"}
    for file_name, digest in listed.items():
        assert hashlib.sha256(files[file_name]).hexdigest() == digest
    # The same bundle twice is the same bytes.
    assert evidenced.client.get(f"/changes/{evidenced.change_id}/bundle.zip").content == (
        response.content
    )
    assert evidenced.client.get("/changes/999999/bundle.zip").status_code == 404


def test_a_bundle_over_the_limit_is_refused_in_one_line(
    evidenced: Evidenced, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "MAX_BUNDLE_BYTES", 100)
    response = evidenced.client.get(f"/changes/{evidenced.change_id}/bundle.zip")
    assert response.status_code == 413
    assert "over the 100 bytes served here" in response.text


def test_the_snapshot_page_shows_its_hashes_and_place_in_the_chain(evidenced: Evidenced) -> None:
    with evidenced.database.reader() as repo:
        first = repo.evidence_record(evidenced.before)
        second = repo.evidence_record(evidenced.after)
    assert first is not None and second is not None
    tree = html.fromstring(evidenced.client.get(f"/snapshots/{evidenced.after}").text)
    section = tree.xpath("//section[@class='evidence']")[0]
    hashes = [code.text_content() for code in section.xpath(".//code[@class='hash']")]
    assert hashes[:2] == [first.record_sha256, second.record_sha256]
    assert set(second.files().values()) <= set(hashes)
    assert "✓ Verifies" in section.text_content()
    first_page = html.fromstring(evidenced.client.get(f"/snapshots/{evidenced.before}").text)
    assert (
        "the first record of its chain"
        in first_page.xpath("//section[@class='evidence']")[0].text_content()
    )
    plain = html.fromstring(evidenced.client.get(f"/snapshots/{evidenced.without_evidence}").text)
    assert (
        "kept before evidence was recorded"
        in plain.xpath("//section[@class='evidence']")[0].text_content()
    )


def test_a_tampered_screenshot_makes_the_snapshot_page_say_it_does_not_verify(
    evidenced: Evidenced,
) -> None:
    digest = hashlib.sha256(evidenced.screenshot).hexdigest()
    stored = evidenced.blobs.find(digest)
    assert stored is not None
    stored.write_bytes(evidenced.screenshot + b"one more byte")
    text = html.fromstring(evidenced.client.get(f"/snapshots/{evidenced.after}").text)
    verdict = text.xpath("//section[@class='evidence']//p[@class='verdict']")[0].text_content()
    assert "✗ Does not verify" in verdict and "screenshot file" in verdict


def _target_ids(database: Database) -> list[str]:
    with database.reader() as repo:
        return [target.id for target in repo.list_targets(active_only=False)]
