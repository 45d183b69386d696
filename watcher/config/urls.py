"""URL templates (`...?locale={locale_underscore}`) and the checks on the URLs they expand to."""

from __future__ import annotations

import re
from collections.abc import Mapping
from string import Formatter
from urllib.parse import urlsplit

PLACEHOLDERS: tuple[str, ...] = ("locale", "locale_underscore", "lang", "region")

# Used to check a template on its own, before any region is known: every real value has the
# same shape (letters, digits, '-', '_'), so a template that expands well here expands well for
# every valid region.
SAMPLE_VALUES: Mapping[str, str] = {
    "locale": "fr-FR",
    "locale_underscore": "fr_FR",
    "lang": "fr",
    "region": "fr",
}


def placeholder_values(region_id: str, locale: str) -> dict[str, str]:
    """What each placeholder becomes for one region: fr-FR → fr-FR, fr_FR, fr, and the region id."""
    return {
        "locale": locale,
        "locale_underscore": locale.replace("-", "_"),
        "lang": locale.split("-", 1)[0],
        "region": region_id,
    }


def expand_url(template: str, values: Mapping[str, str]) -> str:
    """Fills the placeholders of `template`; raises ValueError for any other `{...}`.

    Pieces are joined by hand instead of `str.format` so that nothing but a plain placeholder
    name (no attribute access, index, conversion or format spec) can ever be evaluated.
    """
    try:
        pieces = list(Formatter().parse(template))
    except ValueError as error:
        literal = "write '{{' or '}}' for a literal brace"
        raise ValueError(f"bad '{{' or '}}' in URL template ({error}); {literal}") from None
    expanded: list[str] = []
    for literal, name, spec, conversion in pieces:
        expanded.append(literal)
        if name is None:
            continue
        if name not in values or spec or conversion:
            suffix = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            shown = "{" + name + suffix + "}"
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise ValueError(f"unknown placeholder {shown} in URL (known: {known})")
        expanded.append(values[name])
    return "".join(expanded)


def check_url(url: str, *, shown: str | None = None) -> str:
    """Raises ValueError unless `url` is an absolute http(s) URL with a host.

    `shown` is what the message quotes (the template a person wrote rather than its expansion).
    """
    quoted = repr(url if shown is None else shown)
    if not url.strip():
        raise ValueError("expected an absolute http(s) URL, got an empty string")
    if any(character.isspace() for character in url):
        raise ValueError(f"URL must not contain spaces: {quoted}")
    try:
        parts = urlsplit(url)
        # Reading .port validates it (a non-numeric or out-of-range port raises ValueError).
        _ = parts.port
    except ValueError as error:
        raise ValueError(f"not a valid URL ({error}): {quoted}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"expected an absolute http(s) URL, got {quoted}")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {quoted}")
    return url


def check_url_template(template: str) -> str:
    """Validates a template on its own, with sample values for every placeholder."""
    check_url(expand_url(template, SAMPLE_VALUES), shown=template)
    return template


# Everything between '://' and the LAST '@' of the token is hidden: user names of proxies are
# often tokens themselves, passwords may contain '@' or '/', and the scheme may be mistyped
# ("socks 5://"). Over-redacting an odd URL is the safe mistake.
_USERINFO = re.compile(r"://[^\s'\"]*@")


def redact_credentials(text: str) -> str:
    """`socks5://me:secret@host` → `socks5://***@host`, anywhere in `text`."""
    return _USERINFO.sub("://***@", text)


def mask_userinfo(value: str) -> str:
    """A value quoted in an error, with anything that may be credentials hidden.

    Stricter than `redact_credentials`: a value with an '@' keeps only what follows the last
    one, whatever precedes it (a mangled scheme must not make a password printable).
    """
    if "@" not in value:
        return value
    scheme, separator, _ = value.partition("://")
    head = f"{scheme}://" if separator and "@" not in scheme else ""
    return f"{head}***@{value.rsplit('@', 1)[1]}"
