"""`Change` → findings: what kind of change (new data category, new use, objection link moved,
region clause, effective date, legal basis, or only wording), how severe, where, and the quoted
sentences. Vocabulary in English, French, German and Portuguese lives in `lexicons/*.yaml`. Pure.

The classifier pulls in the HTML normalizer; `watcher.classify.finding` (the finding kinds the
configuration validates against) does not, so names are imported here on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from watcher.lazy import lazy_exports

if TYPE_CHECKING:
    from watcher.classify.classifier import classify
    from watcher.classify.finding import PAGE_KINDS, TEXT_KINDS, Finding, FindingKind, Severity
    from watcher.classify.lexicon import Lexicon, build_lexicon, default_lexicon

__all__ = [
    "PAGE_KINDS",
    "TEXT_KINDS",
    "Finding",
    "FindingKind",
    "Lexicon",
    "Severity",
    "build_lexicon",
    "classify",
    "default_lexicon",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "classify": "classifier",
        "Finding": "finding",
        "PAGE_KINDS": "finding",
        "TEXT_KINDS": "finding",
        "FindingKind": "finding",
        "Severity": "finding",
        "Lexicon": "lexicon",
        "build_lexicon": "lexicon",
        "default_lexicon": "lexicon",
    },
)
