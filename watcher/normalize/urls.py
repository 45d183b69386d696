"""Link targets made stable: absolute, unwrapped from click trackers, without per-load parameters.

Two fetches of the same page must give the same target for the same link; a link that really
points elsewhere must still differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import (
    SplitResult,
    parse_qsl,
    quote,
    unquote,
    urlencode,
    urljoin,
    urlsplit,
    urlunsplit,
)

from watcher.normalize.rules import UrlRules

_KEPT_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are when quoting a path or fragment (`%` keeps existing escapes).
_SAFE_IN_PATH = "/%:@!$&'()*+,;=~"
_MAX_UNWRAP = 3
# A path that carries a whole percent-encoded address after its own prefix
# (`/privacy/policy/printable/https%3A%2F%2Fhelp.instagram.com%2F…`): the page wraps the link.
_ADDRESS_IN_PATH = re.compile(r"/(https?%3A%2F%2F.+)$", re.IGNORECASE)
_ADDRESS = re.compile(r"https?://", re.IGNORECASE)


@dataclass(frozen=True)
class LinkContext:
    """The page links are resolved against, with its own stable address."""

    base_url: str
    rules: UrlRules
    page: tuple[str, str, str] | None  # scheme, host, path of the page itself

    @classmethod
    def of(cls, base_url: str, rules: UrlRules) -> LinkContext:
        cleaned = _clean_absolute(base_url, rules, depth=_MAX_UNWRAP)
        page = urlsplit(cleaned)[:3] if cleaned else None
        return cls(base_url, rules, page)


def clean_href(href: str, context: LinkContext) -> str | None:
    """The stable absolute target of a link, or None when it leads nowhere a reader could go
    (`javascript:`, `data:`, an empty href)."""
    href = href.strip()
    if not href:
        return None
    cleaned = _clean_absolute(urljoin(context.base_url, href), context.rules, depth=0)
    if cleaned is None:
        return None
    target = urlsplit(cleaned)
    # `#annotation-10` and the page's own full URL with that fragment are the same link.
    if target.fragment and target[:3] == context.page:
        return "#" + target.fragment
    return cleaned


def _clean_absolute(
    url: str, rules: UrlRules, depth: int, *, unwrapped: bool = False
) -> str | None:
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
    if unwrapped and scheme in rules.upgraded_schemes:
        scheme = "https"  # an address taken out of a wrapper, where Meta flips the scheme
    host = (parts.hostname or "").lower()
    parameters = parse_qsl(parts.query, keep_blank_values=True)
    inner = _unwrap(host, parts.path, parameters, rules) or _address_in_path(parts)
    if inner is not None and depth < _MAX_UNWRAP:
        return _clean_absolute(inner, rules, depth + 1, unwrapped=True)
    on_cdn = any(host == h or host.endswith("." + h) for h in rules.cdn_hosts)
    kept = sorted(
        (name, _clean_nested(value, rules, depth))
        for name, value in parameters
        if not _is_tracking(name, rules) and not (on_cdn and name in rules.cdn_parameters)
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


def _unwrap(host: str, path: str, parameters: list[tuple[str, str]], rules: UrlRules) -> str | None:
    for wrapper in rules.redirect_wrappers:
        if (host in wrapper.hosts or "*" in wrapper.hosts) and path == wrapper.path:
            target = next((v for k, v in parameters if k == wrapper.parameter), None)
            if target:
                return target
    return None


def _address_in_path(parts: SplitResult) -> str | None:
    """The address a path carries percent-encoded after its own prefix, with the query."""
    found = _ADDRESS_IN_PATH.search(parts.path)
    if found is None:
        return None
    return unquote(found.group(1)) + (f"?{parts.query}" if parts.query else "")


def _clean_nested(value: str, rules: UrlRules, depth: int) -> str:
    """A parameter whose value is itself an address (`src=`, `redirect_uri=`): that address
    cleaned too, so its own per-load parameters do not make the outer link differ."""
    if depth >= _MAX_UNWRAP or not _ADDRESS.match(value):
        return value
    return _clean_absolute(value, rules, depth + 1, unwrapped=True) or value


def _is_tracking(name: str, rules: UrlRules) -> bool:
    return name in rules.tracking_exact or name.startswith(rules.tracking_prefixes)


def _stable_fragment(fragment: str, rules: UrlRules) -> str:
    for name in rules.positional_fragments:
        if re.fullmatch(rf"{re.escape(name)}[-_]?\d+", fragment):
            return name
    return quote(fragment, safe=_SAFE_IN_PATH + "#?")
