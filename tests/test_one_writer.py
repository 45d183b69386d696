"""One writer per target: concurrent checks of one transition store one change, alert once.

Real processes on one database (SQLite and PostgreSQL): `watcher check` commands started
together against the simulated site with a real Chromium each, and checker processes racing
past their leases, as if every lease had run out, so that only the schema's rule is left.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest
from one_writer_race import check_once

from storage import Database
from watcher.cli.main import main
from watcher.demo import demo_config_yaml
from watcher.simsite import SimulatedMetaSite

PROCESSES = 4
CHANNELS = ["json://127.0.0.1:9/alerts-a", "json://127.0.0.1:9/alerts-b"]
SUBSCRIPTIONS = (
    "subscriptions:\n  - id: everyone\n    urls: [" + ", ".join(f'"{u}"' for u in CHANNELS) + "]\n"
)

RACE_CONFIG = """\
regions:
  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: "fr-FR,fr;q=0.9"}
sources:
  - id: fb-genai
    title: Generative AI
    url: "https://www.facebook.com/privacy/genai/"
    regions: [fr]
"""
FILLER = "<p>" + "Meta explains here how it uses information for its AI features. " * 6 + "</p>"
VERSION_A = f"<html><body><main><h1>Generative AI</h1>{FILLER}</main></body></html>"
VERSION_B = VERSION_A.replace(
    "</main>", "<p>We also use your AI chats to show you ads, with no way to object.</p></main>"
)


def _counts(database_url: str, target_id: str) -> tuple[int, int, int]:
    """(changes, alerts queued, versions) of the target."""
    database = Database(database_url)
    try:
        with database.reader() as repo:
            changes = repo.list_changes(target_id=target_id)
            deliveries = [d for d in repo.list_deliveries() if d.target_id == target_id]
            versions = repo.count_snapshots(target_id)
    finally:
        database.dispose()
    return len(changes), len(deliveries), versions


@pytest.mark.browser
def test_check_commands_started_together_store_one_change(
    site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    config = tmp_path / "sources.yaml"
    yaml = demo_config_yaml(site.base_url, site.egress_proxies(), pages=("genai",), timeout="20s")
    config.write_text(yaml + SUBSCRIPTIONS)
    command = ["check", "--config", str(config), "--db", database_url, "--json"]
    command += ["--only", "genai@fr"]
    site.set_version(None, 0)
    assert main(command) == 0
    capsys.readouterr()
    site.set_version("genai", 1)

    running = [
        subprocess.Popen(
            [sys.executable, "-m", "watcher.cli.main", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    outcomes: list[str] = []
    for process in running:
        out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err
        reports = [json.loads(line) for line in out.splitlines() if line.strip()]
        outcomes += [r["outcome"] for r in reports if r["target"] == "genai@fr"]

    assert sorted(outcomes).count("changed") == 1, outcomes
    assert set(outcomes) <= {"changed", "skipped", "unchanged"}, outcomes
    changes, alerts, versions = _counts(database_url, "genai@fr")
    assert (changes, alerts, versions) == (1, len(CHANNELS), 2)


def test_checkers_racing_past_their_leases_store_one_change(
    tmp_path: Path, database_url: str
) -> None:
    config_text = RACE_CONFIG + SUBSCRIPTIONS
    database = Database(database_url)
    database.upgrade()
    database.dispose()
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(PROCESSES)
    results = spawn.Queue()

    alone = spawn.Barrier(1)  # kept referenced until the child has it
    first = spawn.Process(
        target=check_once, args=(database_url, config_text, VERSION_A, alone, results)
    )
    first.start()
    first.join(120)
    assert results.get(timeout=10) == "first"

    racers = [
        spawn.Process(
            target=check_once, args=(database_url, config_text, VERSION_B, barrier, results)
        )
        for _ in range(PROCESSES)
    ]
    for racer in racers:
        racer.start()
    outcomes = sorted(results.get(timeout=120) for _ in racers)
    for racer in racers:
        racer.join(60)
        assert racer.exitcode == 0

    assert outcomes == ["changed"] + ["unchanged"] * (PROCESSES - 1)
    assert _counts(database_url, "fb-genai@fr") == (1, len(CHANNELS), 2)
