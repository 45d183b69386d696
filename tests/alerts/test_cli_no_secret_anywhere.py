"""Every `watcher` command, as a real process at `-vv`, with secrets everywhere a configuration
can hold them: none of them appears in anything it prints.

The secrets are random per run and distinctive: passwords and tokens in subscription URLs (in
the password field, the host, the path, the query, headers), Slack's three tokens in both URL
forms, a Discord webhook, a Telegram bot token, an Apprise config file with passwords and a bot
token written as YAML keys, and a region proxy with a password. The simulated Meta site, the
notification endpoint and the database are all on this machine: subscriptions whose URLs would
leave it are filtered to a region no change happens in, so they are checked and listed but never
sent to.
"""

from __future__ import annotations

import re
import secrets
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from alerts_testkit import WAIT_S, Endpoint, free_port

from watcher.demo import demo_config_yaml
from watcher.simsite import SimulatedMetaSite

TARGETS_CHECKED = ("genai@fr", "genai@de")
CHECK_LINE = re.compile(r" check target=([\w.-]+@\w+) outcome=")


def token(prefix: str, size: int = 12) -> str:
    return f"{prefix}{secrets.token_hex(size)}"


def digits(count: int) -> str:
    return "".join(secrets.choice("123456789") for _ in range(count))


@dataclass(frozen=True)
class Secrets:
    proxy_password: str = token("Px")
    hook_password: str = token("Hk")
    hook_header_key: str = token("Hd")
    slack_a: str = f"T{token('', 5).upper()}"
    slack_b: str = f"B{token('', 5).upper()}"
    slack_c: str = token("Sc")
    hook_slack_a: str = f"T{token('', 5).upper()}"
    hook_slack_b: str = f"B{token('', 5).upper()}"
    hook_slack_c: str = token("Hs")
    telegram_bot: str = f"{digits(9)}:AA{token('', 16)}"
    discord_id: str = digits(18)
    discord_token: str = token("Dc", 20)
    mail_password: str = token("Ml")
    file_yaml_password: str = token("Fy")
    file_bot: str = f"{digits(9)}:AA{token('', 16)}"
    file_json_password: str = token("Fj")

    def all(self) -> list[str]:
        values = list(vars(self).values())
        # The secret half of each bot token, also on its own.
        return [*values, self.telegram_bot.split(":")[1], self.file_bot.split(":")[1]]


@dataclass
class Setup:
    folder: Path
    config: Path
    db: str
    secrets: Secrets
    endpoint: Endpoint

    def watcher(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "watcher.cli.main", "-vv", *args],
            capture_output=True,
            text=True,
            input=stdin,
            timeout=WAIT_S * 4,
            check=False,
            cwd=self.folder,
        )
        assert_no_secret(self.secrets, f"watcher {' '.join(args)}", result.stdout + result.stderr)
        return result


def assert_no_secret(known: Secrets, what: str, output: str) -> None:
    shown = [secret for secret in known.all() if secret in output]
    assert not shown, f"{what} printed {shown}:\n{output[-3000:]}"


def write_files(folder: Path, site: SimulatedMetaSite, endpoint: Endpoint, s: Secrets) -> Path:
    proxies = dict(site.egress_proxies())
    proxies["fr"] = proxies["fr"].replace("http://", f"http://watcher:{s.proxy_password}@")
    sources = demo_config_yaml(site.base_url, proxies, pages=("genai",), timeout="10s")
    hook = (
        f"json://watcher:{s.hook_password}@127.0.0.1:{endpoint.port}/hook"
        f"?+X-Api-Key={s.hook_header_key}"
    )
    sources += f"""\
subscriptions:
  - id: newsroom-hook
    urls: "{hook}"
  # Never matched (no change in 'us' here): checked and listed, never sent.
  - id: chat-never-sent
    regions: [us]
    urls:
      - "slack://{s.slack_a}/{s.slack_b}/{s.slack_c}/#privacy"
      - "https://hooks.slack.com/services/{s.hook_slack_a}/{s.hook_slack_b}/{s.hook_slack_c}"
      - "tgram://{s.telegram_bot}/987654321"
      - "discord://{s.discord_id}/{s.discord_token}"
      - "mailtos://alerts:{s.mail_password}@mail.example.org?to=dpo@example.org"
  - id: ngo-from-file
    regions: [us]
    apprise_config: alerts.yml
    tags: [ngo]
"""
    (folder / "alerts.yml").write_text(
        f"""\
urls:
  - mailtos://mail.example.org:
      user: alerts
      pass: {s.file_yaml_password}
      to: ngo@example.org
      tag: ngo
  - tgram://:
      bot_token: {s.file_bot}
      targets: "12345"
      tag: ngo
  - json://watcher:{s.file_json_password}@127.0.0.1:{free_port()}/ngo:
      tag: ngo
"""
    )
    config = folder / "sources.yaml"
    config.write_text(sources)
    return config


@pytest.fixture
def setup(tmp_path: Path, site: SimulatedMetaSite, endpoint: Endpoint) -> Setup:
    known = Secrets()
    config = write_files(tmp_path, site, endpoint, known)
    return Setup(tmp_path, config, f"sqlite:///{tmp_path / 'watcher.db'}", known, endpoint)


