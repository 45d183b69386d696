"""What every part of the repository shares: the session, the write guard, ON CONFLICT."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Base

MAX_PAGE = 1000


class RepositoryBase:
    def __init__(self, session: Session, *, writable: bool) -> None:
        self._session = session
        self._writable = writable

    def _require_writable(self) -> None:
        if not self._writable:
            raise PermissionError("this repository is read-only; use Database.transaction()")

    def _insert(self, entity: type[Base]) -> Any:
        # ON CONFLICT is spelled the same on both databases but built by dialect-specific
        # constructs; Any because the two Insert classes share no typed base for it.
        if self._session.get_bind().dialect.name == "postgresql":
            return postgresql.insert(entity)
        return sqlite.insert(entity)


def page_size(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}, got {limit}")
    return limit
