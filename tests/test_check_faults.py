"""Faults of the service's own under a pass: a full disk, the database going away.

A full disk: `watcher check` with its SQLite database on a real, small, full file system (a
tmpfs mounted for the test, where the machine allows it). The database going away: connections
to the test's PostgreSQL database refused mid-run, then allowed again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from storage import Database
from watcher.config import parse_config
from watcher.demo import demo_config_yaml
from watcher.fetch.static import StaticFetcher
from watcher.pipeline import Analysis, Checker
from watcher.schedule import Schedule
from watcher.simsite import SimulatedMetaSite

FILLER = "<p>" + "Meta explains here how it uses information for its AI features. " * 6 + "</p>"
PAGE = f"<html><body><main><h1>Generative AI</h1>{FILLER}</main></body></html>"
CONFIG = """\
regions:
  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: "fr-FR,fr;q=0.9"}
  de: {locale: de-DE, timezone: Europe/Berlin, accept_language: "de-DE,de;q=0.9"}
sources:
  - id: fb-genai
    title: Generative AI
    url: "https://www.facebook.com/privacy/genai/?locale={locale_underscore}"
    regions: [fr, de]
  - id: fb-policy
    title: Privacy Policy
    url: "https://www.facebook.com/privacy/policy/?locale={locale_underscore}"
    regions: [fr, de]
"""


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill(disk: Path) -> None:
    """Write until the file system says it is full."""
    chunk = b"\0" * 65536
    try:
        with (disk / "filler").open("wb") as filler:
            while True:
                filler.write(chunk)
                filler.flush()
    except OSError:
        pass  # full: what was written stays


def _wait_for_page_requests(
    site: SimulatedMetaSite, beyond: int, process: subprocess.Popen[str]
) -> None:
    """Returns once the site has served more than `beyond` page requests."""
    while _page_requests(site) <= beyond:
        try:
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail("watcher check ended before fetching a page")


def _page_requests(site: SimulatedMetaSite) -> int:
    return site.request_count("genai") + site.request_count("privacy_policy")


@pytest.mark.browser
def test_a_full_disk_mid_pass_is_one_error_line_and_exit_1(
    site: SimulatedMetaSite, chromium_available: None, small_disk: Path, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(
        demo_config_yaml(
            site.base_url, site.egress_proxies(), pages=("genai", "privacy_policy"), timeout="20s"
        )
    )
    db_url = f"sqlite:///{small_disk / 'watcher.db'}"
    command = [sys.executable, "-m", "watcher.cli.main", "check", "--config", str(config)]
    command += ["--db", db_url, "--json"]
    # The screenshots of ten first versions would fill the small disk at once: they go to a
    # folder of their own, and the disk fills up under the database as the test intends.
    env = {**os.environ, "WATCHER_DATA": str(tmp_path / "data")}
    first = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, env=env
    )
    assert first.returncode == 0, first.stderr
    site.set_version("genai", 1)
    served = _page_requests(site)

    # The disk fills up once the pass is under way: its first pages are being fetched.
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    _wait_for_page_requests(site, served, process)
    _fill(small_disk)
    _, stderr = process.communicate(timeout=300)

    assert process.returncode == 1, stderr
    errors = [line for line in stderr.splitlines() if line.strip()]
    assert len(errors) == 1, stderr
    assert errors[0].startswith("watcher: ") and "full" in errors[0], errors
    assert "Traceback" not in stderr
    assert "Task exception was never retrieved" not in stderr
    os.remove(small_disk / "filler")
    database = Database(db_url)
    try:
        with database.reader() as repo:
            details = [
                check.failure_detail
                for target in repo.list_targets()
                for check in repo.recent_checks(target.id)
            ]
    finally:
        database.dispose()
    assert not any("closed" in detail for detail in details), details


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url)
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()


def _allow_connections(database_url: str, allowed: bool) -> None:
    """Refuse or allow again new connections to the test's database."""
    url = make_url(database_url)
    name = url.database
    admin = create_engine(url.set(database="postgres", query={}), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}'
            )
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_the_database_going_away_under_run_is_one_line_per_check_then_recovers(
    postgres_database: Database, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = parse_config(CONFIG)
    targets = config.targets()
    fetcher = StaticFetcher({t.id: PAGE for t in targets})

    async def scenario() -> None:
        with Checker(fetcher, postgres_database, analysis=Analysis.in_threads()) as checker:
            checker.register(targets)
            schedule = Schedule(checker, targets, postgres_database)
            _allow_connections(postgres_url, False)
            postgres_database.dispose()  # its open connections go with the database
            try:
                with caplog.at_level(logging.INFO):
                    for target in targets:
                        await schedule.run_job(target)
            finally:
                _allow_connections(postgres_url, True)
            for target in targets:
                await schedule.run_job(target)

    asyncio.run(scenario())

    failures = [r for r in caplog.records if "database_error" in r.getMessage()]
    assert len(failures) == len(targets)
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in failures)
    assert not any(r.exc_info for r in caplog.records)
    with postgres_database.reader() as repo:
        outcomes = {t.id: t.last_outcome for t in repo.list_targets()}
    assert outcomes == {t.id: "first" for t in targets}
