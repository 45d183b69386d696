"""Which legal variant of Meta's text a page reads as (EU/UK, US and the rest, Brazil), from
several marks: the companies named as controller, the legal-basis sections, the objection
paragraph, the regulator (marks in `lexicons/variants.yaml`). Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from watcher.classify.lexicon import Terms

_CONTROLLER_WEIGHT = 2


@dataclass(frozen=True)
class VariantMarks:
    """Controller names and other marks, each with the variants it stands for."""

    controllers: tuple[tuple[Terms, frozenset[str]], ...]
    marks: tuple[tuple[Terms, frozenset[str]], ...]
    min_score: int
    margin: int

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> VariantMarks:
        controllers = tuple(
            (Terms.of([name]), frozenset(variants)) for name, variants in raw["controllers"].items()
        )
        marks = tuple(
            (Terms.of([phrase]), frozenset(group["variants"]))
            for group in raw["marks"].values()
            for phrase in group["phrases"]
        )
        return cls(controllers, marks, int(raw["min_score"]), int(raw["margin"]))


@dataclass(frozen=True)
class VariantReading:
    """How strongly a text reads as each variant, and the marks found."""

    scores: Mapping[str, int]
    found: tuple[str, ...]
    min_score: int
    margin: int
    # The variants a controller named in the text stands for.
    named: frozenset[str] = frozenset()

    @property
    def declared(self) -> frozenset[str]:
        """The variants the text reads as: the best score, when it is high enough."""
        best = max(self.scores.values(), default=0)
        if best < self.min_score:
            return frozenset()
        return frozenset(v for v, score in self.scores.items() if score == best)

    def contradicts(self, expected: str) -> bool:
        """The text reads as another variant than `expected`, by a clear margin."""
        declared = self.declared
        if not declared or expected in declared:
            return False
        lead = max(self.scores.values()) - self.scores.get(expected, 0)
        if lead >= self.margin:
            return True
        # Another variant's controller, and none of the expected one's: weaker marks of the
        # expected variant (a US text pointing European readers to their own policy) do not
        # outweigh who the text says is responsible.
        return lead > 0 and expected not in self.named and bool(declared & self.named)


def read_variant(text: str, marks: VariantMarks | None = None) -> VariantReading:
    """Scores of each variant in `text` (any case): 2 per controller named, 1 per other mark."""
    chosen = marks or default_variant_marks()
    scores: Counter[str] = Counter()
    found: list[str] = []
    named: set[str] = set()
    for weight, table in ((_CONTROLLER_WEIGHT, chosen.controllers), (1, chosen.marks)):
        for terms, variants in table:
            if terms.any_in(text):
                found.append(terms.phrases[0])
                for variant in variants:
                    scores[variant] += weight
    for terms, variants in chosen.controllers:
        if terms.any_in(text):
            named.update(variants)
    return VariantReading(
        MappingProxyType(dict(scores)), tuple(found), *_limits(chosen), frozenset(named)
    )


def _limits(marks: VariantMarks) -> tuple[int, int]:
    return marks.min_score, marks.margin


@cache
def default_variant_marks() -> VariantMarks:
    raw = (
        resources.files("watcher.classify")
        .joinpath("lexicons")
        .joinpath("variants.yaml")
        .read_text("utf-8")
    )
    return VariantMarks.of(yaml.safe_load(raw))
