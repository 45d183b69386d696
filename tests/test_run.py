"""`watcher run`: the schedule, and the real process checking and stopping on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from storage import Database
from watcher.demo import demo_config_yaml
from watcher.schedule import first_due
from watcher.simsite import SimulatedMetaSite

NOW = datetime(2026, 5, 27, 9, 0, tzinfo=UTC)


def test_a_target_never_checked_is_due_within_its_share_of_the_spread() -> None:
    assert first_due(timedelta(hours=6), None, NOW, timedelta(seconds=20)) == NOW + timedelta(
        seconds=20
    )


def test_a_recently_checked_target_waits_for_its_interval() -> None:
    last = NOW - timedelta(hours=1)
    assert first_due(timedelta(hours=6), last, NOW, timedelta(0)) == last + timedelta(hours=6)


def test_an_overdue_target_runs_at_start() -> None:
    last = NOW - timedelta(days=2)
    assert first_due(timedelta(hours=6), last, NOW, timedelta(seconds=5)) == NOW + timedelta(
        seconds=5
    )


@pytest.mark.browser
def test_run_checks_every_target_and_stops_cleanly_on_sigterm(
    site: SimulatedMetaSite, chromium_available: None, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(demo_config_yaml(site.base_url, site.egress_proxies(), pages=("genai",)))
    db_url = f"sqlite:///{tmp_path / 'watcher.db'}"
    command = [sys.executable, "-m", "watcher.cli.main", "run", "--config", str(config)]
    command += ["--db", db_url, "--startup-spread", "0", "--web-port", "0"]
    env = {**os.environ, "WATCHER_DATA": str(tmp_path)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stderr is not None and process.stdout is not None
    expected = {f"genai@{region}" for region in ("fr", "de", "uk", "us", "br")}
    reported: set[str] = set()
    seen: list[str] = []
    try:
        # Wait on the process's own log lines: one per finished check.
        for line in process.stderr:
            seen.append(line)
            reported |= {t for t in expected if f"target={t} outcome=first" in line}
            if reported == expected:
                break
        assert reported == expected, "".join(seen[-20:])
        # The web app runs in the same process and says where; its health covers the
        # scheduler and the dispatcher of this process.
        address = re.search(r"web app at (http://127\.0\.0\.1:\d+)/", process.stdout.readline())
        assert address is not None
        health = httpx.get(f"{address.group(1)}/healthz", timeout=30).json()
        parts = ("status", "database", "scheduler", "dispatcher", "workers")
        assert {part: health[part] for part in parts} == dict.fromkeys(parts, "ok")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    database = Database(db_url)
    with database.reader() as repo:
        targets = repo.list_targets()
        assert {t.id for t in targets} == expected
        assert all(t.last_outcome == "first" for t in targets)
    database.dispose()
