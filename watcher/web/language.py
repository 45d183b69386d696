"""The language of quoted page text, for the `lang` attribute of what the pages quote.

The text's own commonest words decide (a German target may be served an English page); the
region's configured locale is the fallback, and "" (HTML's "unknown") the last resort.
"""

from __future__ import annotations

from collections.abc import Iterable

SAMPLE_WORDS = 400
_COMMON_WORDS = {
    "en": frozenset({"the", "and", "of", "to", "you", "your", "we", "is", "for", "with"}),
    "fr": frozenset({"le", "la", "les", "et", "des", "vous", "nous", "est", "pour", "vos"}),
    "de": frozenset({"der", "die", "und", "das", "sie", "wir", "ist", "für", "mit", "ihre"}),
    "pt": frozenset({"o", "os", "e", "do", "da", "dos", "você", "nós", "para", "suas"}),
}


def text_language(texts: Iterable[str], fallback: str = "") -> str:
    """A BCP 47 language tag for `texts`: the best-scoring language, else `fallback`."""
    words: list[str] = []
    for text in texts:
        words.extend(text.casefold().split()[: SAMPLE_WORDS - len(words)])
        if len(words) >= SAMPLE_WORDS:
            break
    scores = {lang: sum(1 for w in words if w in common) for lang, common in _COMMON_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] == 0:
        return fallback
    # A fallback in the same language keeps its region (fr-FR, not fr).
    return fallback if fallback.split("-", maxsplit=1)[0].lower() == best else best
