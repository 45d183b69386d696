"""Cross-region view: what one region's version of a page says that another's does not.

Pure. Two regions usually get the page in two languages, so the comparison works on what does
not depend on the language — link targets, objection links, legal bases named, region clauses,
effective-date lines — and adds a block-by-block difference when the texts share a language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from watcher.classify import Lexicon, default_lexicon
from watcher.normalize import Document
from watcher.optout import find_opt_out_links

# Below this share of identical blocks the two versions are taken to be in different languages.
SAME_LANGUAGE_OVERLAP = 0.2


@dataclass(frozen=True)
class RegionView:
    """The language-independent facts of one region's version."""

    region: str
    links: frozenset[str]
    opt_out_links: tuple[str, ...]
    legal_bases: frozenset[str]
    region_clauses: tuple[str, ...]
    effective_dates: tuple[str, ...]


@dataclass(frozen=True)
class RegionComparison:
    source_id: str
    a: RegionView
    b: RegionView
    same_language: bool
    only_in_a: tuple[str, ...] = field(default=())
    only_in_b: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        def view(v: RegionView, other: RegionView) -> dict[str, object]:
            return {
                "region": v.region,
                "opt_out_links": list(v.opt_out_links),
                "legal_bases": sorted(v.legal_bases),
                "legal_bases_only_here": sorted(v.legal_bases - other.legal_bases),
                "links_only_here": sorted(v.links - other.links),
                "region_clauses": list(v.region_clauses),
                "effective_dates": list(v.effective_dates),
            }

        return {
            "source": self.source_id,
            "a": view(self.a, self.b),
            "b": view(self.b, self.a),
            "same_language": self.same_language,
            "blocks_only_in_a": list(self.only_in_a),
            "blocks_only_in_b": list(self.only_in_b),
        }


def region_view(region: str, document: Document, lexicon: Lexicon) -> RegionView:
    links = frozenset(href for block in document.blocks for href in block.hrefs)
    texts = [block.text for block in document.blocks]
    return RegionView(
        region=region,
        links=links,
        opt_out_links=tuple(link.href for link in find_opt_out_links(document)),
        legal_bases=frozenset().union(*(lexicon.bases_in(t) for t in texts)),
        region_clauses=tuple(t for t in texts if lexicon.region_clauses.any_in(t)),
        effective_dates=tuple(
            t for t in texts if lexicon.effective_date.any_in(t) and len(t) < 200
        ),
    )


def compare_regions(
    source_id: str,
    first: tuple[str, Document],
    second: tuple[str, Document],
    lexicon: Lexicon | None = None,
) -> RegionComparison:
    """Compare `(region, document)` pairs of one source."""
    lexicon = lexicon or default_lexicon()
    (region_a, a), (region_b, b) = first, second
    texts_a = [block.text for block in a.blocks]
    texts_b = [block.text for block in b.blocks]
    shared = set(texts_a) & set(texts_b)
    overlap = len(shared) / max(1, min(len(set(texts_a)), len(set(texts_b))))
    same_language = overlap >= SAME_LANGUAGE_OVERLAP
    return RegionComparison(
        source_id=source_id,
        a=region_view(region_a, a, lexicon),
        b=region_view(region_b, b, lexicon),
        same_language=same_language,
        only_in_a=tuple(t for t in texts_a if t not in shared) if same_language else (),
        only_in_b=tuple(t for t in texts_b if t not in shared) if same_language else (),
    )
