"""Link targets made stable: absolute, unwrapped from click trackers, without per-load parameters.

Two fetches of the same page must give the same target for the same link; a link that really
points elsewhere must still differ.

Cleaning is one rule applied at every level of a link until nothing changes: unwrap the level
when it only carries another address (a click-tracking wrapper, an address encoded in its path),
otherwise drop its tracking parameters and clean every address its parameters carry. Meta adds
its per-load decoration (`__cft__[0]`, `__tn__`, …) at any level — to the outer link, to the inner
one before or after encoding — so only a rule that reaches every level gives one answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urljoin, urlsplit, urlunsplit

from watcher.normalize.rules import UrlRules
from watcher.normalize.url_nesting import (
    MAX_LINK_LENGTH,
    QueryPair,
    address_in_path,
    embedded_address,
    query_pairs,
    wrapper_at,
    wrapper_target,
)

_KEPT_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are when quoting a path or fragment (`%` keeps existing escapes).
_SAFE_IN_PATH = "/%:@!$&'()*+,;=~"
# Levels of nesting followed in one pass; the printable policy's deepest real links have three
# (click logger → printable wrapper → l.php → target). Deeper ones continue in the next pass.
_MAX_DEPTH = 8
# Passes over the whole link until it no longer changes: a bound, so that a hostile link
# nested hundreds of levels deep costs at most this many passes.
_MAX_PASSES = 4


@dataclass(frozen=True)
class LinkContext:
    """The page links are resolved against, with its own stable address."""

    base_url: str
    rules: UrlRules
    page: tuple[str, str, str] | None  # scheme, host, path of the page itself

    @classmethod
    def of(cls, base_url: str, rules: UrlRules) -> LinkContext:
        cleaned = clean_url(base_url, rules, follow_wrappers=False)
        page = urlsplit(cleaned)[:3] if cleaned else None
        return cls(base_url, rules, page)


def clean_href(href: str, context: LinkContext) -> str | None:
    """The stable absolute target of a link, or None when it leads nowhere a reader could go
    (`javascript:`, `data:`, an empty href)."""
    href = href.strip()
    if not href:
        return None
    cleaned = clean_url(urljoin(context.base_url, href), context.rules)
    if cleaned is None:
        return None
    target = urlsplit(cleaned)
    # `#annotation-10` and the page's own full URL with that fragment are the same link.
    if target.fragment and target[:3] == context.page:
        return "#" + target.fragment
    return cleaned


# An address written out in the visible text (a page or an archive showing a link as text).
# Only one with a query or an escape can carry per-load decoration; plain ones stay as written.
_ADDRESS_IN_TEXT = re.compile(r"https?://[^\s<>\"'()]+")


def clean_addresses_in_text(text: str, rules: UrlRules) -> str:
    """Addresses written out in visible text, cleaned as link targets are: a click wrapper's
    per-load `h=` signature or tracking parameters would otherwise change the text itself."""
    if "://" not in text:
        return text

    def cleaned(match: re.Match[str]) -> str:
        address = match.group(0)
        if "?" not in address and "%" not in address:
            return address
        return clean_url(address, rules) or address

    return _ADDRESS_IN_TEXT.sub(cleaned, text)


def clean_url(url: str, rules: UrlRules, *, follow_wrappers: bool = True) -> str | None:
    """The stable form of an absolute address: the fixed point of cleaning it level by level
    (None for a scheme a reader cannot follow, or an address too long to be a real one).
    `follow_wrappers=False` cleans the address as it is, without reading out what it carries
    (a page's own address)."""
    if len(url) > MAX_LINK_LENGTH:
        return None
    depth = 0 if follow_wrappers else _MAX_DEPTH
    current = url
    for _ in range(_MAX_PASSES):
        cleaned = _clean_level(current, rules, depth, taken_out=False)
        if cleaned is None or len(cleaned) > MAX_LINK_LENGTH:
            return None  # re-encoding what a hostile link nests can make it grow
        if cleaned == current:
            return cleaned
        current = cleaned
    return current


def _clean_level(url: str, rules: UrlRules, depth: int, *, taken_out: bool) -> str | None:
    """One level of a link: unwrapped when it only carries another address, else cleaned."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # an unparsable port or host: keep the text, not the link
        return None
    scheme = parts.scheme.lower()
    if scheme not in _KEPT_SCHEMES:
        return None
    if scheme in ("mailto", "tel"):
        return f"{scheme}:{parts.path}" + (f"?{parts.query}" if parts.query else "")
    if taken_out and scheme in rules.upgraded_schemes:
        scheme = "https"  # an address taken out of a wrapper, where Meta flips the scheme
    host = (parts.hostname or "").lower()
    pairs = query_pairs(parts.query)
    wrapper = wrapper_at(parts, rules)
    if depth < _MAX_DEPTH:
        inner = wrapper_target(url, parts, pairs, wrapper) if wrapper else None
        if inner is None:
            inner = address_in_path(parts.path, parts.query, parts.fragment)
        if inner is not None:
            return _clean_level(inner, rules, depth + 1, taken_out=True)
    on_cdn = any(host == h or host.endswith("." + h) for h in rules.cdn_hosts)
    signature = wrapper.own_parameters if wrapper else frozenset()
    kept = sorted(
        (pair.name, _clean_value(pair, rules, depth))
        for pair in pairs
        if pair.bare_name not in signature
        and not _is_decoration(pair.bare_name, rules, on_cdn=on_cdn)
    )
    # Credentials in a link are dropped: they are never part of where a policy link points.
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    return urlunsplit(
        (
            scheme,
            netloc,
            quote(parts.path or "/", safe=_SAFE_IN_PATH),
            urlencode(kept, quote_via=quote, safe="/:@!$'()*,;~"),
            _stable_fragment(parts.fragment, rules),
        )
    )


def _clean_value(pair: QueryPair, rules: UrlRules, depth: int) -> str:
    """A parameter whose value is itself an address (`src=`, `redirect_uri=`, encoded once or
    more): that address cleaned too, so its own per-load parameters do not make the outer
    link differ."""
    address = embedded_address(pair.value) if depth < _MAX_DEPTH else None
    if address is None:
        return pair.value
    return _clean_level(address, rules, depth + 1, taken_out=True) or pair.value


def _is_decoration(name: str, rules: UrlRules, *, on_cdn: bool) -> bool:
    if name in rules.tracking_exact or name.startswith(rules.tracking_prefixes):
        return True
    return on_cdn and name in rules.cdn_parameters


def _stable_fragment(fragment: str, rules: UrlRules) -> str:
    for name in rules.positional_fragments:
        if re.fullmatch(rf"{re.escape(name)}[-_]?\d+", fragment):
            return name
    return quote(fragment, safe=_SAFE_IN_PATH + "#?")
