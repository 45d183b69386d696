"""Sentences of a block, with their offsets, for quoting evidence."""

from __future__ import annotations

import re

from watcher.normalize import Block

# A sentence ends at . ! ? or … followed by a space and something that can start a sentence.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'»“”]?\s+(?=[\"'«„“(\[]?[^\s\w]*[A-ZÀ-ÖØ-Þ0-9])")
# Abbreviations after which a capital letter does not start a new sentence.
_ABBREVIATIONS = frozenset(
    {
        "inc.",
        "ltd.",
        "co.",
        "e.g.",
        "i.e.",
        "etc.",
        "z.b.",
        "p.ex.",
        "nr.",
        "no.",
        "art.",
        "u.s.",
        "mr.",
        "mrs.",
        "dr.",
        "st.",
        "vs.",
        "ex.",
        "sr.",
        "sra.",
    }
)
_MAX_QUOTE = 600
# Table cells (" | ") and bullets run into a paragraph (" * ", as archived Markdown tables hold
# lists) separate statements as much as a full stop does.
_SEPARATOR = re.compile(r"\s+[|*]\s+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, covering the text without the spaces between
    (a table cell or a run-in bullet is a sentence of its own)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for separator in _SEPARATOR.finditer(text):
        spans += _sentences_between(text, start, separator.start())
        start = separator.end()
    return spans + _sentences_between(text, start, len(text))


def _sentences_between(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for boundary in _BOUNDARY.finditer(text, start, stop):
        before = text[start : boundary.start()].rsplit(" ", 1)[-1].casefold()
        if before in _ABBREVIATIONS:
            continue
        end = boundary.start() + len(boundary.group(0).rstrip())
        spans.append((start, end))
        start = boundary.end()
    if start < stop:
        spans.append((start, stop))
    return spans


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def quote(block: Block, start: int, end: int, *, with_links: bool = False) -> str:
    """The text of `block[start:end]`, its links as `[text](target)` when asked, shortened
    to a readable length."""
    if not with_links:
        return _shorten(block.text[start:end])
    pieces: list[str] = []
    position = start
    for link in block.links:
        if link.start >= start and link.end <= end:
            pieces.append(block.text[position : link.start])
            pieces.append(f"[{block.text[link.start : link.end]}]({link.href})")
            position = link.end
    pieces.append(block.text[position:end])
    return _shorten("".join(pieces))


def _shorten(text: str) -> str:
    if len(text) <= _MAX_QUOTE:
        return text
    cut = text[:_MAX_QUOTE].rsplit(" ", 1)[0]
    return cut + " …"
