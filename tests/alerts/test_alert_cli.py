"""`watcher notify test`, `subscriptions`, `deliveries` and `dispatch --once`, run in-process:
clear words on failure, and secrets redacted in every line they print."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alerts_testkit import Endpoint, free_port, register_targets, store_change, write_config
from apprise.plugins.telegram import NotifyTelegram

from storage import Database
from watcher.alerts import Dispatcher, resolve_subscriptions
from watcher.cli.main import main
from watcher.config import load_config

PASSWORD = "S3cretPassw0rd"
TELEGRAM_TOKEN = "123456789:AAHk9vQxT3sEcReTtOkEnZ2m7pL0wQ8rYbC"
SECRETS = (PASSWORD, TELEGRAM_TOKEN, "AAHk9vQxT3")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    output = captured.out + captured.err
    for secret in SECRETS:
        assert secret not in output, output
    return status, output


# --- notify test ----------------------------------------------------------------------------------


def test_notify_test_sends_and_says_so(
    capsys: pytest.CaptureFixture[str], endpoint: Endpoint
) -> None:
    url = f"json://watcher:{PASSWORD}@127.0.0.1:{endpoint.port}/hook"
    status, output = run_cli(capsys, "notify", "test", url)
    assert status == 0
    assert f"sent a test message to json://watcher:***@127.0.0.1:{endpoint.port}/hook" in output
    (request,) = endpoint.wait_for(1)
    assert "watcher test notification" in request.json()["title"]


def test_notify_test_explains_a_rejected_url(
    capsys: pytest.CaptureFixture[str], endpoint: Endpoint
) -> None:
    endpoint.status = 401
    url = f"json://watcher:{PASSWORD}@127.0.0.1:{endpoint.port}/hook"
    status, output = run_cli(capsys, "notify", "test", url)
    assert status == 1
    assert "was not delivered" in output and "401" in output
    assert "will keep failing until the URL is fixed" in output


def test_notify_test_explains_an_unreachable_service(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"json://watcher:{PASSWORD}@127.0.0.1:{free_port()}/hook"
    status, output = run_cli(capsys, "notify", "test", "--timeout", "5", url)
    assert status == 1
    assert "try the test again later" in output


def test_notify_test_refuses_an_unusable_url_and_reads_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"tgramx://{TELEGRAM_TOKEN}/42\n"))
    status, output = run_cli(capsys, "notify", "test", "-")
    assert status == 2
    assert "not a usable notification URL (tgramx://***/42)" in output


# --- subscriptions --------------------------------------------------------------------------------

SUBSCRIPTIONS = f"""\
subscriptions:
  - id: newsroom
    urls: ['tgram://{TELEGRAM_TOKEN}/987654321', 'json://watcher:{PASSWORD}@127.0.0.1:PORT/hook']
    regions: [fr]
    min_severity: high
  - id: dpo-daily
    apprise_config: alerts.yml
    tags: [dpo]
    kinds: [opt_out_changed]
    mode: digest
