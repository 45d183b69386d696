"""Addresses carried inside other addresses, read out as plain addresses.

Meta nests links in three ways, in any combination and at any depth: a click-tracking wrapper
(`l.php?u=<address>`), an address percent-encoded inside a path segment (the printable policy's
`/privacy/policy/printable/<address>`) and an address in an ordinary parameter (`src=`,
`next_url=`). Each level may be encoded once or several times, and per-load decoration may be
appended at any level. This module only finds and decodes; `urls` decides what to keep.

Everything here is bounded: an address is decoded at most `MAX_DECODES` times and never when
it is longer than `MAX_LINK_LENGTH`, so a hostile link costs time linear in its length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, unquote_plus, urljoin

from watcher.normalize.rules import RedirectWrapper, UrlRules

# Meta's longest real links, three levels deep with their signatures, are a few thousand
# characters; a longer one is no address a reader follows, and would cost time to unpick.
MAX_LINK_LENGTH = 32_768
MAX_DECODES = 4

_PLAIN_ADDRESS = re.compile(r"https?://", re.IGNORECASE)
# `https%3A`, `https%253A`, …: an address encoded once or more.
_ENCODED_ADDRESS = re.compile(r"https?%(?:25)*3A", re.IGNORECASE)
# A path segment that starts an encoded address and runs to the end of the path.
_ADDRESS_IN_PATH = re.compile(r"/(https?%(?:25)*3A%(?:25)*2F%(?:25)*2F.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class QueryPair:
    """One `name=value` of a query, as written and as read."""

    raw: str  # as written, still encoded at its own level
    raw_value: str
    name: str  # decoded once, as a query is read
    value: str  # decoded once

    @property
    def bare_name(self) -> str:
        """The name decoded as often as it was encoded (`__cft__%255B0%255D` → `__cft__[0]`)."""
        return fully_decoded(self.name)


def query_pairs(query: str) -> list[QueryPair]:
    """The pairs of a query in order, blank values kept (what `parse_qsl` reads, plus the raw
    text, which an unencoded nested address needs)."""
    pairs: list[QueryPair] = []
    for raw in query.split("&"):
        if raw:
            raw_name, _, raw_value = raw.partition("=")
            pairs.append(QueryPair(raw, raw_value, unquote_plus(raw_name), unquote_plus(raw_value)))
    return pairs


def fully_decoded(text: str) -> str:
    for _ in range(MAX_DECODES):
        if "%" not in text:
            break
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def embedded_address(text: str) -> str | None:
    """The http(s) address `text` holds, plain or percent-encoded up to `MAX_DECODES` times;
    None for anything else (only text that starts like an encoded address is decoded)."""
    if len(text) > MAX_LINK_LENGTH:
        return None
    for _ in range(MAX_DECODES + 1):
        if _PLAIN_ADDRESS.match(text):
            return text
        if not _ENCODED_ADDRESS.match(text):
            return None
        text = unquote(text)
    return None


def with_parameters(address: str, raw_pairs: Sequence[str], fragment: str) -> str:
    """`address` with the outer level's pairs appended to its own query, and the outer
    fragment when it has none of its own."""
    base, hash_mark, own_fragment = address.partition("#")
    if raw_pairs:
        base += ("&" if "?" in base else "?") + "&".join(raw_pairs)
    if hash_mark:
        return f"{base}#{own_fragment}"
    return f"{base}#{fragment}" if fragment else base


def address_in_path(path: str, query: str, fragment: str) -> str | None:
    """The address a path carries encoded after its own prefix, with the outer query (the
    decoration appended to the wrapping link) and fragment moved onto it."""
    if len(path) > MAX_LINK_LENGTH:
        return None
    found = _ADDRESS_IN_PATH.search(path)
    address = embedded_address(unquote(found.group(1))) if found else None
    if address is None:
        return None
    return with_parameters(address, [p.raw for p in query_pairs(query)], fragment)


def wrapper_at(parts: SplitResult, rules: UrlRules) -> RedirectWrapper | None:
    """The click-tracking wrapper an address is, if it is one."""
    host = (parts.hostname or "").lower()
    for wrapper in rules.redirect_wrappers:
        if (host in wrapper.hosts or "*" in wrapper.hosts) and parts.path == wrapper.path:
            return wrapper
    return None


def wrapper_target(
    url: str, parts: SplitResult, pairs: Sequence[QueryPair], wrapper: RedirectWrapper
) -> str | None:
    """The address a click-tracking wrapper leads to, or None when it holds none."""
    for index, pair in enumerate(pairs):
        if pair.bare_name == wrapper.parameter and pair.value:
            target = _target(url, wrapper, pair, pairs[index + 1 :], parts.fragment)
            if target is not None:
                return target
    return None


def _target(
    url: str,
    wrapper: RedirectWrapper,
    pair: QueryPair,
    after: Sequence[QueryPair],
    fragment: str,
) -> str | None:
    if _PLAIN_ADDRESS.match(pair.raw_value) and "?" in pair.raw_value:
        # Written unencoded: its own `&`s were read as the wrapper's, so what follows it,
        # but for the wrapper's signature, is the target's query.
        moved = [
            p.raw
            for p in after
            if p.bare_name != wrapper.parameter and p.bare_name not in wrapper.own_parameters
        ]
        if len(pair.raw_value) <= MAX_LINK_LENGTH:
            return with_parameters(pair.raw_value, moved, fragment)
        return None
    address = embedded_address(pair.value)
    if address is None and pair.value.startswith("/"):
        address = urljoin(url, pair.value)  # a target on the wrapper's own site
    return with_parameters(address, (), fragment) if address is not None else None
