"""Health of the extracted text: too long to be the page, or decoded with the wrong charset.

A page in Latin-1 labelled UTF-8 comes out full of U+FFFD replacement characters; a UTF-8 page
labelled windows-1252 comes out as mojibake ("Ã©" for "é", "â€™" for "’"). Either would be
stored and diffed as if Meta had rewritten every accented word, so it is a named failure.
"""

from __future__ import annotations

import re

from watcher.fetch.base import FailureKind, FetchFailure, FetchResult
from watcher.fetch.limits import PageLimits
from watcher.health.rules import failed_check

REPLACEMENT = "\ufffd"


def _continuation_characters() -> str:
    """What the bytes 0x80-0xBF (UTF-8 continuation bytes) become when read as windows-1252,
    plus the ASCII quotes normalization turns the typographic ones into."""
    shown = []
    for byte in range(0x80, 0xC0):
        try:
            shown.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            shown.append(chr(byte))  # browsers map the five undefined bytes to C1 controls
    return "".join(shown) + "'\""


_CONTINUATION = re.escape(_continuation_characters())
# UTF-8 read as windows-1252 or Latin-1: the lead byte of "é", "ü", "ç", "ã", "«" (0xC3, 0xC2)
# shows as "Ã"/"Â" followed by a continuation byte's character, and the punctuation block
# (0xE2 0x80-0x82) as "â€"/"â‚" followed by one. Real French, German and Portuguese text has
# "Ã"/"Â" only before letters ("NÃO", "ÂMBITO") and never has "â€".
_MOJIBAKE = re.compile(rf"[ÃÂ][{_CONTINUATION}]|â[€‚][{_CONTINUATION}]")

_WORD_AT = re.compile(r"\S+")

# At least this many broken characters, and at least this share of the letters: one stray
# replacement character in a long page is not a wrong charset, a few percent of the letters is.
MIN_BROKEN = 5
MIN_BROKEN_SHARE = 0.002


def broken_characters(text: str) -> int:
    """Replacement characters and mojibake sequences in `text`."""
    return text.count(REPLACEMENT) + len(_MOJIBAKE.findall(text))


def assess_text(
    result: FetchResult, text: str, *, limits: PageLimits, visible_chars: int | None = None
) -> FetchFailure | None:
    """`too_large` for text over `limits.max_text_chars`, `bad_encoding` for text full of
    replacement characters or mojibake. `text` is the page's extracted (canonical) text;
    `visible_chars` its visible characters, which the limit counts (link targets and block
    markers are not text a reader sees), by default all of `text`."""
    length = len(text) if visible_chars is None else visible_chars
    if length > limits.max_text_chars:
        return failed_check(
            result,
            FailureKind.TOO_LARGE,
            f"extracted text is {length:,} characters, over the "
            f"{limits.max_text_chars:,} characters limit",
        )
    broken = broken_characters(text)
    if broken < MIN_BROKEN:
        return None
    letters = sum(1 for character in text if character.isalpha())
    if broken < MIN_BROKEN_SHARE * max(letters, 1):
        return None
    sample = _first_broken_word(text)
    return failed_check(
        result,
        FailureKind.BAD_ENCODING,
        f"{broken} replacement or mis-decoded characters in {letters:,} letters "
        f"(e.g. {sample!r}): the page's charset label does not match its bytes",
    )


def _first_broken_word(text: str) -> str:
    """The first word with a broken character in it, to quote in the failure's detail."""
    found = _MOJIBAKE.search(text)
    replacement = text.find(REPLACEMENT)
    at = found.start() if found is not None else -1
    if replacement >= 0 and (at < 0 or replacement < at):
        at = replacement
    start = at
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    word = _WORD_AT.match(text, start)
    return word.group(0)[:40] if word is not None else ""
