"""What a check records for pages that are not what they seem: wrong charsets and oversized
text are named failures, a cookie dialog beside the content is a note on a sound check.

First through `Checker` with canned pages, then as a new user would meet them: `watcher check`
with a plain sources.yaml against real pages served on loopback, through a real Chromium.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from benchmarks.hostile_site import COOKIE_DIALOG, HostileSite, article_html
from storage import Database
from watcher.cli.main import main
from watcher.config import parse_config
from watcher.fetch.limits import PageLimits
from watcher.fetch.static import StaticFetcher
from watcher.health.consent import OUTSIDE_NOTE, REMOVED_NOTE
from watcher.pipeline import Analysis, Checker, CheckReport

SOURCE = """\
regions:
  us: {locale: en-US, timezone: America/New_York, accept_language: "en-US,en;q=0.9"}
defaults: {interval: 6h, timeout: 30s, confirm: false}
sources:
"""


def source(source_id: str, url: str, *, remove: bool = True) -> str:
    removed = "\n    remove: ['[role=dialog]']" if remove else ""
    return (
        f"  - id: {source_id}\n    title: {source_id}\n    url: '{url}'\n    regions: [us]\n"
        f"    select: '[role=\"main\"]'{removed}\n"
    )


def canned_check(
    tmp_path: Path, html: str, *, remove: bool = True, limits: PageLimits | None = None
) -> tuple[CheckReport, Database]:
    config = parse_config(SOURCE + source("page", "https://www.facebook.com/x", remove=remove))
    (target,) = config.targets()
    database = Database(f"sqlite:///{tmp_path / 'watcher.db'}")
    database.upgrade()
    fetcher = StaticFetcher({target.id: html})
    analysis = Analysis.in_threads()
    with Checker(fetcher, database, analysis=analysis, page_limits=limits) as checker:
        checker.register([target])
        report = asyncio.run(checker.check(target))
    analysis.close()
    return report, database


def test_mojibake_is_a_bad_encoding_failure_never_a_snapshot(tmp_path: Path) -> None:
    shown = article_html().replace("information", "informaÃ§Ã£o Ã©tÃ©")
    report, database = canned_check(tmp_path, shown)
    assert (report.outcome, report.failure_kind) == ("failed", "bad_encoding")
    assert report.as_json()["failure_kind"] == "bad_encoding"
    with database.reader() as repo:
        assert repo.latest_snapshot("page@us") is None
        (check,) = repo.recent_checks("page@us")
    assert (check.outcome, check.failure_kind) == ("failed", "bad_encoding")


def test_text_over_the_limit_is_a_too_large_failure(tmp_path: Path) -> None:
    report, _ = canned_check(tmp_path, article_html(), limits=PageLimits(max_text_chars=50_000))
    assert (report.outcome, report.failure_kind) == ("failed", "too_large")
    assert report.failure_detail is not None and "50,000 characters limit" in report.failure_detail


def test_a_dialog_beside_the_content_is_a_note_on_a_sound_check(tmp_path: Path) -> None:
    report, _ = canned_check(tmp_path, article_html(dialog=COOKIE_DIALOG), remove=False)
    assert report.outcome == "first"
    assert report.notes == (OUTSIDE_NOTE,)
    assert report.as_json()["notes"] == [OUTSIDE_NOTE]
    plain, _ = canned_check(tmp_path / "plain", article_html())
    assert plain.notes == () and plain.as_json()["notes"] == []


@pytest.mark.browser
def test_a_new_users_sources_yaml_against_real_pages(
    chromium_available: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`remove: [role=dialog]` and no click action: a page with a cookie banner is watched, with
    a note; a banner that replaced the content, wrong charsets and a 50 MB page are failures."""
    expected = {
        "cookie-banner-outside": ("first", None),
        "cookie-banner-covering": ("failed", "consent_wall"),
        "latin1-labelled-utf8": ("failed", "bad_encoding"),
        "utf8-labelled-cp1252": ("failed", "bad_encoding"),
        "policy-fr": ("first", None),
        "policy-de": ("first", None),
        "policy-pt": ("first", None),
        "huge": ("failed", "too_large"),
    }
    with HostileSite() as site:
        sources = "".join(source(name, site.url(f"/{name}")) for name in expected)
        config = tmp_path / "sources.yaml"
        config.write_text(SOURCE + sources)
        database = f"sqlite:///{tmp_path / 'watcher.db'}"
        code = main(["check", "--config", str(config), "--db", database, "--json"])
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    # Pages' own checks; the EU policies' objection links are followed too, as derived targets.
    reports = {line["source"]: line for line in lines if "/" not in line["target"]}
    got = {name: (r["outcome"], r["failure_kind"]) for name, r in reports.items()}
    assert got == expected
    assert reports["cookie-banner-outside"]["notes"] == [REMOVED_NOTE]
    assert all(reports[name]["notes"] == [] for name in ("policy-fr", "policy-de", "huge"))
