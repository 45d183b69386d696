"""`watcher dispatch` as a real process: SIGKILL mid-batch loses nothing, SIGTERM finishes the
send in progress, and no secret reaches its output even at debug verbosity.

The duplicate window: when a dispatcher dies after the service took a message but before the
attempt was committed, that message is sent again after the restart. Only the send in flight at
the moment of death can be repeated; rows claimed but not yet sent are sent once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from alerts_testkit import WAIT_S, Endpoint, register_targets, store_change, write_config

from storage import Database
from watcher.alerts import resolve_subscriptions
from watcher.config import load_config

PASSWORD = "S3cretPassw0rd"
BASE_URL = "https://watcher.example.org"


class DispatchProcess:
    """`watcher -vv dispatch ...` with its output kept in files (a full pipe would block it)."""

    def __init__(self, folder: Path, name: str, database_url: str, *extra: str) -> None:
        self.stdout_path = folder / f"{name}.out"
        self.stderr_path = folder / f"{name}.err"
        command = [sys.executable, "-m", "watcher.cli.main", "-vv", "dispatch"]
        command += ["--db", database_url, "--config", str(folder / "sources.yaml"), *extra]
        env = {**os.environ, "WATCHER_BASE_URL": BASE_URL}
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(command, stdout=out, stderr=err, env=env)

    def finish(self) -> int:
        try:
            return self.process.wait(WAIT_S * 2)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    @property
    def output(self) -> str:
        return self.stdout_path.read_text() + self.stderr_path.read_text()


def queue_changes(database: Database, config_path: Path, count: int) -> list[int]:
    config = load_config(config_path)
    register_targets(database, config)
    subscriptions = resolve_subscriptions(config)
    return [store_change(database, subscriptions, serial=n) for n in range(count)]


@pytest.fixture
def configured(tmp_path: Path, endpoint: Endpoint) -> Path:
    url = f"json://watcher:{PASSWORD}@127.0.0.1:{endpoint.port}/hook"
    return write_config(tmp_path, f"subscriptions:\n  - id: ops\n    urls: '{url}'\n")


def test_killing_the_dispatcher_mid_batch_loses_no_alert(
    tmp_path: Path, configured: Path, endpoint: Endpoint, database_url: str
) -> None:
    database = Database(database_url)
    database.upgrade()
    try:
        changes = queue_changes(database, configured, 12)
        endpoint.hold_at = 5  # the fifth send is in flight when the process dies

        first = DispatchProcess(tmp_path, "first", database_url, "--once")
        held = endpoint.wait_for(5)[4]
        first.process.send_signal(signal.SIGKILL)
        assert first.finish() == -signal.SIGKILL
        endpoint.release.set()
        in_flight = set(held.change_ids())

        with database.reader() as repo:
            states = Counter(d.status for d in repo.list_deliveries())
        assert states == {"delivered": 4, "sending": 6, "pending": 2}  # batch of 10 claimed

        second = DispatchProcess(tmp_path, "second", database_url, "--once")
        assert second.finish() == 0, second.output
        assert "delivered 8, to retry 0, failed 0" in second.output

        received = Counter(i for request in endpoint.requests for i in set(request.change_ids()))
        assert set(received) == set(changes)
        repeated = {change for change, times in received.items() if times > 1}
        assert repeated <= in_flight and sum(received.values()) - len(changes) <= 1
        with database.reader() as repo:
            assert {d.status for d in repo.list_deliveries()} == {"delivered"}

        # The password was really used, and never printed, even at debug verbosity.
        assert endpoint.requests[0].basic_auth() == f"watcher:{PASSWORD}"
        for output in (first.output, second.output):
            assert PASSWORD not in output
        assert "json://watcher:***@127.0.0.1" in second.output
    finally:
        database.dispose()


def test_sigterm_lets_the_send_in_progress_finish_then_stops(
    tmp_path: Path, configured: Path, endpoint: Endpoint, sqlite_database: Database
) -> None:
    database_url = sqlite_database.engine.url.render_as_string(hide_password=False)
    queue_changes(sqlite_database, configured, 3)
    endpoint.hold_at = 1

    running = DispatchProcess(tmp_path, "running", database_url)
    endpoint.wait_for(1)  # the first send is in flight
    running.process.send_signal(signal.SIGTERM)
    endpoint.release.set()

    assert running.finish() == 0, running.output
    assert "stopped" in running.output
    assert len(endpoint.requests) == 1
    with sqlite_database.reader() as repo:
        rows = sorted((d.status, d.claimed_by, d.attempts) for d in repo.list_deliveries())
    # The send in flight was recorded as delivered; the rest were handed back, untouched.
    assert rows == [("delivered", None, 1), ("pending", None, 0), ("pending", None, 0)]
    assert PASSWORD not in running.output


@pytest.mark.browser
def test_watcher_run_delivers_the_outbox_next_to_the_scheduler(
    tmp_path: Path,
    configured: Path,
    endpoint: Endpoint,
    sqlite_database: Database,
    chromium_available: None,
) -> None:
    database_url = sqlite_database.engine.url.render_as_string(hide_password=False)
    queue_changes(sqlite_database, configured, 2)
    # The scheduler checks its targets at once: point them at the loopback endpoint (it answers
    # pages with an error, a failed check) so nothing leaves this machine.
    text = configured.read_text()
    for real in (
        "https://www.facebook.com/privacy/genai/",
        "https://www.facebook.com/privacy/policy/",
    ):
        text = text.replace(real, f"{endpoint.base_url}/page")
    configured.write_text(text)
    assert "facebook.com" not in text
    command = [sys.executable, "-m", "watcher.cli.main", "run"]
    command += ["--db", database_url, "--config", str(configured)]
    out_path, err_path = tmp_path / "run.out", tmp_path / "run.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err)
    try:
        requests = endpoint.wait_for(2)  # delivered by the dispatcher inside `watcher run`
        process.send_signal(signal.SIGTERM)
        assert process.wait(WAIT_S * 2) == 0, err_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert len({i for request in requests for i in request.change_ids()}) == 2
    output = out_path.read_text() + err_path.read_text()
    assert "alerting 1 subscriptions" in output
    assert PASSWORD not in output
    with sqlite_database.reader() as repo:
        assert {d.status for d in repo.list_deliveries()} == {"delivered"}
