"""The CLI end to end: real Chromium, the simulated Meta site, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import Database
from watcher.cli.main import main
from watcher.demo import demo_config_yaml
from watcher.simsite import SimulatedMetaSite

pytestmark = pytest.mark.browser


def write_config(site: SimulatedMetaSite, tmp_path: Path, pages: tuple[str, ...]) -> Path:
    path = tmp_path / "sources.yaml"
    text = demo_config_yaml(site.base_url, site.egress_proxies(), pages=pages, timeout="20s")
    path.write_text(text)
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(list(args)) == 0
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_check_switch_check_lists_exactly_one_change(
    site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    db_url = database_url
    site.set_version(None, 0)
    config = str(write_config(site, tmp_path, ("genai",)))
    only = ["--only", "genai@fr"]
    first = run_json(capsys, "check", "--config", config, "--db", db_url, "--json", *only)
    assert [(r["target"], r["outcome"]) for r in first] == [("genai@fr", "first")]

    site.set_version("genai", 1)
    second = run_json(capsys, "check", "--config", config, "--db", db_url, "--json", *only)
    assert second[0]["outcome"] == "changed", second
    assert isinstance(second[0]["change_id"], int)

    changes = run_json(capsys, "changes", "--db", db_url, "--json")
    assert len(changes) == 1
    change = changes[0]
    assert change["id"] == second[0]["change_id"]
    assert (change["target"], change["source"], change["region"]) == ("genai@fr", "genai", "fr")
    kinds = {f["kind"] for f in change["findings"]}  # type: ignore[union-attr]
    assert "opt_out_changed" in kinds or "data_use_expanded" in kinds, change


def test_identical_recheck_stores_nothing_new(
    site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_url = f"sqlite:///{tmp_path / 'watcher.db'}"
    config = str(write_config(site, tmp_path, ("genai", "privacy_policy")))
    only = ["--only", "genai@fr", "genai@us", "privacy-policy@de"]
    first = run_json(capsys, "check", "--config", config, "--db", db_url, "--json", *only)
    assert {r["outcome"] for r in first} == {"first"}
    database = Database(db_url)
    with database.reader() as repo:
        contents = repo.count_snapshot_contents()
        snapshots = repo.count_snapshots()
    # The site serves new nonces, tokens, tracking parameters and class names on every request.
    again = run_json(capsys, "check", "--config", config, "--db", db_url, "--json", *only)
    assert {r["outcome"] for r in again} == {"unchanged"}, again
    with database.reader() as repo:
        assert repo.count_snapshot_contents() == contents
        assert repo.count_snapshots() == snapshots
        assert repo.list_changes() == []
    database.dispose()


@pytest.mark.parametrize(
    ("mode", "kind"),
    [("empty", "empty_content"), ("truncated", "truncated_content"), ("login_wall", "login_wall")],
)
def test_failed_fetches_are_failed_checks_never_changes(
    site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mode: str,
    kind: str,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'watcher.db'}"
    config = str(write_config(site, tmp_path, ("privacy_policy",)))
    only = ["--only", "privacy-policy@uk"]
    assert (
        run_json(capsys, "check", "--config", config, "--db", db_url, "--json", *only)[0]["outcome"]
        == "first"
    )
    site.set_mode("privacy_policy", mode, region="uk")
    failed = run_json(capsys, "check", "--config", config, "--db", db_url, "--json", *only)
    assert (failed[0]["outcome"], failed[0]["failure_kind"]) == ("failed", kind), failed
    assert run_json(capsys, "changes", "--db", db_url, "--json") == []


def test_select_matching_nothing_is_a_failure(
    site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = demo_config_yaml(site.base_url, site.egress_proxies(), pages=("genai",))
    text = text.replace("select: '[role=\"main\"]'", "select: '#gone-since-the-redesign'")
    config = tmp_path / "sources.yaml"
    config.write_text(text)
    db_url = f"sqlite:///{tmp_path / 'watcher.db'}"
    result = run_json(
        capsys, "check", "--config", str(config), "--db", db_url, "--json", "--only", "genai@us"
    )
    assert (result[0]["outcome"], result[0]["failure_kind"]) == ("failed", "select_matched_nothing")


def test_summary_table_without_json(
    site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = str(write_config(site, tmp_path, ("genai",)))
    db_url = f"sqlite:///{tmp_path / 'watcher.db'}"
    assert main(["check", "--config", config, "--db", db_url, "--only", "genai"]) == 0
    out = capsys.readouterr().out
    for region in ("fr", "de", "uk", "us", "br"):
        assert f"genai@{region}" in out
    assert "5 first" in out


def test_invalid_config_exits_2_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(
        "regions:\n  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: fr}\n"
        "sources:\n  - id: a\n    title: A\n    url: https://example.org/\n    regions: [fr, xx]\n"
    )
    db = tmp_path / "never.db"
    assert main(["check", "--config", str(config), "--db", f"sqlite:///{db}"]) == 2
    err = capsys.readouterr().err
    assert "sources.yaml:7" in err and "sources[0].regions[1]" in err
    assert not db.exists()
