"""The Celery application, its queues and its settings (no tasks: see `tasks`)."""

from __future__ import annotations

import os
import re
from typing import Any

from celery import Celery

from watcher.errors import ConfigError

CHECK_TASK = "watcher.check"
QUEUE_PREFIX = "watcher.region."
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
# A task taken by a worker that died unacknowledged goes back to its queue after this long.
# Longer than any check (a few timeouts), so a slow check is not handed to a second worker.
DEFAULT_VISIBILITY_TIMEOUT = 1800


_CREDENTIALS = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with the password of any URL in it (a broker's) replaced by `***`."""
    return _CREDENTIALS.sub(r"\g<head>***@", text)


def queue_for(region_id: str) -> str:
    """The region's queue; $WATCHER_QUEUE_PREFIX lets several installations share a broker."""
    return f"{os.environ.get('WATCHER_QUEUE_PREFIX', QUEUE_PREFIX)}{region_id}"


def broker_url() -> str:
    return os.environ.get("WATCHER_BROKER", DEFAULT_BROKER)


def visibility_timeout() -> int:
    raw = os.environ.get("WATCHER_VISIBILITY_TIMEOUT", str(DEFAULT_VISIBILITY_TIMEOUT))
    try:
        seconds = int(raw)
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= 86_400:
        raise ConfigError(
            "WATCHER_VISIBILITY_TIMEOUT", None, "", f"expected 1-86400 seconds, got {raw!r}"
        )
    return seconds


def make_app(broker: str | None = None, *, visibility: int | None = None) -> Any:
    """A Celery app on `broker` (default $WATCHER_BROKER): tasks acknowledged after they ran,
    one task reserved per free slot, handed back when a worker is lost."""
    seconds = visibility if visibility is not None else visibility_timeout()
    app = Celery("watcher", broker=broker or broker_url())
    # Redis restores unacknowledged tasks on a sweep; sweep often enough for the timeout.
    sweep = max(1, min(10, seconds // 3))
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_default_queue=f"{QUEUE_PREFIX}default",
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": seconds,
            "unacked_restore_interval": sweep,
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_enable_remote_control=True,
    )
    return app
