"""`Database`: the one object the application holds; it opens, migrates and hands out sessions.

    database = Database("sqlite:///data/watcher.db")   # or postgresql+psycopg://user:pw@host/db
    database.upgrade()                                  # Alembic `upgrade head`, no alembic.ini
    with database.transaction() as repo:                # commit on success, rollback on error
        repo.save_snapshot(...)
    with database.reader() as repo:                     # read-only, always rolled back
        repo.list_changes(limit=20)
    database.dispose()

Every SQLAlchemy, driver or Alembic error leaving these methods (including errors raised inside a
`transaction()`/`reader()` block by repository calls) becomes `storage.errors.StorageError`,
whose message names the database with its password hidden. Other exceptions pass unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from storage.engine import SQLITE_BEGIN, create_storage_engine
from storage.errors import StorageError, redact_url
from storage.repository import Repository

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed 64-bit number; only storage's migrations take this PostgreSQL advisory lock.
MIGRATION_LOCK_KEY = 0x77617463686572  # "watcher" in ASCII


class Database:
    def __init__(self, url: str) -> None:
        self._url = url
        try:
            self._engine = create_storage_engine(make_url(url))
        except (ArgumentError, ValueError, ImportError, OSError) as error:
            raise StorageError(url, f"cannot open: {error}") from error
        # Writers take SQLite's write lock when they begin (see storage.engine).
        self._writer = self._engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})

    def __repr__(self) -> str:
        return f"Database({self.display_url!r})"

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def display_url(self) -> str:
        """The URL with its password replaced by ``***``."""
        return redact_url(self._url)

    @property
    def dialect(self) -> str:
        """The SQLAlchemy dialect name: `sqlite` or `postgresql`."""
        return self._engine.dialect.name

    def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema (from empty, or from any older revision) to `revision`.

        Safe to call from several processes starting together (a worker and the web app):
        migrations run in one transaction under a lock, so the later caller waits and then
        finds the schema already current.
        """
        with self._errors_mapped("migration failed"), self._migration_connection() as connection:
            config = self._alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def downgrade(self, revision: str) -> None:
        with self._errors_mapped("migration failed"), self._migration_connection() as connection:
            config = self._alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, revision)

    def current_revision(self) -> str | None:
        """The schema revision the database is at (None before the first upgrade)."""
        with self._errors_mapped("cannot read the schema revision"), self._engine.connect() as c:
            return MigrationContext.configure(c).get_current_revision()

    def head_revision(self) -> str | None:
        """The newest revision this code ships."""
        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    @contextmanager
    def transaction(self) -> Iterator[Repository]:
        """A repository whose writes are committed together when the block ends without error."""
        with self._errors_mapped("write failed"):
            session = Session(self._writer, expire_on_commit=False, autoflush=False)
            try:
                yield Repository(session, writable=True)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def reader(self) -> Iterator[Repository]:
        """A read-only repository over one consistent view of the database."""
        with self._errors_mapped("read failed"):
            session = Session(self._engine, autoflush=False)
            try:
                if self.dialect == "postgresql":
                    session.execute(text("SET TRANSACTION READ ONLY"))
                yield Repository(session, writable=False)
            finally:
                session.rollback()
                session.close()

    def dispose(self) -> None:
        """Close every pooled connection (call once, when the process is done with the database)."""
        self._engine.dispose()

    @contextmanager
    def _migration_connection(self) -> Iterator[Connection]:
        # SQLite: BEGIN IMMEDIATE takes the database's write lock. PostgreSQL: a transaction
        # advisory lock, released at commit or rollback.
        with self._writer.begin() as connection:
            if self.dialect == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            yield connection

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    @contextmanager
    def _errors_mapped(self, what: str) -> Iterator[None]:
        try:
            yield
        except StorageError:
            raise
        except (SQLAlchemyError, CommandError) as error:
            raise StorageError(self._url, f"{what}: {_describe(error)}") from error


def _describe(error: Exception) -> str:
    # The driver's own words, without SQLAlchemy's "[SQL: ...]" echo of statements and
    # parameters (which may hold whole pages).
    if isinstance(error, DBAPIError) and error.orig is not None:
        return str(error.orig) or type(error.orig).__name__
    return str(error).split("\n[SQL:", 1)[0] or type(error).__name__
