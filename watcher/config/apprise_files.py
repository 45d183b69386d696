"""Apprise configuration files named by `apprise_config:`: read once, expanded into URLs.

A subscription may keep its secrets out of sources.yaml in an Apprise config file (YAML or
text format, see Apprise's documentation), selecting entries by tag. This is the one place the
config package reads such a file; messages never quote the URLs inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import apprise

from notifiers import redacting_filter
from watcher.config.textfile import MIB, UnreadableFileError, read_text_file

MAX_APPRISE_CONFIG_BYTES = MIB


def resolve_config_path(written: str, config_file: str) -> Path:
    """`apprise_config:` as written, relative to the folder of the sources.yaml naming it."""
    path = Path(written).expanduser()
    return path if path.is_absolute() else Path(config_file).parent / path


def apprise_config_urls(path: Path, tags: Sequence[str]) -> list[str]:
    """The URLs of the file's entries with any of `tags` (every entry when `tags` is empty).

    Raises ValueError, with a message safe to show, when the file cannot be read, is not an
    Apprise configuration or selects no URL.
    """
    try:
        text = read_text_file(
            path, limit=MAX_APPRISE_CONFIG_BYTES, expected="an Apprise config file"
        )
    except UnreadableFileError as error:
        raise ValueError(f"Apprise config file {path}: {error.reason}") from None
    # Apprise logs what it cannot parse, possibly quoting a URL: the process-wide filter
    # redacts those records wherever they end up.
    redacting_filter()
    config = apprise.AppriseConfig()
    notifier = apprise.Apprise()
    if config.add_config(text):
        notifier.add(config)
    servers = list(notifier.find(tag=list(tags))) if tags else list(notifier.find())
    if not servers:
        which = f"with the tags {', '.join(tags)}" if tags else "at all"
        raise ValueError(f"the Apprise config file {path} names no usable URL {which}")
    return [str(server.url(privacy=False)) for server in servers]  # type: ignore[no-untyped-call]
