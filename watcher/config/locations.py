"""Where things are in sources.yaml: key paths, their line numbers, and problems found there."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from watcher.config.urls import redact_credentials
from watcher.errors import ConfigError

# A path into the parsed document: mapping keys and list indexes, e.g. ("sources", 3, "url").
Loc = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class NodeSpot:
    """Where one value sits in the file (1-based lines)."""

    line: int
    # The line of the key a mapping value hangs from; errors about the key itself point here.
    key_line: int | None = None
    # The source text of an unquoted scalar, kept to explain YAML 1.1 surprises such as `no`
    # (Norway's region id) being read as the boolean false.
    plain_text: str | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the configuration, before its line is looked up."""

    loc: Loc
    message: str
    # Known up front for problems found while reading YAML (syntax errors, duplicate keys).
    line: int | None = None
    # True when the problem is about the key itself (unknown key, bad region id), not its value.
    about_key: bool = False
    # True when the value at `loc` could not be read at all: later problems at or under `loc`
    # (e.g. "expected a string, got null") would only repeat it and are dropped.
    masks: bool = False


def format_path(loc: Loc) -> str:
    """("sources", 3, "regions", 1) → `sources[3].regions[1]`; odd keys are quoted."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if _PLAIN_KEY.match(part) else repr(part)
            text += f".{name}" if text else name
    return text


class Locations:
    """Looks up the line of a path, falling back to its nearest ancestor that exists in the file
    (a missing key is reported at the mapping that lacks it)."""

    def __init__(self, spots: Mapping[Loc, NodeSpot]) -> None:
        self._spots = dict(spots)

    def spot(self, loc: Loc) -> NodeSpot | None:
        return self._spots.get(loc)

    def nearest(self, loc: Loc) -> NodeSpot | None:
        for end in range(len(loc), -1, -1):
            found = self._spots.get(loc[:end])
            if found is not None:
                return found
        return None

    def line_of(self, loc: Loc, *, about_key: bool = False) -> int | None:
        exact = self._spots.get(loc)
        if exact is not None:
            if about_key and exact.key_line is not None:
                return exact.key_line
            return exact.line
        # A missing key is reported where its mapping is named (`uk:`), which is where a
        # person looks, rather than at the mapping's first entry.
        nearest = self.nearest(loc)
        if nearest is None:
            return None
        return nearest.key_line if nearest.key_line is not None else nearest.line


class InvalidConfigError(ConfigError):
    """The first problem of a configuration, carrying the others in `more` (in file order).

    `str()` is the first problem alone, so callers that print one line stay correct; the CLI
    prints `more` after it.
    """

    def __init__(self, first: ConfigError, more: Sequence[ConfigError]) -> None:
        super().__init__(first.file, first.line, first.path, first.message)
        self.more: tuple[ConfigError, ...] = tuple(more)

    @property
    def all(self) -> tuple[ConfigError, ...]:
        return (ConfigError(self.file, self.line, self.path, self.message), *self.more)


def _is_within(loc: Loc, ancestor: Loc) -> bool:
    return loc[: len(ancestor)] == ancestor


def to_config_error(
    file: str, problems: Iterable[Problem], locations: Locations
) -> InvalidConfigError:
    """Resolves lines, keeps one problem per spot and orders them as they appear in the file.

    A value that could not be read hides later problems at or under its path, which would
    otherwise also report it as "wrong type".
    """
    kept: list[Problem] = []
    for problem in problems:
        if any(earlier.masks and _is_within(problem.loc, earlier.loc) for earlier in kept):
            continue
        if any(
            earlier.loc == problem.loc and earlier.message == problem.message for earlier in kept
        ):
            continue
        kept.append(problem)
    if not kept:
        raise ValueError("to_config_error needs at least one problem")
    errors = [
        ConfigError(
            file,
            problem.line
            if problem.line is not None
            else locations.line_of(problem.loc, about_key=problem.about_key),
            format_path(problem.loc),
            redact_credentials(problem.message),
        )
        for problem in kept
    ]
    # Stable sort: problems on the same line keep the order they were found in.
    errors.sort(key=lambda error: error.line if error.line is not None else 0)
    return InvalidConfigError(errors[0], errors[1:])
