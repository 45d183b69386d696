"""`Change` → findings: what kind of change (new data category, new use, objection link moved,
region clause, effective date, legal basis, or only wording), how severe, where, and the quoted
sentences. Vocabulary in English, French, German and Portuguese lives in `lexicons/*.yaml`. Pure."""

from watcher.classify.classifier import classify
from watcher.classify.finding import Finding, FindingKind, Severity
from watcher.classify.lexicon import Lexicon, build_lexicon, default_lexicon

__all__ = [
    "Finding",
    "FindingKind",
    "Lexicon",
    "Severity",
    "build_lexicon",
    "classify",
    "default_lexicon",
]
