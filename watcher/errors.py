"""One small exception tree; everything raised at an edge is mapped into it."""

from __future__ import annotations


class WatcherError(Exception):
    """Base of every error watcher reports to a person."""


class ConfigError(WatcherError):
    """A configuration file is invalid.

    The message names the file, the line and the path of the bad key, e.g.
    ``sources.yaml:14: sources[3].regions[1]: unknown region 'xx' (known: de, fr)``.
    """

    def __init__(self, file: str, line: int | None, path: str, message: str) -> None:
        self.file = file
        self.line = line
        self.path = path
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        location = f"{where}: {path}: " if path else f"{where}: "
        super().__init__(f"{location}{message}")


class FetchError(WatcherError):
    """The browser could not be started or driven (not a page-level failure)."""


class StorageError(WatcherError):
    """The database could not be reached or written."""
