"""One short plain sentence about a change, for alert subjects and lists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from watcher.diff.ops import BlockOp, OpKind
from watcher.normalize import BlockKind

_NOUNS = {
    BlockKind.HEADING: ("heading", "headings"),
    BlockKind.PARAGRAPH: ("paragraph", "paragraphs"),
    BlockKind.LIST_ITEM: ("list item", "list items"),
    BlockKind.TABLE_ROW: ("table row", "table rows"),
    BlockKind.LINK: ("link", "links"),
    BlockKind.FIELD: ("form field", "form fields"),
}
_VERBS = {
    OpKind.REPLACE: "changed",
    OpKind.INSERT: "added",
    OpKind.DELETE: "removed",
    OpKind.MOVE: "moved",
}
_OP_ORDER = (OpKind.REPLACE, OpKind.INSERT, OpKind.DELETE, OpKind.MOVE)


def summarize(ops: Sequence[BlockOp]) -> str:
    """E.g. "2 paragraphs changed, 1 list item added under 'How we use information';
    1 link target changed"."""
    if not ops:
        return "no change"
    counts: Counter[tuple[OpKind, BlockKind]] = Counter()
    for op in ops:
        if not _only_targets_changed(op):
            counts[(op.op, op.block.kind)] += 1
    parts = [
        _count(counts[(verb, kind)], kind) + " " + _VERBS[verb]
        for verb in _OP_ORDER
        for kind in BlockKind
        if counts[(verb, kind)]
    ]
    sentence = ", ".join(parts)
    where = _where(ops)
    if sentence and where:
        sentence += " " + where
    retargeted = sum(1 for op in ops if op.link_target_changed)
    if retargeted:
        noun = "link target" if retargeted == 1 else "link targets"
        tail = f"{retargeted} {noun} changed"
        sentence = f"{sentence}; {tail}" if sentence else f"{tail} {where}".strip()
    return sentence


def _only_targets_changed(op: BlockOp) -> bool:
    return (
        op.link_target_changed
        and op.old_block is not None
        and op.new_block is not None
        and op.old_block.text == op.new_block.text
    )


def _count(number: int, kind: BlockKind) -> str:
    singular, plural = _NOUNS[kind]
    return f"{number} {singular if number == 1 else plural}"


def _where(ops: Sequence[BlockOp]) -> str:
    # A heading's own change is about the section it opens.
    paths = [
        (*op.path, op.block.text) if op.block.kind is BlockKind.HEADING else op.path for op in ops
    ]
    common = paths[0]
    for path in paths[1:]:
        common = _common_prefix(common, path)
    if common:
        return f"under '{common[-1]}'"
    sections = {path[:1] for path in paths}
    if len(sections) > 1:
        return f"in {len(sections)} sections"
    return ""


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return a[:length]
