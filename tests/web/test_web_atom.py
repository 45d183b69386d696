"""Atom feeds: what RFC 4287 requires of a feed and its entries, stable ids, one feed per filter."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient
from lxml import etree
from web_testkit import BASE_URL, History

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time, as RFC 4287 section 3.3 requires.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_feed(client: TestClient, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def assert_valid_atom(feed: etree._Element) -> None:
    """RFC 4287 4.1.1 and 4.1.2: the elements a feed and each entry must carry, once."""
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None  # so entries need none
    assert RFC3339.match(feed.findtext(f"{ATOM}updated") or "")
    self_links = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert len(self_links) == 1
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert RFC3339.match(entry.findtext(f"{ATOM}updated") or "")
        alternates = [
            link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"
        ]
        assert len(alternates) == 1 and alternates[0].get("type") == "text/html"
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "text"
        assert content.get("{http://www.w3.org/XML/1998/namespace}lang")
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids))


def entry_ids(feed: etree._Element) -> list[str]:
    return [e.findtext(f"{ATOM}id") or "" for e in feed.findall(f"{ATOM}entry")]


def test_the_whole_history_feed_is_valid_atom_with_permalink_ids(
    client: TestClient, history: History
) -> None:
    feed = parse_feed(client, "/feeds/changes.atom")
    assert_valid_atom(feed)
    ids = entry_ids(feed)
    expected = sorted(history.seeded.change_ids, reverse=True)
    assert ids == [f"{BASE_URL}/changes/{n}" for n in expected]
    assert feed.findtext(f"{ATOM}id") == f"{BASE_URL}/feeds/changes.atom"
    newest = feed.find(f"{ATOM}entry")
    assert newest is not None
    assert feed.findtext(f"{ATOM}updated") == newest.findtext(f"{ATOM}updated")
    # Stable: the same change has the same id in another fetch and in every filtered feed.
    assert entry_ids(parse_feed(client, "/feeds/changes.atom")) == ids
    for entry in feed.findall(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href") == entry.findtext(f"{ATOM}id")
        datetime.fromisoformat((entry.findtext(f"{ATOM}updated") or "").replace("Z", "+00:00"))


def test_feeds_per_source_region_kind_and_minimum_severity(client: TestClient) -> None:
    everything = set(entry_ids(parse_feed(client, "/feeds/changes.atom")))
    for query in ("source=genai", "region=de", "kind=cosmetic", "min_severity=high"):
        feed = parse_feed(client, f"/feeds/changes.atom?{query}")
        assert_valid_atom(feed)
        ids = entry_ids(feed)
        assert ids and set(ids) < everything, query
        api = client.get(f"/api/changes?limit=200&{query}").json()["items"]
        assert ids == [c["url"] for c in api], query
        assert feed.findtext(f"{ATOM}id") == f"{BASE_URL}/feeds/changes.atom?{query}"
        assert query.split("=")[1] in (feed.findtext(f"{ATOM}title") or "")


def test_an_empty_feed_is_still_valid(client: TestClient) -> None:
    feed = parse_feed(client, "/feeds/changes.atom?source=nothing-here")
    assert_valid_atom(feed)
    assert entry_ids(feed) == []


def test_every_page_advertises_its_feed(client: TestClient, history: History) -> None:
    for url, feed in (
        ("/changes?region=fr", "/feeds/changes.atom?region=fr"),
        (f"/changes/{history.newest_change}", "/feeds/changes.atom?source="),
        ("/targets", "/feeds/changes.atom"),
    ):
        html = client.get(url).text
        advertised = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*>', html)
        assert advertised is not None and f'href="{feed}' in advertised.group(0), url
