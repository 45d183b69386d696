"""Text helpers shared by the renderers: cleaning, measuring and cutting third-party text.

Everything here works on raw (unescaped) text, so a cut can never land inside an escape
sequence or an HTML entity: the renderers cut first and escape afterwards.
"""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"

# C0/C1 control characters except tab and newline. Pages sometimes carry them (form
# feeds, stray escapes); chat services reject some of them, and the renderers use two of
# them as private block markers, so third-party text must never contain any.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ANY_SPACE = re.compile(r"\s+")

_ZERO_WIDTH_JOINER = "\u200d"


def clean_text(text: str) -> str:
    """Normalise line ends and drop control characters from third-party text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text)


def one_line(text: str) -> str:
    """Third-party text squeezed onto one line (titles, paths, list entries)."""
    return _ANY_SPACE.sub(" ", clean_text(text)).strip()


def tidy_paragraph(text: str) -> str:
    """Cleaned text with runs of spaces collapsed and blank lines dropped; keeps line breaks."""
    lines = (_HORIZONTAL_SPACE.sub(" ", line).strip() for line in clean_text(text).split("\n"))
    return "\n".join(line for line in lines if line)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: how Telegram and Slack count their limits.

    An emoji outside the Basic Multilingual Plane counts twice there, so measuring code
    points alone could overshoot a limit.
    """
    return len(text.encode("utf-16-le")) // 2


def _extends_previous(char: str) -> bool:
    """True when `char` belongs to the grapheme before it (accent, joiner, modifier...)."""
    code = ord(char)
    return (
        unicodedata.category(char) in {"Mn", "Me", "Mc"}
        or char == _ZERO_WIDTH_JOINER
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (text/emoji presentation)
        or 0xE0100 <= code <= 0xE01EF  # variation selectors supplement
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def is_grapheme_boundary(text: str, index: int) -> bool:
    """Whether cutting `text` at `index` keeps every user-visible character whole.

    Covers what alert text really contains: combining accents, emoji joined by ZWJ or
    modified by skin tones and variation selectors, and flags (pairs of regional
    indicators). Python strings hold code points, so a UTF-8 sequence cannot be split.
    """
    if index <= 0 or index >= len(text):
        return True
    if _extends_previous(text[index]) or text[index - 1] == _ZERO_WIDTH_JOINER:
        return False
    if _is_regional_indicator(text[index]) and _is_regional_indicator(text[index - 1]):
        run = 0
        position = index - 1
        while position >= 0 and _is_regional_indicator(text[position]):
            run += 1
            position -= 1
        # An odd run before the cut means the cut would split a flag in two.
        return run % 2 == 0
    return True


def safe_cut(text: str, limit: int) -> str:
    """At most `limit` code points of `text`, never splitting a visible character."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    index = limit
    while index > 0 and not is_grapheme_boundary(text, index):
        index -= 1
    return text[:index]


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` code points, ending in "…" when anything was removed.

    Prefers to cut at a space when one is near the end, so quotes do not end mid-word.
    """
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return safe_cut(ELLIPSIS, limit)
    head = safe_cut(text, limit - len(ELLIPSIS))
    space = max(head.rfind(" "), head.rfind("\n"))
    # Only back up to a word boundary when that loses little of the quote.
    if space >= len(head) * 0.8:
        head = head[:space]
    return head.rstrip() + ELLIPSIS
