"""`watcher noise`: learned volatile spans listed, pinned, dropped and forgotten."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import Database, TargetSpec, VolatileSpanSpec
from watcher.cli.main import main

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'watcher.db'}"
    database = Database(url)
    database.upgrade()
    with database.transaction() as repo:
        repo.upsert_targets([TargetSpec("fb-genai@fr", "fb-genai", "fr", "https://x.test/")], NOW)
        repo.learn_volatile_spans(
            "fb-genai@fr",
            [VolatileSpanSpec("Read by ⟨…⟩ people"), VolatileSpanSpec("Tip!", optional=True)],
            NOW,
        )
    database.dispose()
    return url


def _spans(capsys: pytest.CaptureFixture[str], db_url: str) -> dict[str, str]:
    assert main(["noise", "--db", db_url, "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return {row["text"]: row["state"] for row in rows}


def test_spans_are_listed_pinned_dropped_and_forgotten(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    assert main(["noise", "--db", db_url]) == 0
    listing = capsys.readouterr().out
    assert "#1  fb-genai@fr  [learned] varies: “Read by ⟨…⟩ people”" in listing
    assert "[learned] comes and goes: “Tip!”" in listing

    assert main(["noise", "pin", "1", "--db", db_url]) == 0
    assert main(["noise", "drop", "2", "--db", db_url]) == 0
    capsys.readouterr()
    assert _spans(capsys, db_url) == {"Read by ⟨…⟩ people": "pinned", "Tip!": "dropped"}

    assert main(["noise", "learn", "1", "--db", db_url]) == 0
    assert main(["noise", "forget", "--db", db_url]) == 0
    assert "forgot 1 learned span(s)" in capsys.readouterr().out
    assert _spans(capsys, db_url) == {"Tip!": "dropped"}


def test_a_span_that_does_not_exist_or_no_id_is_said_so(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    assert main(["noise", "pin", "99", "--db", db_url]) == 1
    assert "no volatile span #99" in capsys.readouterr().out
    assert main(["noise", "drop", "--db", db_url]) == 2
