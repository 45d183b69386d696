"""Verdicts of the check path: a flap never hides a change, volatile spans are learned and
masked, an unstable target is named, a page that goes away (or comes back) is news."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import Database
from watcher.config import parse_config
from watcher.fetch.base import FetchRequest, FetchResult
from watcher.fetch.static import StaticFetcher
from watcher.pipeline import Analysis, Checker, CheckOutcome, CheckReport
from watcher.pipeline.outcome import TargetState

CONFIG = """\
regions:
  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: "fr-FR,fr;q=0.9"}
defaults: {removed_after: 1h}
sources:
  - id: fb-genai
    title: Generative AI
    url: "https://www.facebook.com/privacy/genai/"
    regions: [fr]
    tags: [genai, objection]
"""
BODY = (
    "<h1>Generative AI at Meta</h1>"
    "<p>We use public posts and comments to train our AI models.</p>"
    "<p>Meta explains here how it uses information for its AI features, in plain words.</p>"
    "<p>You can learn more about how AI at Meta works and how to manage your information.</p>"
)
AI_CHATS = "<p>We also use your interactions with AI at Meta, such as chats, to show you ads.</p>"


def page(body: str, counter: int | None = None) -> str:
    tip = f"<p>Read by {counter} people this week.</p>" if counter is not None else ""
    return f"<html><body><main>{body}{tip}</main></body></html>"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Site:
    """What the fetcher is served next: a page (fresh counter each load) or an HTTP status."""

    def __init__(self) -> None:
        self.body = BODY
        self.status = 200
        self.counting = False
        self._counter = itertools.count(1000, 37)

    def answer(self, request: FetchRequest) -> FetchResult:
        counter = next(self._counter) if self.counting else None
        html = page(self.body, counter) if self.status == 200 else "<html><body>Gone</body></html>"
        return FetchResult(
            target_id=request.target_id,
            url=request.url,
            final_url=request.url,
            status=self.status,
            html=html,
        )


Setting = tuple["Site", "Clock", Callable[[], CheckReport], Database]


@pytest.fixture
def setting(tmp_path: Path) -> Iterator[Setting]:
    database = Database(f"sqlite:///{tmp_path / 'watcher.db'}")
    database.upgrade()
    (target,) = parse_config(CONFIG).targets()
    site, clock = Site(), Clock()
    fetcher = StaticFetcher({target.id: site.answer})
    checker = Checker(fetcher, database, analysis=Analysis.in_threads(), clock=clock)
    checker.register([target])

    def check() -> CheckReport:
        clock.now += timedelta(minutes=30)
        return asyncio.run(checker.check(target))

    try:
        yield site, clock, check, database
    finally:
        checker.close()
        database.dispose()


def test_a_change_both_loads_agree_on_is_stored_though_they_disagree_elsewhere(
    setting: Setting,
) -> None:
    site, _, check, database = setting
    assert check().outcome is CheckOutcome.FIRST
    site.counting = True  # from now on, a counter that differs on every load
    site.body = BODY + AI_CHATS

    report = check()

    assert report.outcome is CheckOutcome.CHANGED, report
    assert any("chats" in f.evidence_after for f in report.findings), report.findings
    assert report.volatile and "⟨…⟩" in report.volatile[0]
    with database.reader() as repo:
        (span,) = repo.volatile_spans("fb-genai@fr")
    assert (span.state, span.optional) == ("learned", False)
    assert "Read by" in span.pattern

    # Masked from now on: the counter never makes another flap or change.
    assert check().outcome is CheckOutcome.UNCHANGED
    assert check().outcome is CheckOutcome.UNCHANGED


def test_loads_that_disagree_on_noise_alone_are_a_flap_that_teaches(setting: Setting) -> None:
    site, _, check, database = setting
    site.counting = True
    assert check().outcome is CheckOutcome.FIRST
    # The first version holds one counter value; the next loads disagree on it.
    report = check()
    assert report.outcome is CheckOutcome.FLAP
    assert "volatile span" in (report.summary or "")
    assert check().outcome is CheckOutcome.UNCHANGED
    with database.reader() as repo:
        assert len(repo.volatile_spans("fb-genai@fr", masked_only=True)) == 1


def test_a_target_whose_loads_keep_disagreeing_is_named_unstable(setting: Setting) -> None:
    site, _, check, database = setting
    site.counting = True
    assert check().outcome is CheckOutcome.FIRST
    assert check().outcome is CheckOutcome.FLAP
    with database.reader() as repo:
        (span,) = repo.volatile_spans("fb-genai@fr")
    # A person says it is not noise: never masked, never learned again, so it keeps flapping.
    with database.transaction() as repo:
        repo.set_volatile_span_state(span.id, "dropped")
    reports = [check() for _ in range(3)]
    assert [r.outcome for r in reports] == [CheckOutcome.FLAP] * 3
    assert reports[-1].state is TargetState.UNSTABLE
    assert any("Read by" in text for text in reports[-1].volatile)


def test_a_page_gone_long_enough_is_a_removal_and_its_return_a_publication(
    setting: Setting,
) -> None:
    site, _, check, database = setting
    assert check().outcome is CheckOutcome.FIRST
    site.status = 404
    # Not gone until confirmed: one blip, then the span (1h, 30 minutes between checks).
    blips = [check() for _ in range(2)]
    assert [(r.outcome, r.failure_kind) for r in blips] == [(CheckOutcome.FAILED, "not_found")] * 2
    removed = check()
    assert removed.outcome is CheckOutcome.CHANGED
    (finding,) = removed.findings
    # Tagged `objection` in sources.yaml: its loss takes a way to object away.
    assert (finding.kind.value, finding.severity.value) == ("page_removed", "high")
    still = check()
    assert (still.outcome, still.failure_kind) == (CheckOutcome.UNCHANGED, None)

    site.status = 200
    back = check()
    assert back.outcome is CheckOutcome.CHANGED
    assert [f.kind.value for f in back.findings] == ["page_published"]
    with database.reader() as repo:
        kinds = [[f.kind for f in c.findings] for c in repo.list_changes(target_id="fb-genai@fr")]
    assert kinds == [["page_published"], ["page_removed"]]


def test_a_single_not_found_is_never_a_removal(setting: Setting) -> None:
    site, _, check, database = setting
    assert check().outcome is CheckOutcome.FIRST
    site.status = 404
    assert check().failure_kind == "not_found"
    site.status = 200
    assert check().outcome is CheckOutcome.UNCHANGED
    with database.reader() as repo:
        assert repo.list_changes() == []
