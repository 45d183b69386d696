"""The normalization rules, read once from the data files next to this module.

The rules are plain immutable values: `default_rules()` reads them (cached, so the files are read
once per process) and every function that needs them takes them as an argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

_ISE_ENDINGS = ("ise", "ised", "ises", "ising", "isation", "isations", "iser", "isers")


@dataclass(frozen=True)
class RedirectWrapper:
    """A click-tracking URL whose real target sits in one query parameter."""

    hosts: frozenset[str]
    path: str
    parameter: str
    # The wrapper's own parameters (its per-load signature): when the target is written
    # unencoded, every other parameter after it belongs to the target, not to the wrapper.
    own_parameters: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DatePattern:
    """Written dates of one language: a regex with day/month/year groups and month numbers."""

    pattern: re.Pattern[str]
    months: MappingProxyType[str, int]


@dataclass(frozen=True)
class UrlRules:
    tracking_exact: frozenset[str]
    tracking_prefixes: tuple[str, ...]
    cdn_hosts: tuple[str, ...]
    cdn_parameters: frozenset[str]
    redirect_wrappers: tuple[RedirectWrapper, ...]
    positional_fragments: tuple[str, ...]
    # Schemes read as https in an address taken out of a redirect wrapper.
    upgraded_schemes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TextRules:
    relative_time_markers: tuple[str, ...]
    relative_times: re.Pattern[str]
    dates: tuple[DatePattern, ...]
    spelling: MappingProxyType[str, str]


@dataclass(frozen=True)
class ChromeRules:
    selectors: tuple[str, ...]
    section_headings: frozenset[str]
    consent_buttons: frozenset[str] = frozenset()
    consent_topic: str = "cookie"


@dataclass(frozen=True)
class NormalizeRules:
    urls: UrlRules
    text: TextRules
    chrome: ChromeRules


def _load(name: str) -> Any:
    data = resources.files("watcher.normalize").joinpath("data").joinpath(name).read_text("utf-8")
    return yaml.safe_load(data)


@cache
def default_rules() -> NormalizeRules:
    """The rules shipped with watcher (read from `watcher/normalize/data/*.yaml`)."""
    return NormalizeRules(
        urls=url_rules(_load("urls.yaml")),
        text=text_rules(_load("relative_times.yaml"), _load("dates.yaml"), _load("spelling.yaml")),
        chrome=chrome_rules(_load("chrome.yaml")),
    )


def url_rules(raw: dict[str, Any]) -> UrlRules:
    tracking = raw["tracking_parameters"]
    return UrlRules(
        tracking_exact=frozenset(tracking["exact"]),
        tracking_prefixes=tuple(tracking["prefixes"]),
        cdn_hosts=tuple(h.lower() for h in raw["cdn_hosts"]),
        cdn_parameters=frozenset(raw["cdn_parameters"]),
        redirect_wrappers=tuple(
            RedirectWrapper(
                hosts=frozenset(h.lower() for h in wrapper["hosts"]),
                path=wrapper["path"],
                parameter=wrapper["parameter"],
                own_parameters=frozenset(wrapper.get("own_parameters", ())),
            )
            for wrapper in raw["redirect_wrappers"]
        ),
        positional_fragments=tuple(raw["positional_fragments"]),
        upgraded_schemes=frozenset(raw.get("upgraded_schemes", ())),
    )


def text_rules(
    relative_times: dict[str, dict[str, list[str]]],
    dates: dict[str, dict[str, Any]],
    spelling: dict[str, Any],
) -> TextRules:
    every_relative_time = [p for language in relative_times.values() for p in language["patterns"]]
    markers = tuple(
        m.casefold() for language in relative_times.values() for m in language["markers"]
    )
    british = _british_to_american(spelling)
    return TextRules(
        relative_time_markers=markers,
        # With the space before it, so that "Updated 3 hours ago." becomes "Updated.".
        relative_times=_whole_words("|".join(f"(?:{p})" for p in every_relative_time), " ?"),
        dates=tuple(_date_patterns(dates)),
        spelling=MappingProxyType(british),
    )


def _british_to_american(spelling: dict[str, Any]) -> dict[str, str]:
    british: dict[str, str] = {k.lower(): v.lower() for k, v in spelling["words"].items()}
    for stem in spelling["ise_stems"]:
        for ending in _ISE_ENDINGS:
            british[stem + ending] = stem + ending.replace("is", "iz", 1)
    return british


def _date_patterns(dates: dict[str, dict[str, Any]]) -> list[DatePattern]:
    patterns: list[DatePattern] = []
    for language in dates.values():
        months = {name.lower(): int(number) for name, number in language["months"].items()}
        names = "|".join(re.escape(m) for m in sorted(months, key=lambda m: (-len(m), m)))
        for template in language["patterns"]:
            regex = _whole_words(template.replace("{month}", names))
            patterns.append(DatePattern(regex, MappingProxyType(months)))
    return patterns


def _whole_words(alternatives: str, before: str = "") -> re.Pattern[str]:
    return re.compile(rf"{before}(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def chrome_rules(raw: dict[str, Any]) -> ChromeRules:
    return ChromeRules(
        selectors=tuple(raw["selectors"]),
        section_headings=frozenset(h.casefold() for h in raw["section_headings"]),
        consent_buttons=frozenset(b.casefold() for b in raw.get("consent_buttons", ())),
        consent_topic=str(raw.get("consent_topic", "cookie")).casefold(),
    )
