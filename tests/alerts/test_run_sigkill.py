"""`watcher run` killed with SIGKILL during a check and during a delivery, then started again.

Real processes throughout: `watcher run` (its scheduler, Chromium and dispatcher), the simulated
Meta site with a scripted change, and a loopback JSON webhook standing in for the alert channel.
After each kill the database is consistent (no change without both its snapshots, the outbox
row kept, the dead process's lease taken over at once), the change is recorded exactly once, the
alert is delivered, and the next pass works.

Delivery promise: a row claimed but not yet sent is sent exactly once. The one send in flight
when the process died is sent again by the next process (at least once): the webhook had the
request, but the process died before recording the answer, and it cannot know.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from alerts_testkit import Endpoint
from run_process import RunProcess

from storage import Database
from watcher.demo import demo_config_yaml
from watcher.simsite import SimulatedMetaSite
from watcher.simsite.modes import Mode

TARGET = "genai@fr"
PAGE, REGION = "genai", "fr"

pytestmark = pytest.mark.browser


def write_config(folder: Path, site: SimulatedMetaSite, endpoint: Endpoint) -> Path:
    path = folder / "sources.yaml"
    text = demo_config_yaml(site.base_url, site.egress_proxies(), pages=(PAGE,), regions=(REGION,))
    text += f"subscriptions:\n  - id: ops\n    urls: 'json://127.0.0.1:{endpoint.port}/hook'\n"
    path.write_text(text, encoding="utf-8")
    return path


def start_with_baseline(config: Path, database_url: str, data: Path) -> RunProcess:
    """A `watcher run` that has stored the target's first version."""
    running = RunProcess(config, database_url, data)
    running.wait_for_line(f"target={TARGET} outcome=first")
    return running


def assert_consistent(database: Database, *, changes: int) -> None:
    """Every change has both its snapshots and its outbox rows; no check points nowhere."""
    with database.reader() as repo:
        stored = repo.list_changes(target_id=TARGET)
        assert len(stored) == changes
        for change in stored:
            assert repo.get_snapshot(change.from_snapshot_id) is not None
            assert repo.get_snapshot(change.to_snapshot_id) is not None
            assert repo.list_deliveries(change_id=change.id), "a change without its outbox row"
        for check in repo.list_checks(target_id=TARGET):
            if check.snapshot_id is not None:
                assert repo.get_snapshot(check.snapshot_id) is not None
            if check.change_id is not None:
                assert repo.get_change(check.change_id) is not None
        assert repo.count_snapshots(TARGET) == changes + 1


def finish_with_a_quiet_pass(running: RunProcess, database: Database) -> None:
    """The next pass works: one more check finds nothing new, then SIGTERM stops it cleanly."""
    unchanged = running.count(f"target={TARGET} outcome=unchanged")
    running.check_now(TARGET)
    running.wait_for_line(f"target={TARGET} outcome=unchanged", unchanged + 1)
    assert running.stop() == 0, running.output[-4000:]
    with database.reader() as repo:
        assert repo.get_lease(TARGET) is None
        assert {d.status for d in repo.list_deliveries()} == {"delivered"}


def test_sigkill_during_a_check_loses_nothing_and_the_next_process_takes_over(
    tmp_path: Path,
    site: SimulatedMetaSite,
    endpoint: Endpoint,
    database_url: str,
    chromium_available: None,
) -> None:
    config = write_config(tmp_path, site, endpoint)
    first = start_with_baseline(config, database_url, tmp_path)
    database = Database(database_url)
    try:
        # The page changes, and its next load hangs: the check is in flight until the kill.
        site.advance(PAGE)
        site.set_mode(PAGE, Mode.HANG, REGION)
        seen = site.request_count(PAGE, REGION)
        first.check_now(TARGET)
        assert site.wait_for_requests(PAGE, seen + 1, REGION)
        assert first.kill() == [], "left running after the kill"

        with database.reader() as repo:
            lease = repo.get_lease(TARGET)
        assert lease is not None and lease.holder.split(":")[1] == str(first.process.pid)
        assert_consistent(database, changes=0)

        site.set_mode(PAGE, Mode.NORMAL, REGION)
        second = RunProcess(config, database_url, tmp_path)
        try:
            second.check_now(TARGET)
            second.wait_for_line(f"target={TARGET} outcome=changed")
            requests = endpoint.wait_for(1)
            finish_with_a_quiet_pass(second, database)
        finally:
            second.close()
        assert_consistent(database, changes=1)
        with database.reader() as repo:
            (change,) = repo.list_changes(target_id=TARGET)
        # Exactly once: the change was never sent before the kill, so nothing can repeat.
        assert [i for r in endpoint.requests for i in set(r.change_ids())] == [change.id]
        assert len(requests) == len(endpoint.requests) == 1
    finally:
        first.close()
        database.dispose()


def test_sigkill_during_a_delivery_loses_no_alert(
    tmp_path: Path,
    site: SimulatedMetaSite,
    endpoint: Endpoint,
    database_url: str,
    chromium_available: None,
) -> None:
    config = write_config(tmp_path, site, endpoint)
    first = start_with_baseline(config, database_url, tmp_path)
    database = Database(database_url)
    try:
        site.advance(PAGE)
        endpoint.hold_at = 1  # the webhook holds the alert until the process is dead
        first.check_now(TARGET)
        first.wait_for_line(f"target={TARGET} outcome=changed")
        (held,) = endpoint.wait_for(1)
        assert first.kill() == [], "left running after the kill"
        endpoint.release.set()

        assert_consistent(database, changes=1)
        with database.reader() as repo:
            (change,) = repo.list_changes(target_id=TARGET)
            (row,) = repo.list_deliveries(change_id=change.id)
        assert held.change_ids() and set(held.change_ids()) == {change.id}
        # The outbox row is still there, claimed by the dead process, its attempt unrecorded.
        assert (row.status, row.attempts) == ("sending", 0)
        assert row.claimed_by is not None and str(first.process.pid) in row.claimed_by

        second = RunProcess(config, database_url, tmp_path)
        try:
            second.wait_for_line("released 1 deliveries claimed by stopped dispatchers")
            endpoint.wait_for(2)
            finish_with_a_quiet_pass(second, database)
        finally:
            second.close()
        assert_consistent(database, changes=1)
        received = Counter(i for r in endpoint.requests for i in set(r.change_ids()))
        # At least once: the send in flight at the kill is the one repeated, and only once.
        assert received == {change.id: 2}
        with database.reader() as repo:
            (row,) = repo.list_deliveries(change_id=change.id)
        assert (row.status, row.attempts, row.claimed_by) == ("delivered", 1, None)
    finally:
        first.close()
        database.dispose()
