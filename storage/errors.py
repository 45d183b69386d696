"""The one exception storage raises, with the database URL's password hidden.

Storage knows nothing of `watcher`; the application maps `StorageError` into its own error tree.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# Fallback for strings SQLAlchemy cannot parse: hide whatever sits between "user:" and "@".
_PASSWORD_IN_URL = re.compile(r"(?P<head>[a-z0-9+.-]+://[^:/@\s]*:)[^@\s]*(?P<tail>@)", re.I)
_MAX_DETAIL = 400


class StorageError(Exception):
    """The database could not be reached, migrated, read or written.

    The message names the database (password replaced by ``***``) and what went wrong, e.g.
    ``postgresql+psycopg://watcher:***@db:5432/watcher: could not connect: connection refused``.
    """

    def __init__(self, database: str, message: str) -> None:
        self.database = redact_url(database)
        self.message = hide_password(database, message)
        super().__init__(f"{self.database}: {self.message}")


def redact_url(url: str) -> str:
    """The URL as it may be shown to a person: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _PASSWORD_IN_URL.sub(r"\g<head>***\g<tail>", url)


def hide_password(url: str, text: str) -> str:
    """`text` with the URL's password removed, in case a driver echoed it; shortened to one line."""
    try:
        password = make_url(url).password
    except ArgumentError:
        password = None
    if password:
        text = text.replace(str(password), "***")
    text = _PASSWORD_IN_URL.sub(r"\g<head>***\g<tail>", text)
    one_line = " ".join(text.split())
    if len(one_line) > _MAX_DETAIL:
        return one_line[: _MAX_DETAIL - 1] + "…"
    return one_line


class VersionConflictError(StorageError):
    """Another writer stored a version of the target first: what this one compared against is
    no longer the latest. Nothing was written; read the latest version again and retry."""

    def __init__(self, target_id: str, expected_id: int | None) -> None:
        self.target_id = target_id
        self.expected_id = expected_id
        after = f"version {expected_id}" if expected_id is not None else "no version"
        self.database = ""
        self.message = f"{target_id}: another writer stored the version after {after} first"
        Exception.__init__(self, self.message)


class BlobError(StorageError):
    """An evidence file could not be written or read back (see `storage.blobs`)."""

    def __init__(self, message: str) -> None:
        super().__init__("evidence store", message)


class SlotTakenError(StorageError):
    """A check of the target for this scheduled slot is already recorded (a task delivered
    twice). Nothing was written."""

    def __init__(self, target_id: str, slot: str) -> None:
        self.target_id = target_id
        self.database = ""
        self.message = f"{target_id}: the check due at {slot} is already recorded"
        Exception.__init__(self, self.message)
