"""`watcher serve` as a person starts it: the address on start, a clean stop on SIGTERM, and
one line (no traceback) when the address cannot be used."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from storage import Database


def serve(folder: Path, *args: str) -> subprocess.Popen[str]:
    """In a folder without sources.yaml: the app then runs without a configuration."""
    command = [sys.executable, "-m", "watcher.cli.main", "serve", *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=folder
    )


def test_serve_prints_its_address_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'watcher.db'}"
    process = serve(tmp_path, "--db", db_url, "--port", "0")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.match(r"web app at (http://127\.0\.0\.1:\d+)/ \(Atom feed: \1/feeds/", line)
        assert found is not None, line + (process.stderr.read() if process.stderr else "")
        base = found.group(1)
        health = httpx.get(f"{base}/healthz", timeout=30).json()
        assert (health["status"], health["database"], health["workers"]) == ("ok", "ok", "ok")
        assert "scheduler" not in health  # `serve` alone runs none
        assert "No changes stored yet" in httpx.get(f"{base}/", timeout=30).text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_says_in_one_line_when_the_port_is_taken(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'watcher.db'}"
    Database(db_url).upgrade()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = serve(
            tmp_path, "--db", f"sqlite:///{tmp_path / 'watcher.db'}", "--port", str(port)
        )
        _, errors = process.communicate(timeout=60)
    assert process.returncode == 1
    missing = serve(tmp_path, "--db", "sqlite:///x.db", "--config", "none.yaml").communicate(60)
    assert "none.yaml: file not found" in missing[1] and "Traceback" not in missing[1]
    assert errors.strip().splitlines() == [
        f"watcher: cannot serve the web app on http://127.0.0.1:{port}: Address already in use"
    ]
