"""What every command that reads sources.yaml does first: the configuration and its channels.

    setup = load_setup(config_path(args.config))

reads and checks sources.yaml (values: `watcher.config`), then checks each subscription's
channels with Apprise and reads its `apprise_config:` file (the alerts edge), so a bad URL or
file stops the command before any page is fetched or database opened, with the file, line
and key path. The secrets found on the way (Apprise URLs, proxy passwords) are registered with
the process-wide log filter: whatever logs them later, at any level, prints them redacted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watcher.alerts.subscriptions import Subscription
    from watcher.config import Config


@dataclass(frozen=True)
class Setup:
    config: Config
    subscriptions: tuple[Subscription, ...]


def load_setup(path: Path) -> Setup:
    """Raises ConfigError (exit status 2) for any problem in sources.yaml or its channels."""
    from notifiers.apprise_log import redacting_filter
    from notifiers.redact import url_secrets
    from watcher.alerts.subscriptions import resolve_subscriptions
    from watcher.config import load_config
    from watcher.config.environment import with_proxy_environment

    config = with_proxy_environment(load_config(path), os.environ)
    subscriptions = resolve_subscriptions(config)
    redacting_filter().add_secrets(_secrets(config, subscriptions, url_secrets))
    return Setup(config=config, subscriptions=subscriptions)


def _secrets(
    config: Config,
    subscriptions: tuple[Subscription, ...],
    url_secrets: Callable[[str], Iterable[str]],
) -> set[str]:
    """Proxy passwords and the secrets of every channel URL."""
    proxies = {r.proxy.password for r in config.regions.values() if r.proxy and r.proxy.password}
    channels = {
        secret
        for subscription in subscriptions
        for destination in subscription.destinations
        for secret in url_secrets(destination.url)
    }
    return proxies | channels
