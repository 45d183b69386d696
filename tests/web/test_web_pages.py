"""Every page and every feed filter, in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from web_testkit import (
    FAILING_CHANNEL_LABEL,
    FAILING_TARGET,
    SEEDED_CHANGES,
    UNSTABLE_TARGET,
    History,
)

from watcher.web.security import CONTENT_SECURITY_POLICY

CHANGE_LINK = re.compile(r'<h2 id="change-(\d+)"><a href="/changes/\d+">')


def feed_ids(client: TestClient, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [int(n) for n in CHANGE_LINK.findall(response.text)]


def api_items(client: TestClient, query: str) -> list[dict[str, object]]:
    return client.get(f"/api/changes?limit=200&{query}").json()["items"]  # type: ignore[no-any-return]


def test_feed_lists_changes_newest_first_with_keyset_pages(
    client: TestClient, history: History
) -> None:
    first = client.get("/changes")
    assert first.status_code == 200
    ids = [int(n) for n in CHANGE_LINK.findall(first.text)]
    assert ids == sorted(history.seeded.change_ids, reverse=True)[:25]
    older = re.search(r'<a href="([^"]+)" rel="next">Older changes</a>', first.text)
    assert older is not None
    second = feed_ids(client, older.group(1).replace("&amp;", "&"))
    assert second == sorted(history.seeded.change_ids, reverse=True)[25:]
    assert set(ids).isdisjoint(second)
    assert client.get("/").text == first.text


def test_each_feed_filter_narrows_and_keeps_its_own_url(client: TestClient) -> None:
    everything = api_items(client, "")
    cases = {
        "source=genai": lambda c: c["source"] == "genai",
        "region=fr": lambda c: c["region"] == "fr",
        "kind=opt_out_changed": lambda c: any(
            f["kind"] == "opt_out_changed" for f in c["findings"]
        ),
        "min_severity=high": lambda c: any(f["severity"] == "high" for f in c["findings"]),
        "min_severity=medium": lambda c: any(
            f["severity"] in ("high", "medium") for f in c["findings"]
        ),
        "since=2024-05-23&until=2024-05-23": lambda c: c["detected_at"].startswith("2024-05-23"),
        "q=FASSUNG": lambda c: c["region"] == "de",
        "source=policy&region=uk&min_severity=low": lambda c: c["target"] == "policy@uk",
    }
    for query, wanted in cases.items():
        expected = [c["id"] for c in everything if wanted(c)]
        assert expected, query
        assert len(expected) < len(everything), query
        assert feed_ids(client, f"/changes?{query}") == expected[:25], query
        assert [c["id"] for c in api_items(client, query)] == expected, query
        page = client.get(f"/changes?{query}").text
        assert 'type="application/atom+xml"' in page
        assert "/feeds/changes.atom?" in page


def test_older_link_keeps_the_filters(client: TestClient) -> None:
    page = client.get("/changes?min_severity=low&q=a").text
    older = re.search(r'<a href="([^"]+)" rel="next">', page)
    assert older is not None
    assert "min_severity=low" in older.group(1) and "q=a" in older.group(1)


def test_a_search_for_wildcards_matches_them_literally(client: TestClient) -> None:
    assert feed_ids(client, "/changes?q=%25") == []
    assert feed_ids(client, "/changes?q=_") == []


def test_bad_filters_are_one_line_errors(client: TestClient) -> None:
    for query, words in {
        "kind=nope": "kind: expected one of",
        "min_severity=urgent": "min_severity: expected one of",
        "since=yesterday": "since: expected a date",
        "q=tab%09here": "q: no control characters",
        "region=%00": "region: expected an id",
        "before=-3": "before: expected a change id",
        "q=" + "x" * 201: "q: at most 200 characters",
    }.items():
        response = client.get(f"/changes?{query}")
        assert response.status_code == 400, query
        assert words in response.text, query
        assert "Traceback" not in response.text


def test_change_page_shows_findings_diff_snapshots_check_and_other_regions(
    client: TestClient, history: History
) -> None:
    change = client.get(f"/api/changes/{history.newest_change}").json()
    page = client.get(f"/changes/{change['id']}")
    assert page.status_code == 200
    html = page.text
    finding = change["findings"][0]
    assert finding["kind"] in html
    assert f'lang="{change_lang(change)}"' in html
    assert "<del>" in html and "<ins>" in html  # word-level marks, not colour alone
    assert "Changed</strong> paragraph" in html
    assert f'href="/snapshots/{change["from_snapshot"]}"' in html
    assert f'href="/snapshots/{change["to_snapshot"]}"' in html
    assert f"#check-{change['check']}" in html
    # Changes of the same source in other regions within 12 hours.
    others = [
        c
        for c in api_items(client, f"source={change['source']}")
        if c["target"] != change["target"]
    ]
    assert others and f'href="/changes/{others[0]["id"]}"' in html
    side = client.get(f"/changes/{change['id']}?view=side").text
    assert "watcher-diff-side-by-side" in side and '<th scope="col">Before</th>' in side
    assert client.get(f"/changes/{change['id']}?view=sideways").status_code == 400
    assert client.get("/changes/999999").status_code == 404
    assert client.get("/changes/99999999999999").status_code == 404
    assert client.get("/snapshots/99999999999999").status_code == 404
    assert client.get("/changes/abc").status_code == 404


def change_lang(change: dict[str, object]) -> str:
    return {"fr": "fr-FR", "de": "de-DE", "uk": "en-GB", "us": "en-US", "br": "pt-BR"}[
        str(change["region"])
    ]


def test_snapshot_page_has_permalink_metadata_and_neighbours(
    client: TestClient, history: History
) -> None:
    change = client.get(f"/api/changes/{history.newest_change}").json()
    before, after = change["from_snapshot"], change["to_snapshot"]
    html = client.get(f"/snapshots/{after}").text
    assert f'href="/snapshots/{after}" rel="bookmark"' in html
    assert f'href="/snapshots/{before}" rel="prev"' in html
    assert "Latest version" in html
    assert "https://www.example.org/" in html and "200" in html
    assert f'lang="{change_lang(change)}"' in html
    older = client.get(f"/snapshots/{before}").text
    assert f'href="/snapshots/{after}" rel="next"' in older
    text = client.get(f"/snapshots/{after}.txt")
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.startswith("# ")
    assert client.get("/snapshots/999999").status_code == 404


def test_targets_show_failing_and_unstable_ones_first(client: TestClient) -> None:
    html = client.get("/targets").text
    rows = re.findall(r'<a href="/targets/([^"]+)">', html)
    assert rows[:2] == [FAILING_TARGET, UNSTABLE_TARGET]
    assert "✗ failing (rate_limited)" in html and "⚠ unstable" in html
    failing = client.get(f"/targets/{FAILING_TARGET}").text
    assert "Failing: the latest check failed (rate_limited)" in failing
    assert "Next check" in failing and "2024-" in failing.split("Next check")[1][:200]
    unstable = client.get(f"/targets/{UNSTABLE_TARGET}").text
    assert "Unstable: its checks keep flapping" in unstable
    assert "Tip of the day: rotating words" in unstable
    assert client.get("/targets/nobody@nowhere").status_code == 404


def test_compare_page_uses_watcher_compare(client: TestClient) -> None:
    html = client.get("/compare/genai?a=fr&b=uk").text
    assert "Only in fr" in html and "Only in uk" in html
    english = client.get("/compare/genai?a=uk&b=us").text
    assert "Text only in one region" in english
    assert "and you can object to this." in english and "you have choices about it" in english
    assert 'lang="en-GB"' in english
    assert client.get("/compare/genai").status_code == 200
    assert client.get("/compare/genai?a=fr&b=xx").status_code == 404
    assert client.get("/compare/nothing?a=fr&b=uk").status_code == 404


def test_status_page_lists_failing_channels_first_and_the_backlog(client: TestClient) -> None:
    html = client.get("/status").text
    assert FAILING_CHANNEL_LABEL in html
    assert "✗ failing since" in html and "401 Unauthorized" in html
    assert "failed_permanent: 1" in html


def test_every_response_carries_the_security_headers(client: TestClient, history: History) -> None:
    for url in (
        "/changes",
        f"/changes/{history.newest_change}",
        "/feeds/changes.atom",
        "/api/changes",
        "/healthz",
        "/metrics",
        "/static/watcher.css",
        "/nowhere",
    ):
        headers = client.get(url).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, url
        assert "script-src" not in CONTENT_SECURITY_POLICY  # default-src 'none': no script
        assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["x-frame-options"] == "DENY", url


def test_pages_have_no_script_and_work_on_a_phone(client: TestClient, history: History) -> None:
    for url in ("/changes", f"/changes/{history.newest_change}", "/targets", "/status"):
        html = client.get(url).text
        assert "<script" not in html and " style=" not in html, url
        assert 'name="viewport" content="width=device-width' in html, url
    css = client.get("/static/watcher.css").text
    assert "@media (max-width" in css and "overflow-wrap: anywhere" in css
    assert "unicode-bidi: isolate" in css
    assert "text-decoration: underline" in css and "text-decoration: line-through" in css


def test_seeded_history_has_the_expected_size(client: TestClient) -> None:
    assert len(api_items(client, "")) == SEEDED_CHANGES
