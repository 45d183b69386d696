"""What the web app is given: the database, the public address, and the running process's parts.

`serve` alone has no scheduler: the write endpoint that triggers a check says so; `run` hands
in a `Runtime` whose hooks reach its scheduler and dispatcher.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage import BlobStore, Database
    from watcher.alerts.subscriptions import Subscription
    from watcher.config import PolitenessConfig

TOKEN_ENV = "WATCHER_WEB_TOKEN"


@dataclass(frozen=True)
class TargetSettings:
    """What the configuration says of one target: its check interval and its region's locale."""

    interval: timedelta
    locale: str


@dataclass(frozen=True)
class Runtime:
    """Hooks into the process the app runs in (`watcher run`); all optional.

    `next_due(target_id)` is the scheduler's next run time, `trigger(target_id)` asks for a
    check now (False: no such scheduled target), the `*_alive` probes say whether the scheduler
    and the dispatcher are still running.
    """

    next_due: Callable[[str], datetime | None] | None = None
    trigger: Callable[[str], bool] | None = None
    scheduler_alive: Callable[[], bool] | None = None
    dispatcher_alive: Callable[[], bool] | None = None


@dataclass(frozen=True)
class WebContext:
    database: Database
    base_url: str
    write_token: str | None = None
    targets: Mapping[str, TargetSettings] = field(default_factory=dict)
    subscriptions: Sequence[Subscription] = ()
    runtime: Runtime = field(default_factory=Runtime)
    # The evidence files' store (`watcher.cli.common.evidence_store`); None: none served here.
    evidence: BlobStore | None = None
    # The configuration's host politeness, for the target page; None: not known here.
    politeness: PolitenessConfig | None = None


def write_token_from_env(environ: Mapping[str, str] = os.environ) -> str | None:
    """The token writes need ($WATCHER_WEB_TOKEN); None (writes refused) when unset or blank."""
    token = environ.get(TOKEN_ENV, "").strip()
    return token or None
