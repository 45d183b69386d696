"""Subscriptions with their channels resolved: the URLs to send to, known by key and label.

The one edge here: a subscription's `apprise_config:` file is read when subscriptions are
resolved (at start-up of `watcher run`, `watcher check`, `watcher dispatch`). A URL is a secret:
it is kept out of every repr, stored nowhere, and shown only as its redacted label.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from notifiers import redact_url
from watcher.config import Config, SubscriptionConfig
from watcher.config.apprise_files import apprise_config_urls, resolve_config_path
from watcher.errors import ConfigError

# scrypt, not a plain hash: keys are shown (CLI, web, API) and stored, and a fast hash of a URL
# whose only unknown part is a weak password could be reversed by trying passwords. About 25 ms
# per channel, once per process.
_KEY_SALT = b"watcher alert channel"
_KEY_COST = {"n": 2**14, "r": 8, "p": 1}


@functools.cache
def channel_key(url: str) -> str:
    """The key the outbox stores for a channel: derived from its whole URL, never the URL.

    The whole URL (secrets included), so two bots posting to one chat are two channels, and
    the same URL always gives the same key, in every process.
    """
    digest = hashlib.scrypt(url.strip().encode("utf-8"), salt=_KEY_SALT, dklen=32, **_KEY_COST)
    return digest.hex()


@dataclass(frozen=True)
class Destination:
    """One channel of a subscription: its Apprise URL (secret), key and redacted label."""

    key: str
    label: str
    url: str = field(repr=False)

    @classmethod
    def of(cls, url: str) -> Destination:
        return cls(key=channel_key(url), label=redact_url(url), url=url.strip())


@dataclass(frozen=True)
class Subscription:
    """A configured subscription and the channels it sends to."""

    config: SubscriptionConfig = field(repr=False)
    destinations: tuple[Destination, ...]

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def mode(self) -> str:
        return self.config.mode

    def __repr__(self) -> str:
        labels = ", ".join(d.label for d in self.destinations)
        return f"Subscription({self.id!r}, {self.mode}, [{labels}])"


def resolve_subscription(config: SubscriptionConfig, config_file: str) -> Subscription:
    """Raises ValueError (a message safe to show) when its Apprise config file cannot be used."""
    if config.urls is not None:
        urls: Sequence[str] = config.urls
    elif config.apprise_config is not None:
        path = resolve_config_path(config.apprise_config, config_file)
        urls = apprise_config_urls(path, config.tags)
    else:
        raise ValueError(f"subscription {config.id!r} has neither urls nor apprise_config")
    unique = {channel_key(url): Destination.of(url) for url in urls}
    return Subscription(config=config, destinations=tuple(unique.values()))


def resolve_subscriptions(config: Config) -> tuple[Subscription, ...]:
    """Every subscription of `config`; raises ConfigError naming the subscription at fault."""
    resolved: list[Subscription] = []
    for index, subscription in enumerate(config.subscriptions):
        try:
            resolved.append(resolve_subscription(subscription, config.file))
        except ValueError as error:
            path = f"subscriptions[{index}].apprise_config"
            raise ConfigError(config.file, None, path, str(error)) from None
    return tuple(resolved)
