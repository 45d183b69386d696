"""Volatile spans: what differs between two loads of one page, kept as masks. Pure.

When the confirming re-load of a page disagrees with the first load, the two loads still agree
on most of the page. The blocks (canonical lines) where they disagree are volatile: a counter,
a rotating tip, a section that is rendered on one load and collapsed on the next. Each becomes a
`Mask`, learned per target:

- a block whose words partly changed gives a *varying* mask: its words common to both loads,
  with `VARIES` where they differ; any block of that shape reads as the mask's own text;
- a block present in one load only, or rewritten beyond recognition, gives an *optional* mask:
  that exact block is left out wherever it appears.

Comparisons apply the masks to both sides, so a volatile span never shows as a change, while a
block both loads agree on and that differs from the stored version is a change like any other.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from watcher.diff.ops import SegmentKind
from watcher.diff.words import diff_words

# Stands for the words of a block that vary from load to load.
VARIES = "⟨…⟩"
# A varying mask keeps at least this share of the block's characters as fixed text, with at
# least one word of 3+ letters: otherwise it would match any block ("⟨…⟩ ⟨…⟩").
MIN_FIXED_SHARE = 0.5
_WORD = re.compile(r"\w{3,}")
_WHOLE_WORDS = re.compile(r"\S*" + re.escape(VARIES) + r"(?:\S*" + re.escape(VARIES) + r")*\S*")
# Two loads that disagree on more blocks than this are not one page with volatile spans: the
# page is unstable as a whole (a partial render, another variant), and nothing is learned.
MAX_SPANS = 40


@dataclass(frozen=True)
class Mask:
    """One volatile block of a target's page."""

    pattern: str  # the block's canonical line, with VARIES where loads differ
    optional: bool = False  # the exact block may be there or not

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        parts = (re.escape(part) for part in self.pattern.split(VARIES))
        return re.compile(".*?".join(parts), re.DOTALL)

    def matches(self, line: str) -> bool:
        if self.optional:
            return line == self.pattern
        return self._regex.fullmatch(line) is not None


def learn_masks(first: str, second: str) -> tuple[Mask, ...]:
    """The masks that make two canonical texts of one page read the same; () when they are
    the same, or when they differ in too many places to be one page with volatile spans."""
    old, new = first.splitlines(), second.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    masks: list[Mask | tuple[Mask, Mask]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            masks += (_between(a, b) for a, b in zip(old[i1:i2], new[j1:j2], strict=True))
        else:
            masks += (Mask(line, optional=True) for line in (*old[i1:i2], *new[j1:j2]))
        if len(masks) > MAX_SPANS:
            return ()
    return tuple(dict.fromkeys(_flatten(masks)))


def apply_masks(canonical: str, masks: Sequence[Mask]) -> str:
    """`canonical` as comparisons read it: each block a varying mask matches reads as the
    mask, each block an optional mask names is left out."""
    if not masks:
        return canonical
    lines: list[str] = []
    for line in canonical.splitlines():
        mask = next((m for m in masks if m.matches(line)), None)
        if mask is None:
            lines.append(line)
        elif not mask.optional:
            lines.append(mask.pattern)
    ending = "\n" if canonical.endswith("\n") else ""
    return "\n".join(lines) + ending


def _between(old: str, new: str) -> Mask | tuple[Mask, Mask]:
    """The varying mask of two readings of one block, or two optional ones when they share
    too little to be the same block."""
    parts: list[str] = []
    for segment in diff_words(old, new):
        if segment.op is SegmentKind.EQUAL:
            parts.append(segment.text)
        elif not parts or parts[-1] != VARIES:
            parts.append(VARIES)
    # What varies is whole words: "1,204" against "1,311" is one varying word, not "1," and a
    # varying rest that would only match counts starting with "1,".
    pattern = _WHOLE_WORDS.sub(VARIES, "".join(parts))
    fixed = len(pattern.replace(VARIES, ""))
    literal = pattern.replace(VARIES, " ")
    if fixed < MIN_FIXED_SHARE * min(len(old), len(new)) or not _WORD.search(literal):
        return Mask(old, optional=True), Mask(new, optional=True)
    return Mask(pattern)


def _flatten(masks: Iterable[Mask | tuple[Mask, Mask]]) -> Iterable[Mask]:
    for mask in masks:
        if isinstance(mask, Mask):
            yield mask
        else:
            yield from mask
