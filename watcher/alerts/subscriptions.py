"""Subscriptions with their channels resolved: the URLs to send to, known by key and label.

The one edge here: resolving checks every inline URL with Apprise and reads each subscription's
`apprise_config:` file (`channel_config`), when a command starts (`watcher validate`, `run`,
`check`, `dispatch`, `subscriptions`, `demo`). A URL is a secret: it is kept out of every repr,
stored nowhere, and shown only as its redacted label.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from notifiers.redact import redact_url
from watcher.alerts.channel_config import (
    read_apprise_config,
    resolve_config_path,
    subscription_channel_urls,
)
from watcher.config import Config, SubscriptionConfig

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

    label: str
    url: str = field(repr=False)

    @classmethod
    def of(cls, url: str) -> Destination:
        return cls(label=redact_url(url), url=url.strip())

    @functools.cached_property
    def key(self) -> str:
        # Derived when first needed: `watcher validate` and `watcher subscriptions` without
        # `--status` never pay the key derivation.
        return channel_key(self.url)


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
    """Raises ValueError (a message safe to show) when its Apprise config file cannot be used.

    Inline URLs are taken as written; `resolve_subscriptions` also checks them with Apprise.
    """
    if config.urls is not None:
        urls: Sequence[str] = config.urls
    elif config.apprise_config is not None:
        urls = read_apprise_config(
            resolve_config_path(config.apprise_config, config_file), config.tags
        )
    else:
        raise ValueError(f"subscription {config.id!r} has neither urls nor apprise_config")
    return _subscription(config, urls)


def resolve_subscriptions(config: Config) -> tuple[Subscription, ...]:
    """Every subscription of `config` with its channels, checked by Apprise.

    Raises InvalidConfigError (a ConfigError) with every unusable URL and Apprise config file,
    each at its line and key path in sources.yaml.
    """
    channel_urls = subscription_channel_urls(config)
    return tuple(
        _subscription(subscription, urls)
        for subscription, urls in zip(config.subscriptions, channel_urls, strict=True)
    )


def _subscription(config: SubscriptionConfig, urls: Sequence[str]) -> Subscription:
    # The same URL twice (e.g. from two tags of one file) is one channel.
    unique = {url.strip(): Destination.of(url) for url in urls}
    return Subscription(config=config, destinations=tuple(unique.values()))
