"""A local pywb serving one WARC file, for the replay test; found in `.venv-replay` (made by
`make replay-env`) or in the folder $WATCHER_PYWB_BIN names."""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COLLECTION = "evidence"
READY_LINE = "Starting Gevent Server"
START_TIMEOUT_S = 60.0


def pywb_bin() -> Path | None:
    folder = Path(os.environ.get("WATCHER_PYWB_BIN", REPO / ".venv-replay" / "bin"))
    found = all((folder / name).is_file() for name in ("wayback", "wb-manager"))
    return folder if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def replaying(bin_dir: Path, warc: Path, workdir: Path) -> Iterator[str]:
    """pywb serving `warc` on loopback; yields the collection's base URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    for command in (["init", COLLECTION], ["add", COLLECTION, str(warc)]):
        subprocess.run(
            [str(bin_dir / "wb-manager"), *command],
            cwd=workdir,
            check=True,
            capture_output=True,
            timeout=120,
        )
    # Unframed replay: the page itself at the replay URL, not pywb's banner around an iframe.
    (workdir / "config.yaml").write_text("framed_replay: false\n")
    port = _free_port()
    server = subprocess.Popen(
        [str(bin_dir / "wayback"), "-b", "127.0.0.1", "-p", str(port)],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_ready(server)
        yield f"http://127.0.0.1:{port}/{COLLECTION}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        if server.stderr is not None:
            server.stderr.close()


def _wait_ready(server: subprocess.Popen[str]) -> None:
    """Wait for pywb's start-up line on its stderr (a condition, not a fixed delay)."""
    assert server.stderr is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    seen: list[str] = []
    with selectors.DefaultSelector() as selector:
        selector.register(server.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = server.stderr.readline()
            if not line:
                break
            seen.append(line.strip())
            if READY_LINE in line:
                return
    raise RuntimeError(f"pywb did not start: {' | '.join(seen[-5:])}")
