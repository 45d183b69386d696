"""The classifier's vocabulary, read once from `lexicons/*.yaml` into immutable values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

LANGUAGES = ("en", "fr", "de", "pt")


@dataclass(frozen=True)
class Terms:
    """A list of phrases matched case-insensitively on whole words (`train*`: any ending,
    `only ... available`: a few words between)."""

    phrases: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    # A piece of each phrase that any match contains as is: a plain substring test rules out
    # most phrases for most sentences far faster than the expression (a page rewritten
    # wholesale has thousands of sentences, each tested against every list).
    literals: tuple[str, ...]

    @classmethod
    def of(cls, phrases: Iterable[str]) -> Terms:
        unique = tuple(dict.fromkeys(p.casefold().strip() for p in phrases if p.strip()))
        patterns = tuple(_term_pattern(p) for p in unique)
        return cls(unique, patterns, tuple(_literal(p) for p in unique))

    def found_in(self, text: str) -> frozenset[str]:
        """The phrases that occur in `text` (open-ended ones without their `*`)."""
        folded = text.casefold()
        return frozenset(
            phrase.rstrip("*")
            for phrase, literal, pattern in zip(
                self.phrases, self.literals, self.patterns, strict=True
            )
            if literal in folded and pattern.search(folded)
        )

    def spans_in(self, text: str) -> list[tuple[int, int]]:
        """Where the phrases occur in `text` (start, end), in text order."""
        folded = text.casefold()
        found = {
            match.span()
            for literal, pattern in zip(self.literals, self.patterns, strict=True)
            if literal in folded
            for match in pattern.finditer(folded)
        }
        return sorted(found)

    def any_in(self, text: str) -> bool:
        folded = text.casefold()
        return any(
            literal in folded and pattern.search(folded)
            for literal, pattern in zip(self.literals, self.patterns, strict=True)
        )


def _literal(phrase: str) -> str:
    """The longest run of the phrase without spaces, gaps or wildcards."""
    pieces = re.split(r"\s+|\.\.\.|\*", phrase)
    return max(pieces, key=len)


# "only ... available": the words around "..." with at most this many characters between them.
_GAP = r".{0,80}?"


def _term_pattern(phrase: str) -> re.Pattern[str]:
    """Whole words, `*` at the end for any ending, `...` for a short gap ("nur ... verfügbar").
    A phrase that ends (or starts) with punctuation, like "n'est disponible qu'", needs no
    word boundary on that side."""
    open_ended = phrase.endswith("*")
    core = phrase.rstrip("*")
    parts = [re.escape(part.strip()).replace(r"\ ", r"\s+") for part in core.split("...")]
    body = _GAP.join(parts)
    start = r"(?<!\w)" if re.match(r"\w", core) else ""
    closed = r"(?!\w)" if re.search(r"\w$", core) else ""
    end = r"\w*" if open_ended else closed
    return re.compile(start + body + end)


@dataclass(frozen=True)
class Lexicon:
    """Every language merged: pages mix languages (an English term in a French page) and a
    target's language is not needed to read its changes."""

    effective_date: Terms
    data_categories: Terms
    collection_context: Terms
    collection_headings: Terms
    purposes: Terms
    negations: Terms
    use_verbs: Terms
    use_headings: Terms
    opt_out: Terms
    document_links: Terms
    region_clauses: Terms
    data_transfers: Terms
    legal_bases: Mapping[str, Terms]
    legal_basis_context: Terms
    regions: Mapping[str, Terms]
    # A purpose phrase (as `found_in` gives it) → the purpose it names (its family).
    purpose_family: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def purposes_in(self, text: str) -> frozenset[str]:
        """The purposes a text states: its purpose phrases, each read as its family."""
        found = self.purposes.found_in(text)
        return frozenset(self.purpose_family.get(phrase, phrase) for phrase in found)

    def bases_in(self, text: str) -> frozenset[str]:
        """Names of the legal bases a text mentions (`consent`, `legitimate_interests`, …)."""
        return frozenset(name for name, terms in self.legal_bases.items() if terms.any_in(text))

    def region_names(self, region: str) -> Terms:
        return self.regions.get(region.casefold(), Terms.of(()))


_SIMPLE_KEYS = (
    "effective_date",
    "data_categories",
    "collection_context",
    "collection_headings",
    "purposes",
    "negations",
    "use_verbs",
    "use_headings",
    "opt_out",
    "document_links",
    "region_clauses",
    "data_transfers",
    "legal_basis_context",
)


def build_lexicon(
    languages: Iterable[Mapping[str, Any]],
    regions: Mapping[str, Any],
    purpose_families: Mapping[str, Any] | None = None,
) -> Lexicon:
    """A lexicon from parsed YAML documents (one per language), the regions document and the
    purpose families (phrases of one purpose in every language)."""
    docs = list(languages)
    simple = {key: Terms.of(p for doc in docs for p in doc.get(key, ())) for key in _SIMPLE_KEYS}
    basis_names = dict.fromkeys(name for doc in docs for name in doc.get("legal_bases", {}))
    bases = {
        name: Terms.of(p for doc in docs for p in doc.get("legal_bases", {}).get(name, ()))
        for name in basis_names
    }
    region_terms = {
        str(region).casefold(): Terms.of(_flatten(names))
        for region, names in regions["regions"].items()
    }
    families = {
        str(phrase).casefold().strip().rstrip("*"): str(family)
        for family, phrases in (purpose_families or {}).items()
        for phrase in phrases
    }
    return Lexicon(
        **simple,
        legal_bases=MappingProxyType(bases),
        regions=MappingProxyType(region_terms),
        purpose_family=MappingProxyType(families),
    )


def _flatten(items: Iterable[Any]) -> Iterable[str]:
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield str(item)


def _read(name: str) -> Any:
    text = (
        resources.files("watcher.classify").joinpath("lexicons").joinpath(name).read_text("utf-8")
    )
    return yaml.safe_load(text)


@cache
def default_lexicon() -> Lexicon:
    """The lexicons shipped with watcher (read once per process)."""
    return build_lexicon(
        (_read(f"{lang}.yaml") for lang in LANGUAGES),
        _read("regions.yaml"),
        _read("purpose_families.yaml"),
    )
