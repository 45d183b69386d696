"""Word-level diff of two short texts (one block each), never of whole pages (FACTS.md)."""

from __future__ import annotations

import difflib
import re

from diff_match_patch import diff_match_patch

from watcher.diff.ops import SegmentKind, WordSegment

_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}|\w+|\s+|[^\w\s]")
# Beyond this many tokens (two texts together) the Myers diff gets slow in pure Python:
# ~0.3 s for 4,000 tokens half rewritten. Longer blocks fall back to difflib, which is
# coarser but bounded and just as deterministic.
_MYERS_TOKEN_LIMIT = 6000
_DMP_KIND = {
    diff_match_patch.DIFF_EQUAL: SegmentKind.EQUAL,
    diff_match_patch.DIFF_INSERT: SegmentKind.INSERT,
    diff_match_patch.DIFF_DELETE: SegmentKind.DELETE,
}


def diff_words(old: str, new: str) -> tuple[WordSegment, ...]:
    """Segments that turn `old` into `new`: whole words, cleaned up to read naturally."""
    if old == new:
        return (WordSegment(SegmentKind.EQUAL, old),) if old else ()
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(old_tokens) + len(new_tokens) > _MYERS_TOKEN_LIMIT:
        return _merge(_difflib_segments(old_tokens, new_tokens))
    return _merge(_dmp_segments(old_tokens, new_tokens))


def _dmp_segments(old_tokens: list[str], new_tokens: list[str]) -> list[WordSegment]:
    # Each distinct token becomes one character, so the diff works on words, not letters.
    codes: dict[str, str] = {}
    vocabulary: list[str] = []

    def encode(tokens: list[str]) -> str:
        chars = []
        for token in tokens:
            if token not in codes:
                codes[token] = chr(len(vocabulary) + 1)
                vocabulary.append(token)
            chars.append(codes[token])
        return "".join(chars)

    engine = diff_match_patch()
    engine.Diff_Timeout = 0  # no clock: the same input always gives the same diff
    coded = engine.diff_main(encode(old_tokens), encode(new_tokens), False)
    # Cleaned up while still one character per token, so edits never split a word.
    engine.diff_cleanupSemantic(coded)
    decoded = [(op, "".join(vocabulary[ord(c) - 1] for c in text)) for op, text in coded]
    return [WordSegment(_DMP_KIND[op], text) for op, text in decoded if text]


def _difflib_segments(old_tokens: list[str], new_tokens: list[str]) -> list[WordSegment]:
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    segments: list[WordSegment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(WordSegment(SegmentKind.EQUAL, "".join(old_tokens[i1:i2])))
            continue
        if i2 > i1:
            segments.append(WordSegment(SegmentKind.DELETE, "".join(old_tokens[i1:i2])))
        if j2 > j1:
            segments.append(WordSegment(SegmentKind.INSERT, "".join(new_tokens[j1:j2])))
    return segments


def _merge(segments: list[WordSegment]) -> tuple[WordSegment, ...]:
    merged: list[WordSegment] = []
    for segment in segments:
        if merged and merged[-1].op is segment.op:
            merged[-1] = WordSegment(segment.op, merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return tuple(merged)


def old_text(segments: tuple[WordSegment, ...]) -> str:
    return "".join(s.text for s in segments if s.op is not SegmentKind.INSERT)


def new_text(segments: tuple[WordSegment, ...]) -> str:
    return "".join(s.text for s in segments if s.op is not SegmentKind.DELETE)
