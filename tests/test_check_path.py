"""The check path's own rules: leases, trouble of the service's own, the analysis workers."""

from __future__ import annotations

import asyncio
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import Database
from watcher.config import parse_config
from watcher.fetch.base import FetchFailure, FetchResult
from watcher.fetch.static import StaticFetcher
from watcher.pipeline import Analysis, Checker, CheckOutcome
from watcher.pipeline.analysis import AnalysisCrashError
from watcher.pipeline.page import PageRules, read_page

CONFIG = """\
regions:
  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: "fr-FR,fr;q=0.9"}
sources:
  - id: fb-genai
    title: Generative AI
    url: "https://www.facebook.com/privacy/genai/?locale={locale_underscore}"
    regions: [fr]
  - id: fb-policy
    title: Privacy Policy
    url: "https://www.facebook.com/privacy/policy/?locale={locale_underscore}"
    regions: [fr]
"""
FILLER = "<p>" + "Meta explains here how it uses information for its AI features. " * 6 + "</p>"
PAGE = f"<html><body><main><h1>Generative AI</h1>{FILLER}</main></body></html>"


@pytest.fixture
def database(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'watcher.db'}")
    database.upgrade()
    return database


def _checker(database: Database, fetcher: StaticFetcher, **options: object) -> Checker:
    return Checker(fetcher, database, analysis=Analysis.in_threads(), **options)  # type: ignore[arg-type]


def test_a_target_leased_by_a_live_process_is_skipped_untouched(database: Database) -> None:
    (genai, _) = parse_config(CONFIG).targets()
    fetcher = StaticFetcher({genai.id: PAGE})
    now = datetime.now(UTC)
    with _checker(database, fetcher) as checker:
        checker.register([genai])
        with database.transaction() as repo:
            # Another host's process: only its lease running out frees the target.
            repo.acquire_lease(genai.id, "elsewhere:1:abcd", now, now + timedelta(minutes=5))
        report = asyncio.run(checker.check(genai))
    assert report.outcome is CheckOutcome.SKIPPED
    assert "elsewhere:1:abcd" in (report.failure_detail or "")
    assert fetcher.requests == []
    with database.reader() as repo:
        assert repo.recent_checks(genai.id) == []


def test_the_lease_of_a_dead_local_process_is_taken_over_at_once(database: Database) -> None:
    (genai, _) = parse_config(CONFIG).targets()
    fetcher = StaticFetcher({genai.id: PAGE})
    now = datetime.now(UTC)
    dead = f"{socket.gethostname()}:{2**22 + 7}:dead"  # above any pid this machine hands out
    with _checker(database, fetcher) as checker:
        checker.register([genai])
        with database.transaction() as repo:
            repo.acquire_lease(genai.id, dead, now, now + timedelta(minutes=5))
        report = asyncio.run(checker.check(genai))
    assert report.outcome is CheckOutcome.FIRST
    with database.reader() as repo:
        assert repo.get_lease(genai.id) is None  # given back after the check


def test_an_internal_error_fails_its_own_check_and_not_the_pass(database: Database) -> None:
    genai, policy = parse_config(CONFIG).targets()

    def broken(_request: object) -> FetchResult:
        raise RuntimeError("a bug in a fetcher")

    fetcher = StaticFetcher({genai.id: broken, policy.id: PAGE})  # type: ignore[dict-item]
    with _checker(database, fetcher) as checker:
        reports = {r.target_id: r for r in asyncio.run(checker.check_many([genai, policy]))}
    assert reports[genai.id].outcome is CheckOutcome.FAILED
    assert reports[genai.id].failure_kind == "internal_error"
    assert "RuntimeError: a bug in a fetcher" in (reports[genai.id].failure_detail or "")
    assert reports[policy.id].outcome is CheckOutcome.FIRST
    with database.reader() as repo:
        (recorded,) = repo.recent_checks(genai.id)
    assert (recorded.outcome, recorded.failure_kind) == ("failed", "internal_error")


def _result(html: str) -> FetchResult:
    url = "https://www.facebook.com/privacy/policy/"
    return FetchResult(target_id="t@fr", url=url, final_url=url, status=200, html=html)


def test_reading_runs_in_a_worker_process_under_a_memory_ceiling() -> None:
    huge = "<html><body><main>" + "<p>word</p>" * 400_000 + "</main></body></html>"
    analysis = Analysis.in_processes(1, memory_limit=400 * 1024**2)

    async def read(html: str) -> object:
        return await analysis.run(read_page, _result(html), PageRules())

    try:
        healthy = asyncio.run(read(PAGE))
        with pytest.raises(MemoryError):
            asyncio.run(read(huge))
        # The worker survives its MemoryError and reads the next page.
        again = asyncio.run(read(PAGE))
    finally:
        analysis.close()
    assert not isinstance(healthy, FetchFailure) and healthy == again


def test_a_worker_that_dies_is_replaced() -> None:
    analysis = Analysis.in_processes(1)

    async def run() -> object:
        with pytest.raises(AnalysisCrashError):
            await analysis.run(_die)
        return await analysis.run(read_page, _result(PAGE), PageRules())

    try:
        read = asyncio.run(run())
    finally:
        analysis.close()
    assert not isinstance(read, FetchFailure)


def _die() -> None:
    os._exit(3)


def test_a_page_over_the_workers_memory_ceiling_is_a_too_large_failure(
    database: Database,
) -> None:
    genai, policy = parse_config(CONFIG).targets()
    huge = "<html><body><main>" + "<p>word</p>" * 400_000 + "</main></body></html>"
    fetcher = StaticFetcher({genai.id: huge, policy.id: PAGE})
    analysis = Analysis.in_processes(1, memory_limit=400 * 1024**2)
    try:
        with Checker(fetcher, database, analysis=analysis) as checker:
            reports = {r.target_id: r for r in asyncio.run(checker.check_many([genai, policy]))}
    finally:
        analysis.close()
    assert (reports[genai.id].outcome, reports[genai.id].failure_kind) == (
        CheckOutcome.FAILED,
        "too_large",
    )
    assert reports[policy.id].outcome is CheckOutcome.FIRST
