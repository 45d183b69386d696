"""Everything quoted from a page is escaped everywhere: snapshots and findings holding <script>,
onerror= attributes, javascript: links, right-to-left overrides and very long words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from lxml import etree, html
from web_testkit import context_for

from benchmarks.web_history import START, page_text, seed_history
from storage import Database, FindingSpec
from watcher.diff import diff_documents
from watcher.normalize import parse_canonical
from watcher.web import create_app

RTL_OVERRIDE = "\u202e"
LONG_WORD = "Datenverarbeitungs" * 300  # 5,400 characters without a break
HOSTILE_LINES = [
    "## Objection <script>alert('heading')</script>",
    "Read this <script>alert(1)</script> and <img src=x onerror=alert(2)> now.",
    "[Object here](javascript:alert(3))",
    f"Your file is called {RTL_OVERRIDE}fdp.exe and nothing after it may turn around.",
    f"A very long word: {LONG_WORD}.",
    '"><svg onload=alert(4)> & </textarea></title>',
]
HOSTILE_EVIDENCE = " ".join(HOSTILE_LINES[1:])


@pytest.fixture
def hostile(fresh_database: Database) -> Iterator[tuple[TestClient, int]]:
    seeded = seed_history(fresh_database, 3)
    target = "genai@fr"
    old_text = page_text("genai", "fr", 1)
    new_text = old_text + "\n" + "\n".join(HOSTILE_LINES)
    diff = diff_documents(parse_canonical(old_text), parse_canonical(new_text))
    when = START + timedelta(days=30)
    with fresh_database.transaction() as repo:
        latest = repo.latest_snapshot_id(target)
        snapshot = repo.append_version(
            target,
            after=latest,
            canonical_text=new_text,
            raw_html=None,
            taken_at=when,
            final_url="javascript:alert(5)",
            http_status=200,
        )
        assert latest is not None
        change = repo.record_change(
            target,
            from_snapshot_id=latest,
            to_snapshot_id=snapshot.id,
            detected_at=when,
            summary=diff.summary(),
            diff=diff.to_json(),
            findings=[
                FindingSpec(
                    kind="opt_out_changed",
                    severity="high",
                    region="fr",
                    path="Objection <script>alert(6)</script>",
                    evidence_before="<img src=x onerror=alert(7)>",
                    evidence_after=HOSTILE_EVIDENCE,
                )
            ],
        )
    app_context = context_for(fresh_database, seeded.target_ids)
    with TestClient(create_app(app_context)) as client:
        yield client, change.id


def assert_inert(document: str, url: str) -> None:
    lowered = document.lower()
    assert "<script" not in lowered, url
    assert "<img" not in lowered and "<svg" not in lowered, url
    assert not re.search(r"<[^>]*\bon(error|load)\s*=", lowered), url
    assert 'href="javascript:' not in lowered, url
    assert not re.search(r"<[^>]*\bsrc\s*=", lowered), url
    assert "</textarea>" not in lowered and lowered.count("</title>") <= 1, url


def assert_rtl_isolated(document: str, url: str) -> None:
    """Every right-to-left override sits in an element that isolates it (bdi, ins, del, code
    or a quoted text), so it cannot turn the page's own words around."""
    tree = html.fromstring(document)
    found = 0
    for element in tree.iter():
        for text, owner in ((element.text, element), (element.tail, element.getparent())):
            if not text or RTL_OVERRIDE not in text:
                continue
            found += 1
            holder = owner
            while holder is not None and not _isolates(holder):
                holder = holder.getparent()
            assert holder is not None, f"{url}: {text[:60]!r} is not isolated"
    assert found, url


def _isolates(element: html.HtmlElement) -> bool:
    classes = (element.get("class") or "").split()
    return element.tag in ("bdi", "ins", "del", "code") or bool({"text", "quote"} & set(classes))


def test_hostile_text_is_escaped_and_isolated_on_every_page(
    hostile: tuple[TestClient, int],
) -> None:
    client, change_id = hostile
    change = client.get(f"/api/changes/{change_id}").json()
    pages = [
        "/changes",
        "/changes?q=script",
        f"/changes/{change_id}",
        f"/changes/{change_id}?view=side",
        f"/snapshots/{change['to_snapshot']}",
        "/targets/genai@fr",
        "/compare/genai?a=fr&b=de",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.text, url)
        assert "&lt;script&gt;" in response.text or "/compare" in url, url
    for url in pages[:5]:
        assert_rtl_isolated(client.get(url).text, url)
    change_page = client.get(f"/changes/{change_id}").text
    assert LONG_WORD in change_page  # kept whole; the CSS wraps it anywhere
    assert "&lt;img src=x onerror=alert(7)&gt;" in change_page


def test_hostile_text_keeps_the_atom_feed_well_formed_and_the_api_exact(
    hostile: tuple[TestClient, int],
) -> None:
    client, change_id = hostile
    feed = client.get("/feeds/changes.atom")
    root = etree.fromstring(feed.content)  # raises on anything not well-formed
    assert "<script" not in feed.text and "&lt;script&gt;" in feed.text
    texts = "".join(root.itertext())
    assert "<img src=x onerror=alert(7)>" in texts  # quoted as text, exactly
    api = client.get(f"/api/changes/{change_id}").json()
    assert api["findings"][0]["evidence_after"] == HOSTILE_EVIDENCE
    assert client.get(f"/api/changes/{change_id}").headers["content-type"] == "application/json"