def run_until_first_pass(setup: Setup, targets: int) -> tuple[int, str]:
    """`watcher -vv run`, stopped with SIGTERM once each target has been checked once."""
    command = [sys.executable, "-m", "watcher.cli.main", "-vv", "run"]
    command += ["--config", str(setup.config), "--db", setup.db, "--startup-spread", "0"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=setup.folder
    )
    assert process.stdout is not None
    lines: list[str] = []
    checked: set[str] = set()
    first_pass = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            # The per-check log line; derived targets (`genai@fr/opt-out`) are not counted.
            found = CHECK_LINE.search(line)
            if found:
                checked.add(found.group(1))
            if len(checked) >= targets:
                first_pass.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert first_pass.wait(WAIT_S * 4), "".join(lines[-50:])
        process.send_signal(signal.SIGTERM)
        status = process.wait(WAIT_S * 2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(WAIT_S)
    return status, "".join(lines)


@pytest.mark.browser
def test_every_command_at_debug_keeps_every_secret(
    setup: Setup, site: SimulatedMetaSite, chromium_available: None
) -> None:
    config, db = str(setup.config), setup.db
    hook = next(line for line in setup.config.read_text().splitlines() if "json://" in line)
    hook_url = hook.split('"')[1]

    validated = setup.watcher("validate", "--config", config)
    assert validated.returncode == 0, validated.stderr
    assert "valid — 1 sources, 5 regions, 5 targets" in validated.stdout

    listed = setup.watcher("subscriptions", "--config", config, "--status", "--db", db)
    assert listed.returncode == 0, listed.stderr
    assert f"slack://{setup.secrets.slack_a[0]}...{setup.secrets.slack_a[-1]}/***/***" in (
        listed.stdout
    )
    assert listed.stdout.count("→") == 9  # 1 + 5 inline channels, 3 from the file

    only = ["--only", *TARGETS_CHECKED]
    site.set_version(None, 0)
    first = setup.watcher("check", "--config", config, "--db", db, "--json", *only)
    assert first.returncode == 0, first.stderr
    site.set_version("genai", 1)
    second = setup.watcher("check", "--config", config, "--db", db, *only)
    assert second.returncode == 0, second.stderr
    assert "changed" in second.stdout

    for args in (
        ("changes", "--db", db),
        ("compare", "genai", "fr", "de", "--db", db),
        ("deliveries", "--db", db),
        ("db", "current", "--db", db),
    ):
        result = setup.watcher(*args)
        assert result.returncode == 0, result.stderr

    dispatched = setup.watcher("dispatch", "--once", "--config", config, "--db", db)
    assert dispatched.returncode == 0, dispatched.stderr
    assert "delivered 2," in dispatched.stdout  # one per changed target, to the loopback hook
    assert all(r.path == "/hook" for r in setup.endpoint.wait_for(2))

    sent = setup.watcher("notify", "test", "-", stdin=hook_url + "\n")
    assert sent.returncode == 0, sent.stderr
    refused = hook_url.replace(f":{setup.endpoint.port}/", f":{free_port()}/")
    failed = setup.watcher("notify", "test", "--timeout", "5", refused)
    assert failed.returncode == 1, failed.stderr

    status, output = run_until_first_pass(setup, targets=5)
    assert status == 0, output
    assert_no_secret(setup.secrets, "watcher run", output)
    assert "stopping: letting checks and the send in progress finish" in output


def test_configuration_errors_at_debug_keep_every_secret(setup: Setup) -> None:
    s = setup.secrets
    text = setup.config.read_text()
    text = text.replace(f"tgram://{s.telegram_bot}/", f"tgramx://{s.telegram_bot}/")
    (setup.folder / "alerts.yml").write_text(
        f"urls:\n  - json://127.0.0.1:9/a\n  - tgram://:\n      bot_token: {s.file_bot}\n"
        "      tag: ngo\n"
    )
    broken = setup.folder / "broken.yaml"
    broken.write_text(text)

    with_db = ("--db", setup.db)
    for command, *more in (
        ("validate",),
        ("subscriptions",),
        ("check", *with_db),
        ("dispatch", *with_db),
        ("run", *with_db),
    ):
        result = setup.watcher(command, "--config", str(broken), *more)
        errors = [line for line in result.stderr.splitlines() if line.startswith("watcher:")]
        assert result.returncode == 2, result.stderr
        assert [e.split(": ")[3] for e in errors] == [
            "subscriptions[1].urls[2]",
            "subscriptions[2].apprise_config",
        ], errors
        assert "Traceback" not in result.stderr
        assert "tgramx://***/987654321" in errors[0]
        assert "alerts.yml, line 3: Apprise cannot use entry #2" in errors[1]


def test_notify_test_reads_a_url_from_stdin_without_echoing_it(setup: Setup) -> None:
    bad = f"tgramx://{setup.secrets.telegram_bot}/42"
    result = setup.watcher("notify", "test", "-", stdin=bad + "\n")
    assert result.returncode == 2
    assert "not a usable notification URL (tgramx://***/42)" in result.stderr
