"""Where watcher finds its configuration and keeps its data, from flags and the environment."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CONFIG = "sources.yaml"
DB_ENV = "WATCHER_DB"
DATA_ENV = "WATCHER_DATA"


def data_dir() -> Path:
    """The folder for the embedded database and other local state (`./data` by default)."""
    return Path(os.environ.get(DATA_ENV, "data"))


def database_url(flag: str | None = None, *, name: str = "watcher.db") -> str:
    """`--db` first, then $WATCHER_DB, then an SQLite file in the data folder."""
    if flag:
        return flag
    from_env = os.environ.get(DB_ENV)
    if from_env:
        return from_env
    return f"sqlite:///{data_dir() / name}"


def config_path(flag: str | None = None) -> Path:
    return Path(flag or os.environ.get("WATCHER_CONFIG", DEFAULT_CONFIG))


def evidence_dir(db_url: str | None = None) -> Path:
    """The content-addressed store of evidence files (screenshots, rendered HTML, texts, fetch
    records): `evidence/` in the data folder: $WATCHER_DATA when set, else the folder of an
    SQLite database (its files and its evidence stay together), else `./data`."""
    if DATA_ENV not in os.environ and db_url and db_url.startswith(_SQLITE_FILE):
        database_file = Path(db_url[len(_SQLITE_FILE) :].split("?", 1)[0])
        if str(database_file) not in ("", ":memory:"):
            return database_file.parent / "evidence"
    return data_dir() / "evidence"


_SQLITE_FILE = "sqlite:///"
