"""The feed's filters: read from a query string, checked, and written back as one URL per state.

The same filters drive the HTML feed, the Atom feeds and the JSON API list. A bad value is a
`FilterError` with one line saying which parameter and what it expects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlencode

from watcher.classify import FindingKind, Severity

if TYPE_CHECKING:
    from storage import ChangeRecord, Repository

MAX_TEXT = 200
MAX_ID = 200
# Row ids are 32-bit integers in PostgreSQL.
MAX_ROW_ID = 2**31 - 1
# Ids and search words: no control characters (a NUL cannot even reach PostgreSQL).
NO_CONTROLS = r"^[^\x00-\x1f\x7f-\x9f]+$"
_NO_CONTROLS = re.compile(NO_CONTROLS)
E = TypeVar("E", FindingKind, Severity)
FIELDS = ("source", "region", "kind", "min_severity", "since", "until", "q")


class FilterError(ValueError):
    """A filter value that cannot be used; the message names the parameter."""


@dataclass(frozen=True)
class FeedFilter:
    source: str | None = None
    region: str | None = None
    kind: FindingKind | None = None
    min_severity: Severity | None = None
    since: date | None = None  # inclusive
    until: date | None = None  # inclusive
    q: str | None = None
    before: int | None = None  # keyset: changes with a smaller id

    @property
    def severities(self) -> tuple[str, ...]:
        if self.min_severity is None:
            return ()
        rank = self.min_severity.rank
        return tuple(s.value for s in Severity if s.rank >= rank)

    @property
    def active(self) -> bool:
        return any(getattr(self, name) is not None for name in FIELDS)

    def query_items(self, *, with_before: bool = False) -> list[tuple[str, str]]:
        items = [(name, _text(getattr(self, name))) for name in FIELDS]
        if with_before and self.before is not None:
            items.append(("before", str(self.before)))
        return [(name, value) for name, value in items if value]

    def query_string(self, *, with_before: bool = False) -> str:
        items = self.query_items(with_before=with_before)
        return "?" + urlencode(items) if items else ""

    def page_after(self, last_id: int | None) -> FeedFilter:
        return replace(self, before=last_id)

    def changes(self, repo: Repository, limit: int) -> list[ChangeRecord]:
        """The page of changes these filters select, newest first."""
        return repo.list_changes(
            source_id=self.source,
            region_id=self.region,
            kinds=(self.kind.value,) if self.kind is not None else (),
            severities=self.severities,
            since=_start_of(self.since),
            until=_start_of(self.until + timedelta(days=1)) if self.until else None,
            text=self.q,
            before_id=self.before,
            limit=limit,
            with_diff=False,
        )


def parse_filter(params: Mapping[str, str]) -> FeedFilter:
    """Filters from query parameters; empty values mean "no filter"."""

    def get(name: str) -> str | None:
        value = params.get(name, "").strip()
        return value or None

    # An until before since is an empty range, not an error.
    since, until = _date(get("since"), "since"), _date(get("until"), "until")
    return FeedFilter(
        source=_identifier(get("source"), "source"),
        region=_identifier(get("region"), "region"),
        kind=_choice(FindingKind, get("kind"), "kind"),
        min_severity=_choice(Severity, get("min_severity"), "min_severity"),
        since=since,
        until=until,
        q=_search(get("q")),
        before=_positive(get("before"), "before"),
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


def _identifier(value: str | None, name: str) -> str | None:
    if value is not None and (len(value) > MAX_ID or not _NO_CONTROLS.match(value)):
        raise FilterError(f"{name}: expected an id of at most {MAX_ID} printable characters")
    return value


def _choice(kind: type[E], value: str | None, name: str) -> E | None:
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise FilterError(f"{name}: expected one of {allowed}") from None


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{name}: expected a date like 2026-05-27") from None


def _search(value: str | None) -> str | None:
    if value is not None and len(value) > MAX_TEXT:
        raise FilterError(f"q: at most {MAX_TEXT} characters")
    if value is not None and not _NO_CONTROLS.match(value):
        raise FilterError("q: no control characters")
    return value


def _positive(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or len(value) > 10 or int(value) > MAX_ROW_ID:
        raise FilterError(f"{name}: expected a change id (a positive whole number)")
    return int(value)