"""


@pytest.fixture
def config_path(tmp_path: Path, endpoint: Endpoint) -> Path:
    (tmp_path / "alerts.yml").write_text(
        f"urls:\n  - json://dpo:{PASSWORD}@127.0.0.1:{endpoint.port}/dpo:\n      tag: dpo\n"
    )
    return write_config(tmp_path, SUBSCRIPTIONS.replace("PORT", str(endpoint.port)))


def test_subscriptions_lists_filters_modes_and_redacted_channels(
    capsys: pytest.CaptureFixture[str], config_path: Path, endpoint: Endpoint
) -> None:
    status, output = run_cli(capsys, "subscriptions", "--config", str(config_path))
    assert status == 0
    assert "newsroom  immediate  regions fr · severity ≥ high" in output
    assert "→ tgram://***/987654321" in output
    assert f"→ json://watcher:***@127.0.0.1:{endpoint.port}/hook" in output
    assert "dpo-daily  digest (daily)  kinds opt_out_changed" in output
    assert "from alerts.yml (tags: dpo)" in output
    assert "json://dpo:***@127.0.0.1" in output

    status, output = run_cli(capsys, "subscriptions", "--config", str(config_path), "--json")
    first = json.loads(output.splitlines()[0])
    assert first["id"] == "newsroom"
    assert first["channels"][0]["url"] == "tgram://***/987654321"


def test_subscriptions_with_a_missing_apprise_file_is_a_config_error(
    capsys: pytest.CaptureFixture[str], config_path: Path
) -> None:
    (config_path.parent / "alerts.yml").unlink()
    status, output = run_cli(capsys, "subscriptions", "--config", str(config_path))
    assert status == 2
    alerts = config_path.parent / "alerts.yml"
    assert (
        f"subscriptions[1].apprise_config: Apprise config file {alerts}: file not found" in output
    )


# --- deliveries and dispatch ----------------------------------------------------------------------


def test_deliveries_show_progress_failures_and_failing_channels(
    capsys: pytest.CaptureFixture[str],
    config_path: Path,
    endpoint: Endpoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Telegram's API is played by a loopback port nobody listens on: a transient failure.
    monkeypatch.setattr(NotifyTelegram, "notify_url", f"http://127.0.0.1:{free_port()}/bot")
    database_url = f"sqlite:///{tmp_path / 'watcher.db'}"
    database = Database(database_url)
    database.upgrade()
    try:
        config = load_config(config_path)
        register_targets(database, config)
        subscriptions = resolve_subscriptions(config)
        # Detected now: its daily digest is not due before midnight UTC.
        change_id = store_change(database, subscriptions, at=datetime.now(UTC))
        endpoint.status = 403  # the webhook refuses us: the channel is failing
        status, output = run_cli(
            capsys, "dispatch", "--once", "--db", database_url, "--config", str(config_path)
        )
        assert status == 0
        # Telegram refused the connection (retried later), the webhook said 403 (given up).
        assert "delivered 0, to retry 1, failed 1" in output

        status, output = run_cli(capsys, "deliveries", "--db", database_url)
        assert status == 0
        assert "failing channels" in output
        assert f"✗ json://watcher:***@127.0.0.1:{endpoint.port}/hook" in output
        assert "403" in output
        assert f"change #{change_id} fb-genai@fr → newsroom tgram://***/987654321" in output
        assert "pending, next attempt" in output
        assert "dpo-daily json://dpo:***@" in output and "waiting for its digest" in output
        assert "totals: digest_pending 1, failed_permanent 1, pending 1" in output

        status, output = run_cli(capsys, "deliveries", "--db", database_url, "--failed", "--json")
        lines = [json.loads(line) for line in output.splitlines()]
        assert lines[0]["failing_channel"].startswith("json://watcher:***@")
        assert [line["status"] for line in lines[1:]] == ["failed_permanent"]

        status, output = run_cli(
            capsys, "subscriptions", "--config", str(config_path), "--status", "--db", database_url
        )
        assert "FAILING since" in output and "ok, 1 waiting" in output

        endpoint.status = 200
        status, output = run_cli(capsys, "deliveries", "--db", database_url, "--retry-failed")
        assert "queued 1 failed deliveries again" in output
        dispatcher = Dispatcher(database, subscriptions)
        assert dispatcher.run_once().delivered == 1
        with database.reader() as repo:
            assert repo.list_channels(failing_only=True) == []
    finally:
        database.dispose()


def test_dispatch_once_with_nothing_queued(
    capsys: pytest.CaptureFixture[str], config_path: Path, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'empty.db'}"
    status, output = run_cli(
        capsys, "dispatch", "--once", "--db", database_url, "--config", str(config_path)
    )
    assert (status, output.strip()) == (0, "delivered 0, to retry 0, failed 0")
