"""Who holds a claim: dispatcher ids, and telling a dead local dispatcher from a live one.

An id is `host:pid:nonce`. A dispatcher restarted after a SIGKILL hands back at once the claims
of dispatchers on its own host whose process is gone, instead of waiting for their leases to
run out. A live process, another host, or an id of another shape is left to its lease: only
proof of death releases a claim early.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable
from pathlib import Path


def new_worker_id() -> str:
    # The nonce tells this process from an earlier one that had the same pid.
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # exists, owned by someone else
    try:
        # A killed child not yet reaped by its parent still answers kill(0): a zombie.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return fields[0] == "Z"


def dead_local_workers(worker_ids: Iterable[str], me: str) -> set[str]:
    """The ids among `worker_ids` of dispatchers on this host that are certainly not running."""
    host, own_pid, _ = me.split(":", 2)
    dead: set[str] = set()
    for worker in worker_ids:
        parts = worker.split(":")
        if worker == me or len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
            continue
        pid = int(parts[1])
        # Our own pid with another nonce is an earlier process that had our pid: gone.
        if str(pid) == own_pid or _process_gone(pid):
            dead.add(worker)
    return dead
