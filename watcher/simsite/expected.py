"""Ground truth for quality benchmarks: which changes a reader should see between two versions.

The changes are written as data next to each page's content (`changes:` in content/pages/*.yaml);
this module picks those that apply to a version span and a region, and keeps only those whose
evidence is really there at the end of the span (an addition later reverted is no change).
"""

from __future__ import annotations

from dataclasses import dataclass

from watcher.simsite.catalog import CHANGE_KINDS, LATEST_VERSION, PAGE_CONTENT, page_spec
from watcher.simsite.resolve import page_language, resolve_page
from watcher.simsite.text import (
    EnglishStyle,
    english_style_of,
    expand_text,
    legal_variant,
    normalize_locale,
    plain_text,
)

__all__ = ["CHANGE_KINDS", "ExpectedChange", "expected_changes", "page_text"]


@dataclass(frozen=True)
class ExpectedChange:
    """One change a reader should notice.

    `evidence` is a short quote found in the new text (in the old text when `removed`), in the
    requested locale; `alternatives` are the same quote in the other English rendering (en-GB
    spelling and dates), since the live site flips between the two. `link` is the target a
    moved link now points to.
    """

    kind: str
    evidence: str
    introduced_in: int
    alternatives: tuple[str, ...] = ()
    link: str | None = None
    removed: bool = False

    def found_in(self, text: str) -> bool:
        return any(quote in text for quote in (self.evidence, *self.alternatives))


def _check_version(version: int) -> None:
    if not 0 <= version <= LATEST_VERSION:
        raise ValueError(f"version must be between 0 and {LATEST_VERSION}, got {version}")


def _rendering(locale: str) -> tuple[str, EnglishStyle]:
    normalized = normalize_locale(locale) or "en_US"
    return normalized, english_style_of(normalized)


def page_text(page_id: str, version: int, region: str, locale: str = "en_US") -> str:
    """The noise-free visible text of a page's main region (title first, one block per line)."""
    _check_version(version)
    spec = page_spec(page_id)
    normalized, style = _rendering(locale)
    language = page_language(spec, normalized)
    return resolve_page(page_id, version, legal_variant(region), language, style).text()


def expected_changes(
    page_id: str, from_version: int, to_version: int, region: str, locale: str = "en_US"
) -> list[ExpectedChange]:
    """Changes between two versions of a page as seen from `region`; [] = nothing visible."""
    _check_version(from_version)
    _check_version(to_version)
    if from_version > to_version:
        raise ValueError(f"from_version {from_version} is after to_version {to_version}")
    spec = page_spec(page_id)
    content = PAGE_CONTENT[spec.content]
    variant = legal_variant(region)
    normalized, style = _rendering(locale)
    language = page_language(spec, normalized)
    old = resolve_page(page_id, from_version, variant, language, style)
    new = resolve_page(page_id, to_version, variant, language, style)
    old_text, new_text = old.text(), new.text()
    new_links = {href for block in new.blocks for href in block.hrefs}
    variables = {"app": spec.app}

    def quote(template: str, quote_style: EnglishStyle) -> str:
        parts = expand_text(template, language=language, style=quote_style, variables=variables)
        return plain_text(parts)

    found: list[ExpectedChange] = []
    for change in content.changes:
        if not (from_version < change.version <= to_version and variant in change.variants):
            continue
        evidence = quote(change.evidence[language], style)
        if change.removed:
            still_true = evidence in old_text and evidence not in new_text
        else:
            still_true = evidence in new_text and (change.link is None or change.link in new_links)
        if not still_true:
            continue
        other_style: EnglishStyle = "GB" if style == "US" else "US"
        other = quote(change.evidence[language], other_style) if language == "en" else evidence
        expected = ExpectedChange(
            kind=change.kind,
            evidence=evidence,
            introduced_in=change.version,
            alternatives=(other,) if other != evidence else (),
            link=change.link,
            removed=change.removed,
        )
        if all(
            (item.kind, item.evidence, item.link)
            != (expected.kind, expected.evidence, expected.link)
            for item in found
        ):
            found.append(expected)
    return found
