"""What a check records for pages that are not what they seem: wrong charsets and oversized
text are named failures."""

from __future__ import annotations

import asyncio
from pathlib import Path

from benchmarks.hostile_site import article_html
from storage import Database
from watcher.config import parse_config
from watcher.fetch.limits import PageLimits
from watcher.fetch.static import StaticFetcher
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
