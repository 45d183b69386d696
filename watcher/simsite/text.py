"""Regions, locales and inline text templates of the simulated site (pure functions).

Meta picks the legal text by the visitor's IP and the language by `?locale=`; here a region id
(``fr``, ``uk``...) stands for the IP and maps onto one of four legal variants.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

EnglishStyle = Literal["US", "GB"]

LEGAL_VARIANTS: tuple[str, ...] = ("eu", "uk", "br", "us")
LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "pt")
DEFAULT_LOCALE = "en_US"
SUPPORTED_LOCALES: tuple[str, ...] = ("en_US", "en_GB", "fr_FR", "de_DE", "pt_BR")

# Meta's "European Region" is the EU, the EEA and Switzerland.
# fmt: off
EUROPEAN_REGION_IDS = frozenset({
    "at", "be", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "gr", "hu", "ie", "it",
    "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "sk", "si", "es", "se",
    "is", "li", "no", "ch", "eu",
})
# fmt: on
_LOCALE_BY_LANGUAGE = {"en": "en_US", "fr": "fr_FR", "de": "de_DE", "pt": "pt_BR"}


def legal_variant(region: str) -> str:
    """The legal text a visitor from `region` is served: eu, uk, br or us (everything else)."""
    region = region.strip().lower()
    if region in EUROPEAN_REGION_IDS:
        return "eu"
    if region in ("uk", "gb"):
        return "uk"
    if region == "br":
        return "br"
    return "us"


def normalize_locale(tag: str) -> str | None:
    """`fr-fr`, `fr_FR` or `fr` → `fr_FR`; `en-GB` → `en_GB`; None for unsupported languages."""
    parts = re.split(r"[-_]", tag.strip())
    language = parts[0].lower()
    if language not in _LOCALE_BY_LANGUAGE:
        return None
    if language == "en" and len(parts) > 1 and parts[1].upper() in ("GB", "UK", "IE"):
        return "en_GB"
    return _LOCALE_BY_LANGUAGE[language]


def resolve_locale(query_locale: str | None, accept_language: str | None) -> str:
    """The locale a request is served in: `?locale=` wins, then Accept-Language, then en_US.

    An unsupported `?locale=` gives English (as Meta does) rather than falling back to the header.
    """
    if query_locale:
        return normalize_locale(query_locale) or DEFAULT_LOCALE
    for tag in _accept_language_tags(accept_language or ""):
        locale = normalize_locale(tag)
        if locale is not None:
            return locale
    return DEFAULT_LOCALE


def _accept_language_tags(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        if not tag or tag == "*":
            continue
        quality = 1.0
        match = re.search(r"q=([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def language_of(locale: str) -> str:
    return locale[:2].lower()


def english_style_of(locale: str) -> EnglishStyle:
    return "GB" if locale == "en_GB" else "US"


# fmt: off
_MONTHS: Mapping[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
           "setembro", "outubro", "novembro", "dezembro"),
}
# fmt: on


def format_date(day: datetime.date, language: str, style: EnglishStyle = "US") -> str:
    """A long date as each language writes it; English has a US and a British order."""
    month = _MONTHS[language][day.month - 1]
    if language == "en":
        if style == "GB":
            return f"{day.day} {month} {day.year}"
        return f"{month} {day.day}, {day.year}"
    if language == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    if language == "de":
        return f"{day.day}. {month} {day.year}"
    return f"{day.day} de {month} de {day.year}"


# Only stems that really take -ise in British English; a generic "-ize" rule would turn
# "size" into "sise".
_BRITISH_IZE = re.compile(
    r"\b(personali|organi|recogni|customi|authori|minimi|optimi|summari|categori|priori|"
    r"special|apologi|emphasi|reali|utili|finali|standardi|centrali)z"
    r"(e|ed|es|ing|ation|ations|er|ers)\b",
    re.IGNORECASE,
)
# fmt: off
_BRITISH_WORDS = {
    "Center": "Centre", "center": "centre", "Centers": "Centres", "centers": "centres",
    "behavior": "behaviour", "behaviors": "behaviours", "Behavior": "Behaviour",
    "color": "colour", "colors": "colours", "analyze": "analyse", "analyzed": "analysed",
    "analyzes": "analyses", "analyzing": "analysing", "favorite": "favourite",
    "favorites": "favourites", "enrollment": "enrolment", "labeled": "labelled",
    "canceled": "cancelled", "fulfill": "fulfil",
}
# fmt: on
_BRITISH_WORD_PATTERN = re.compile(r"\b(" + "|".join(_BRITISH_WORDS) + r")\b")


def to_british(text: str) -> str:
    """The en-GB spelling of an en-US text (the flip Meta's English pages show between loads)."""
    text = _BRITISH_IZE.sub(lambda m: f"{m.group(1)}s{m.group(2)}", text)
    return _BRITISH_WORD_PATTERN.sub(lambda m: _BRITISH_WORDS[m.group(1)], text)


@dataclass(frozen=True)
class Link:
    """An inline link. `href` is symbolic: `/path`, `https://...` or `#annotation-N`."""

    text: str
    href: str


Part = str | Link

_INLINE = re.compile(
    r"\[(?P<link_text>[^\]]+)\]\((?P<href>[^)\s]+)\)"
    r"|\{date:(?P<date>\d{4}-\d{2}-\d{2})\}"
    r"|\{(?P<var>[a-z_]+)\}"
)


def template_names(template: str) -> set[str]:
    """Variable names a template uses, for validating content files at load time."""
    return {m.group("var") for m in _INLINE.finditer(template) if m.group("var")}


def expand_text(
    template: str, *, language: str, style: EnglishStyle, variables: Mapping[str, str]
) -> tuple[Part, ...]:
    """Expand `[text](href)`, `{date:YYYY-MM-DD}` and `{var}` into text and links."""

    def finish(text: str) -> str:
        text = _expand_plain(text, language=language, style=style, variables=variables)
        return to_british(text) if language == "en" and style == "GB" else text

    parts: list[Part] = []
    pending = ""
    position = 0
    for match in _INLINE.finditer(template):
        pending += template[position : match.start()]
        position = match.end()
        if match.group("link_text") is not None:
            if pending:
                parts.append(finish(pending))
                pending = ""
            parts.append(Link(finish(match.group("link_text")), match.group("href")))
        else:
            pending += match.group(0)
    pending += template[position:]
    if pending:
        parts.append(finish(pending))
    return tuple(parts)


def _expand_plain(
    text: str, *, language: str, style: EnglishStyle, variables: Mapping[str, str]
) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group("date"):
            day = datetime.date.fromisoformat(match.group("date"))
            return format_date(day, language, style)
        if match.group("var"):
            return variables[match.group("var")]
        return match.group(0)

    return _INLINE.sub(substitute, text)


def plain_text(parts: tuple[Part, ...]) -> str:
    return "".join(part.text if isinstance(part, Link) else part for part in parts)
