"""Block alignment: which blocks stayed, moved, were edited, added or removed.

1. Align the two block sequences on their exact canonical lines (difflib, linear-ish on real
   pages where most blocks are unchanged).
2. A removed block whose exact line reappears elsewhere is a move.
3. Inside each remaining replaced stretch, pair old and new blocks by word similarity, in order:
   a pair is an edit of one block (then diffed word by word), the rest are additions/removals.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from watcher.normalize import Block, BlockKind, render_block

# Two blocks are one edited block when at least this share of their words is common.
SIMILARITY_THRESHOLD = 0.5
# Order-preserving best pairing costs old×new similarity computations: above this, a greedy
# pass with a short look-ahead is used (a page rewritten wholesale).
_EXHAUSTIVE_PAIRING_LIMIT = 2500
_GREEDY_LOOKAHEAD = 5
_SAME_ROW_KEY = 0.75
_WORD = re.compile(r"\d{4}-\d{2}-\d{2}|\w+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

SimilarityFn = Callable[[int, int], float]


@dataclass(frozen=True, slots=True)
class Alignment:
    """Index pairs: `equal` and `moved` map old → new; `edited` pairs are similar blocks."""

    equal: tuple[tuple[int, int], ...]
    moved: tuple[tuple[int, int], ...]
    edited: tuple[tuple[int, int], ...]
    deleted: tuple[int, ...]
    inserted: tuple[int, ...]
    # For every deleted old index: the new index of the block that follows its place.
    deletion_anchor: dict[int, int]


def align_blocks(old: Sequence[Block], new: Sequence[Block]) -> Alignment:
    old_keys = [render_block(b) for b in old]
    new_keys = [render_block(b) for b in new]
    equal: list[tuple[int, int]] = []
    stretches: list[tuple[list[int], list[int]]] = []
    anchor: dict[int, int] = {}
    for (o1, o2), (n1, n2) in _sections(old, new, old_keys, new_keys):
        matcher = difflib.SequenceMatcher(None, old_keys[o1:o2], new_keys[n1:n2], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            old_range, new_range = range(o1 + i1, o1 + i2), range(n1 + j1, n1 + j2)
            if tag == "equal":
                equal.extend(zip(old_range, new_range, strict=True))
            else:
                stretches.append((list(old_range), list(new_range)))
                anchor.update(dict.fromkeys(old_range, n1 + j1))
    moved = _moves(stretches, old_keys, new_keys)
    moved_old = {i for i, _ in moved}
    moved_new = {j for _, j in moved}
    edited: list[tuple[int, int]] = []
    deleted: list[int] = []
    inserted: list[int] = []
    for old_stretch, new_stretch in stretches:
        olds = [i for i in old_stretch if i not in moved_old]
        news = [j for j in new_stretch if j not in moved_new]
        pairs = _pair_similar(olds, news, old, new)
        paired_old = {i for i, _ in pairs}
        paired_new = {j for _, j in pairs}
        edited.extend(pairs)
        deleted.extend(i for i in olds if i not in paired_old)
        inserted.extend(j for j in news if j not in paired_new)
    return Alignment(
        equal=tuple(equal),
        moved=tuple(moved),
        edited=tuple(edited),
        deleted=tuple(deleted),
        inserted=tuple(inserted),
        deletion_anchor={i: anchor[i] for i in deleted},
    )


Range = tuple[int, int]


def _sections(
    old: Sequence[Block], new: Sequence[Block], old_keys: list[str], new_keys: list[str]
) -> list[tuple[Range, Range]]:
    """Old and new index ranges to align with each other: the headings both versions share
    split the page, so a paragraph is matched within its own section first (and one that
    changed section is found as a move, not as an unrelated edit)."""
    old_headings = [i for i, b in enumerate(old) if b.kind is BlockKind.HEADING]
    new_headings = [j for j, b in enumerate(new) if b.kind is BlockKind.HEADING]
    matcher = difflib.SequenceMatcher(
        None, [old_keys[i] for i in old_headings], [new_keys[j] for j in new_headings], False
    )
    shared = [
        (old_headings[a + k], new_headings[b + k])
        for a, b, size in matcher.get_matching_blocks()
        for k in range(size)
    ]
    sections: list[tuple[Range, Range]] = []
    old_start = new_start = 0
    for i, j in shared:
        sections.append(((old_start, i), (new_start, j)))
        sections.append(((i, i + 1), (j, j + 1)))  # the shared heading itself
        old_start, new_start = i + 1, j + 1
    sections.append(((old_start, len(old)), (new_start, len(new))))
    return sections


def _moves(
    stretches: list[tuple[list[int], list[int]]], old_keys: list[str], new_keys: list[str]
) -> list[tuple[int, int]]:
    removed: dict[str, list[int]] = defaultdict(list)
    for old_stretch, _ in stretches:
        for i in old_stretch:
            removed[old_keys[i]].append(i)
    moves: list[tuple[int, int]] = []
    for _, new_stretch in stretches:
        for j in new_stretch:
            candidates = removed.get(new_keys[j])
            if candidates:
                moves.append((candidates.pop(0), j))
    return moves


def _pair_similar(
    olds: list[int], news: list[int], old: Sequence[Block], new: Sequence[Block]
) -> list[tuple[int, int]]:
    if not olds or not news:
        return []
    old_words = [_words(old[i]) for i in olds]
    new_words = [_words(new[j]) for j in news]

    def similar(a: int, b: int) -> float:
        first, second = old[olds[a]], new[news[b]]
        score = _dice(old_words[a], new_words[b])
        if first.kind is not second.kind:
            score *= 0.8
        elif first.kind is BlockKind.TABLE_ROW and first.cells[0] == second.cells[0]:
            # Rows are keyed by their first cell ("Ads | Consent" → "Ads | Legitimate
            # interests" is the same row with a new value).
            score = max(score, _SAME_ROW_KEY)
        return score

    if len(olds) * len(news) <= _EXHAUSTIVE_PAIRING_LIMIT:
        index_pairs = _best_ordered_pairs(len(olds), len(news), similar)
    else:
        index_pairs = _greedy_pairs(len(olds), len(news), similar)
    return [(olds[a], news[b]) for a, b in index_pairs]


def _best_ordered_pairs(rows: int, cols: int, similar: SimilarityFn) -> list[tuple[int, int]]:
    """The order-preserving pairing with the highest total similarity (Needleman–Wunsch with
    free gaps, pairs below the threshold not allowed)."""
    sims = [[similar(a, b) for b in range(cols)] for a in range(rows)]
    score = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for a in range(rows - 1, -1, -1):
        for b in range(cols - 1, -1, -1):
            best = max(score[a + 1][b], score[a][b + 1])
            pair = sims[a][b]
            if pair >= SIMILARITY_THRESHOLD:
                best = max(best, score[a + 1][b + 1] + pair)
            score[a][b] = best
    pairs: list[tuple[int, int]] = []
    a = b = 0
    while a < rows and b < cols:
        pair = sims[a][b]
        if pair >= SIMILARITY_THRESHOLD and score[a][b] == score[a + 1][b + 1] + pair:
            pairs.append((a, b))
            a, b = a + 1, b + 1
        elif score[a][b] == score[a + 1][b]:
            a += 1
        else:
            b += 1
    return pairs


def _greedy_pairs(rows: int, cols: int, similar: SimilarityFn) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    b = 0
    for a in range(rows):
        window = range(b, min(cols, b + _GREEDY_LOOKAHEAD))
        scored = [(similar(a, c), -c) for c in window]
        if not scored:
            break
        best, negative_column = max(scored)
        if best >= SIMILARITY_THRESHOLD:
            pairs.append((a, -negative_column))
            b = -negative_column + 1
    return pairs


def _words(block: Block) -> Counter[str]:
    # Every date counts as the same word: "Effective 2024-06-26" → "Effective 2025-05-27" is
    # one line edited, not one removed and another added.
    words = Counter(_ISO_DATE.sub("<date>", w.casefold()) for w in _WORD.findall(block.text))
    # A link that points elsewhere is still the same link: targets weigh lightly.
    words.update(f"→{href}" for href in block.hrefs)
    return words


def _dice(a: Counter[str], b: Counter[str]) -> float:
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 1.0
    common = sum((a & b).values())
    return 2 * common / total
