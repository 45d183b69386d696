"""The URLs of an Apprise configuration (its YAML or its text form), given as text.

The caller reads the file (this package touches no file system); Apprise parses the text
while every record it logs is held back (`apprise_log.silenced`): Apprise would otherwise log
the whole text at DEBUG and quote the lines it rejects. Failures are explained here in our
own words, with the line or entry number Apprise names, never with the file's content.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import apprise
import yaml

from notifiers.apprise_log import LogLine, silenced

# Where Apprise locates what it skipped, at DEBUG: "Unparseable URL ... on line 2." (text form),
# "Unparseable URL ..., entry #2" or "Could not load ... entry #1, item #1" (YAML form).
_SKIPPED = re.compile(
    r"\b(?:unparseable|invalid|could not|unsupported|not permitted|can ?not)\b.*?"
    r"(?:\bon line (?P<line>\d+)\b|\bentry #(?P<entry>\d+)\b)",
    re.IGNORECASE,
)
_UNDETECTABLE = re.compile(r"\bUndetectable\b.*\bline (\d+)\b")
_YAML_MARK = re.compile(r"\bline (\d+), column \d+")
_INCLUDE = re.compile(r"^\s*include(?:\s+|\s*:)", re.IGNORECASE)
_TRY_ALONE = "try its URL alone with `watcher notify test -`"

EXPECTED = (
    "(expected Apprise's YAML form, a mapping with 'urls:', "
    "or its text form, one '[TAGS=]URL' per line)"
)
NOT_APPRISE = f"is not an Apprise configuration {EXPECTED}"


class AppriseConfigTextError(ValueError):
    """Why the text cannot be used, safe to show; `line` is the line of the text at fault."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def urls_from_config_text(text: str, tags: Sequence[str] = ()) -> list[str]:
    """The URLs of the entries with any of `tags` (every entry when `tags` is empty).

    Raises AppriseConfigTextError when the text is not an Apprise configuration, when Apprise
    rejects any of its entries (a strict configuration has no silently ignored entry), or when
    the tags select nothing.
    """
    include = _include_line(text)
    if include is not None:
        raise AppriseConfigTextError(
            "'include' is not followed: list the URLs in this file itself", include
        )
    with silenced() as held:
        config = apprise.AppriseConfig()
        detected = config.add_config(text)
        notifier = apprise.Apprise()
        if detected:
            notifier.add(config)
        everything = list(notifier.find())
        selected = list(notifier.find(tag=list(tags))) if tags else everything
        urls = [str(server.url(privacy=False)) for server in selected]  # type: ignore[no-untyped-call]
    if not detected:
        raise AppriseConfigTextError(NOT_APPRISE, _first_line(held, _UNDETECTABLE))
    problem = _document_problem(held) or _skipped_entry(held, text)
    if problem is not None:
        raise problem
    if not everything:
        raise AppriseConfigTextError(f"holds no notification URL {EXPECTED}")
    if not urls:
        raise AppriseConfigTextError(f"has no entry with the tags {', '.join(tags)}")
    return urls


def _include_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if _INCLUDE.match(line):
            return number
    return None


def _first_line(held: list[LogLine], pattern: re.Pattern[str]) -> int | None:
    for record in held:
        found = pattern.search(record.message)
        if found:
            return int(found.group(1))
    return None


def _document_problem(held: list[LogLine]) -> AppriseConfigTextError | None:
    """A problem with the text as a whole: not YAML, not Apprise's YAML, a wrong version."""
    errors = [record.message for record in held if record.level >= logging.ERROR]
    if any("YAML data" in message for message in errors):
        return AppriseConfigTextError("is not valid YAML", _first_line(held, _YAML_MARK))
    if any("YAML based configuration" in message for message in errors):
        return AppriseConfigTextError(NOT_APPRISE)
    if any("YAML version" in message for message in errors):
        return AppriseConfigTextError("has a 'version:' other than 1")
    return None


def _skipped_entry(held: list[LogLine], text: str) -> AppriseConfigTextError | None:
    """The first entry Apprise skipped, located, in words that quote nothing of it.

    Apprise goes on with the other entries; a strict configuration does not: an entry that
    silently sends nowhere is worse than an error at start-up.
    """
    for record in held:
        found = _SKIPPED.search(record.message)
        if found is None:
            continue
        if found.group("line"):
            line = int(found.group("line"))
            return AppriseConfigTextError(f"Apprise cannot use this entry; {_TRY_ALONE}", line)
        entry = int(found.group("entry"))
        return AppriseConfigTextError(
            f"Apprise cannot use entry #{entry} of 'urls:' (its URL or its options); {_TRY_ALONE}",
            _yaml_entry_line(text, entry),
        )
    return None


def _yaml_entry_line(text: str, entry: int) -> int | None:
    """The line of the `entry`-th item (from 1) of the top-level `urls:` list, if there is one."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        is_urls = isinstance(key, yaml.ScalarNode) and key.value == "urls"
        if is_urls and isinstance(value, yaml.SequenceNode) and 0 < entry <= len(value.value):
            return int(value.value[entry - 1].start_mark.line) + 1
    return None
