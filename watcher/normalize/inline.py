"""Pieces of text found in the markup → one block's normalized text with its inline links."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from watcher.normalize.blocks import InlineLink
from watcher.normalize.rules import TextRules
from watcher.normalize.text import STOPS, normalize_text, tight_join


@dataclass(frozen=True, slots=True)
class Piece:
    """Raw text as found in the markup; `href` set when it is the text of a link."""

    text: str
    href: str | None = None


SPACE = Piece(" ")


def compose(
    pieces: Iterable[Piece], rules: TextRules, *, english: bool = True
) -> tuple[str, tuple[InlineLink, ...]]:
    """Normalized, single-spaced text and the offsets of its links.

    Neighbouring plain pieces are normalized together, so a date split over two elements
    (`Effective <b>June 26</b>, 2024`) is still recognized; a link's text is normalized on
    its own, and spaces at its edges move outside it.
    """
    out = ""
    links: list[InlineLink] = []
    for text, href in _segments(pieces):
        normalized = normalize_text(text, rules, english=english)
        core = normalized.strip()
        if href is None or not core:
            out = _append(out, normalized if core else normalized[:1])
            continue
        if normalized.startswith(" "):
            out = _append(out, " ")
        out = _append(out, core)
        links.append(InlineLink(len(out) - len(core), len(out), href))
        if normalized.endswith(" "):
            out += " "
    stripped = out.rstrip()
    return stripped.lstrip(), _shift(links, len(stripped) - len(stripped.lstrip()))


def _segments(pieces: Iterable[Piece]) -> list[tuple[str, str | None]]:
    segments: list[tuple[str, str | None]] = []
    plain: list[str] = []
    for piece in pieces:
        if piece.href is None:
            plain.append(piece.text)
            continue
        if plain:
            segments.append(("".join(plain), None))
            plain = []
        segments.append((piece.text, piece.href))
    if plain:
        segments.append(("".join(plain), None))
    return segments


def _append(out: str, text: str) -> str:
    if not text:
        return out
    if text.startswith(" ") and (not out or out.endswith(" ")):
        text = text[1:]
    if text.startswith(" ") and text[1:2] in STOPS:  # "<a>interests</a> , ours"
        text = text[1:]
    return tight_join(out, text)


def _shift(links: list[InlineLink], by: int) -> tuple[InlineLink, ...]:
    return tuple(InlineLink(x.start - by, x.end - by, x.href) for x in links)
