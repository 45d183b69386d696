"""`watcher run` as a real process for fault tests: its output read by threads into lines the
test waits on (never polled, never slept on), its web API used to ask for a check now."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx

WAIT_S = 60.0  # the longest a test waits for a line (a check renders pages in Chromium)
WEB_TOKEN = "kill-test-token"
_WEB_ADDRESS = re.compile(r"web app at (http://127\.0\.0\.1:\d+)/")


class RunProcess:
    """`watcher -v run` on `database_url` with `config`, the first checks at once."""

    def __init__(self, config: Path, database_url: str, data: Path) -> None:
        command = [sys.executable, "-m", "watcher.cli.main", "-v", "run"]
        command += ["--config", str(config), "--db", database_url]
        command += ["--startup-spread", "0", "--web-port", "0"]
        env = {**os.environ, "WATCHER_DATA": str(data), "WATCHER_WEB_TOKEN": WEB_TOKEN}
        env["WATCHER_BASE_URL"] = "https://watcher.example.org"
        self.lines: list[str] = []
        self._arrived = threading.Condition()
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,  # its own group: what it started can be cleaned up after
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._arrived:
                self.lines.append(line)
                self._arrived.notify_all()
        with self._arrived:  # the stream closed: wake waiters so they fail at once
            self._arrived.notify_all()

    def count(self, needle: str) -> int:
        with self._arrived:
            return sum(needle in line for line in self.lines)

    def wait_for_line(self, needle: str, times: int = 1) -> str:
        """The `times`-th line holding `needle`; fails when the process ended or WAIT_S passed."""

        def found() -> bool:
            return self._count_locked(needle) >= times or self.process.poll() is not None

        with self._arrived:
            self._arrived.wait_for(found, WAIT_S)
            matches = [line for line in self.lines if needle in line]
        assert len(matches) >= times, f"no {needle!r} (x{times}) in:\n{self.output[-4000:]}"
        return matches[times - 1]

    def _count_locked(self, needle: str) -> int:
        return sum(needle in line for line in self.lines)

    @property
    def output(self) -> str:
        with self._arrived:
            return "".join(self.lines)

    @property
    def web_address(self) -> str:
        found = _WEB_ADDRESS.search(self.wait_for_line("web app at "))
        assert found is not None
        return found.group(1)

    def check_now(self, target_id: str) -> None:
        """Ask the process's scheduler to check `target_id` now, through its web API."""
        answer = httpx.post(
            f"{self.web_address}/api/checks",
            params={"target": target_id},
            headers={"Authorization": f"Bearer {WEB_TOKEN}"},
            timeout=WAIT_S,
        )
        assert answer.status_code == 202, answer.text

    def kill(self) -> list[str]:
        """SIGKILL the `watcher run` process alone, as the OOM killer does: what it started
        (Chromium, its driver, the analysis workers) is orphaned and must notice and exit.
        Returns the command lines of those still running after WAIT_S (then killed)."""
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(WAIT_S) == -signal.SIGKILL
        left = _wait_for_exit(_group_members(self.process.pid), time.monotonic() + WAIT_S)
        self._kill_group()
        self._join_readers()
        return left

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def stop(self) -> int:
        """SIGTERM, and the exit status once it stopped."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(WAIT_S)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._kill_group()
        self._join_readers()

    def _join_readers(self) -> None:
        for reader in self._readers:
            reader.join(WAIT_S)


def _group_members(group: int) -> list[int]:
    """The processes of process group `group`, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[2]) == group:
            members.append(int(entry.name))
    return members


def _wait_for_exit(pids: list[int], deadline: float) -> list[str]:
    """Wait (on a pidfd each, not by polling) until `pids` exit; the command lines of those
    still running at `deadline`."""
    left = []
    for pid in pids:
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            ready, _, _ = select.select([handle], [], [], max(0.0, deadline - time.monotonic()))
        finally:
            os.close(handle)
        if not ready:
            with contextlib.suppress(OSError):
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                left.append(command.decode(errors="replace")[:200])
    return left
