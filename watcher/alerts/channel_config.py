"""The channels of each subscription, checked when a command starts: the alerts edge of the
configuration.

`watcher.config` turns sources.yaml into values; whether Apprise can use those values happens
here, where Apprise is imported anyway: every inline URL is parsed by Apprise, and every file
named by `apprise_config:` is read (a regular file, at most `MAX_APPRISE_CONFIG_BYTES`, UTF-8)
and handed to Apprise as text. Problems are reported like any other configuration error, with
the sources.yaml line and key path (`subscriptions[2].apprise_config`), every one of them at
once, secrets redacted, and never a line of the Apprise file quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from notifiers import validate_url
from watcher.config import Config, SubscriptionConfig
from watcher.config.locations import Loc, Problem, to_config_error
from watcher.config.textfile import MIB, UnreadableFileError, read_text_file

# An Apprise configuration lists a few URLs; the bound keeps a wrong path from being read whole.
MAX_APPRISE_CONFIG_BYTES = MIB


def resolve_config_path(written: str, config_file: str) -> Path:
    """`apprise_config:` as written, relative to the folder of the sources.yaml naming it."""
    path = Path(written).expanduser()
    return path if path.is_absolute() else Path(config_file).parent / path


def read_apprise_config(path: Path, tags: Sequence[str]) -> list[str]:
    """The URLs of the Apprise configuration file at `path` with any of `tags` (all if none).

    Raises ValueError with a message safe to show: the path and what is wrong, with the line of
    the file when known, never its content.
    """
    # Apprise is imported here, when there is a file to read (`validate_url` imports it on its
    # first call): a configuration without subscriptions is validated without loading it.
    from notifiers.config_text import (  # noqa: PLC0415
        AppriseConfigTextError,
        urls_from_config_text,
    )

    try:
        text = read_text_file(
            path, limit=MAX_APPRISE_CONFIG_BYTES, expected="an Apprise config file"
        )
        return urls_from_config_text(text, tags)
    except (UnreadableFileError, AppriseConfigTextError) as error:
        where = f"Apprise config file {path}" + (f", line {error.line}" if error.line else "")
        raise ValueError(f"{where}: {error.reason}") from None


def subscription_channel_urls(config: Config) -> tuple[tuple[str, ...], ...]:
    """The Apprise URLs of each subscription of `config`, in order.

    Raises InvalidConfigError (a ConfigError) naming sources.yaml, the line and the key path of
    every inline URL Apprise cannot use and every unusable `apprise_config:` file.
    """
    problems: list[Problem] = []
    found: list[tuple[str, ...]] = []
    for index, subscription in enumerate(config.subscriptions):
        urls, trouble = _channel_urls(index, subscription, config.file)
        found.append(urls)
        problems += trouble
    if problems:
        raise to_config_error(config.file, problems, config.locations)
    return tuple(found)


def _channel_urls(
    index: int, subscription: SubscriptionConfig, config_file: str
) -> tuple[tuple[str, ...], list[Problem]]:
    here: Loc = ("subscriptions", index)
    if subscription.urls is not None:
        problems = [
            Problem((*here, "urls", position), reason)
            for position, url in enumerate(subscription.urls)
            if (reason := validate_url(url)) is not None
        ]
        return tuple(url.strip() for url in subscription.urls), problems
    if subscription.apprise_config is None:  # the model requires one of the two
        return (), [Problem(here, "a subscription needs 'urls' or 'apprise_config'")]
    path = resolve_config_path(subscription.apprise_config, config_file)
    try:
        return tuple(read_apprise_config(path, subscription.tags)), []
    except ValueError as error:
        return (), [Problem((*here, "apprise_config"), str(error))]
