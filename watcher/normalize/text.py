"""Visible text made stable: Unicode form, invisible characters, spaces, quotes, relative times,
dates and British/American spelling."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache, partial

from watcher.normalize.rules import DatePattern, TextRules

# Characters that take no room on screen but differ between renderings (zero-width spaces and
# joiners, word joiner, byte-order mark, soft hyphen, bidirectional marks).
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    )
)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})
# Python's \s already covers NBSP, narrow NBSP, figure and thin spaces, line separators.
_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
STOPS = frozenset(",.;:!?)")
_SPACE_BEFORE_STOP = re.compile(r" (?=[,.;:!?)])")
_SPACE_AFTER_OPENING = re.compile(r"\( ")
_ELISION = r"(?<!\w)(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)'"
_SPACE_AFTER_ELISION = re.compile(rf"({_ELISION}) (?=\w)", re.IGNORECASE)
_ENDS_WITH_ELISION = re.compile(rf"{_ELISION}$", re.IGNORECASE)
_ENDS_WITH_ELISION_SPACE = re.compile(rf"{_ELISION} $", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_WORD = re.compile(r"\w+")
# What removing "(3 hours ago)" leaves behind.
# ... and removing " Updated an hour ago" from "Text. Updated an hour ago.".
_DOUBLED_STOP = re.compile(r"([.!?])\.")
_EMPTY_BRACKETS = re.compile(r" ?(?:\( ?\)|\[ ?\]|« ?»)")


def clean_spaces(text: str) -> str:
    """NFC, invisible characters dropped, every kind of space and line break as one space.

    Leading and trailing spaces are kept (as one space) so that pieces of one sentence split
    across elements can be joined; `normalize_text` strips nothing either.
    """
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text)


def normalize_text(text: str, rules: TextRules, *, english: bool = True) -> str:
    """Text as it goes into a block: stable spaces, quotes and dates, no relative times, and
    for English text American spelling. Each step runs only where a cheap test says it can
    apply (most text has no relative time, date or British word)."""
    text = clean_spaces(text).translate(_QUOTES)
    folded = text.casefold()
    if any(marker in folded for marker in rules.relative_time_markers):
        text, removed = rules.relative_times.subn("", text)
        if removed:
            text = _DOUBLED_STOP.sub(r"\1", _EMPTY_BRACKETS.sub("", text))
    if _YEAR.search(text):
        for pattern in rules.dates:
            text = pattern.pattern.sub(partial(_iso_date, pattern=pattern), text)
    if english:
        british = rules.spelling.keys() & set(_WORD.findall(text.lower()))
        for word in sorted(british):  # only those words are looked for again
            text = _whole_word(word).sub(partial(_american, rules=rules), text)
    return _tight_punctuation(_SPACES.sub(" ", text))


@cache
def _whole_word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)


def _tight_punctuation(text: str) -> str:
    """No space before , . ; : ! ? ) or after ( or a French elision (l', d', qu'). Markup puts
    one there or not from one load to the next ("<a>interests</a>\n, ours", "l' <a>ICO</a>");
    French typography's space before : ; ! ? goes too, the same way in every rendering."""
    text = _SPACE_BEFORE_STOP.sub("", _SPACE_AFTER_OPENING.sub("(", text))
    return _SPACE_AFTER_ELISION.sub(r"\1", text)


def tight_join(out: str, text: str) -> str:
    """`out + text` where `text` continues a sentence after a link."""
    if out.endswith(" ") and text[:1] in STOPS:
        out = out[:-1]
    if text.startswith(" ") and (out.endswith("(") or _ENDS_WITH_ELISION.search(out)):
        text = text[1:]
    if text[:1].strip() and (out.endswith("( ") or _ENDS_WITH_ELISION_SPACE.search(out)):
        out = out[:-1]
    return out + text


def _iso_date(match: re.Match[str], pattern: DatePattern) -> str:
    month = pattern.months[match.group("month").lower()]
    try:
        found = date(int(match.group("year")), month, int(match.group("day")))
    except ValueError:  # "31 February": not a date, leave the words as they are
        return match.group(0)
    return found.isoformat()


def _american(match: re.Match[str], rules: TextRules) -> str:
    word = match.group(0)
    replacement = rules.spelling.get(word.lower())
    if replacement is None:
        return word
    if word.isupper() and len(word) > 1:
        return replacement.upper()
    if word[0].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement
