"""`diff_documents`: two versions of a page → one `Change`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from watcher.diff.align import align_blocks
from watcher.diff.jsonform import context_from_json, context_to_json, op_from_json, op_to_json
from watcher.diff.ops import BlockOp, ContextBlock, OpKind
from watcher.diff.render import html_inline, html_side_by_side, unified
from watcher.diff.summary import summarize
from watcher.diff.words import diff_words
from watcher.normalize import Block, BlockKind, Document

# Unchanged blocks kept around each change, the most any rendering can show.
MAX_CONTEXT = 3
JSON_VERSION = 1


@dataclass(frozen=True, slots=True)
class Change:
    """What differs between two documents, block by block, in reading order."""

    ops: tuple[BlockOp, ...] = ()
    context: tuple[ContextBlock, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.ops

    def summary(self) -> str:
        return summarize(self.ops)

    def to_unified(self, context: int = 2) -> str:
        return unified(self.ops, self.context, _clamp(context))

    def to_html_inline(self, context: int = 2) -> str:
        return html_inline(self.ops, self.context, _clamp(context))

    def to_html_side_by_side(self, context: int = 2) -> str:
        return html_side_by_side(self.ops, self.context, _clamp(context))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": JSON_VERSION,
            "ops": [op_to_json(op) for op in self.ops],
            "context": [context_to_json(c) for c in self.context],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        if data.get("version") != JSON_VERSION:
            raise ValueError(f"unsupported change format version {data.get('version')!r}")
        return cls(
            ops=tuple(op_from_json(op) for op in data["ops"]),
            context=tuple(context_from_json(c) for c in data["context"]),
        )


def _clamp(context: int) -> int:
    return max(0, min(context, MAX_CONTEXT))


def diff_documents(old: Document, new: Document) -> Change:
    """Block alignment first, then a word diff inside each edited block (see `align`)."""
    alignment = align_blocks(old.blocks, new.blocks)
    old_paths = heading_paths(old.blocks)
    new_paths = heading_paths(new.blocks)
    ops: list[BlockOp] = []
    for i, j in alignment.edited:
        a, b = old.blocks[i], new.blocks[j]
        words = diff_words(a.text, b.text)
        ops.append(BlockOp(OpKind.REPLACE, a, b, i, j, j, new_paths[j], old_paths[i], words))
    for i, j in alignment.moved:
        block = new.blocks[j]
        ops.append(BlockOp(OpKind.MOVE, old.blocks[i], block, i, j, j, new_paths[j], old_paths[i]))
    for j in alignment.inserted:
        ops.append(BlockOp(OpKind.INSERT, None, new.blocks[j], None, j, j, new_paths[j]))
    for i in alignment.deleted:
        anchor = alignment.deletion_anchor[i]
        ops.append(
            BlockOp(OpKind.DELETE, old.blocks[i], None, i, None, anchor, old_paths[i], old_paths[i])
        )
    ops.sort(key=lambda op: op.sort_key)
    return Change(tuple(ops), _context(ops, alignment.equal, new.blocks, new_paths))


def _context(
    ops: Sequence[BlockOp],
    equal: Sequence[tuple[int, int]],
    blocks: Sequence[Block],
    paths: Sequence[tuple[str, ...]],
) -> tuple[ContextBlock, ...]:
    near: set[int] = set()
    for op in ops:
        near.update(range(op.anchor - MAX_CONTEXT, op.anchor + MAX_CONTEXT + 1))
    return tuple(ContextBlock(i, j, blocks[j], paths[j]) for i, j in equal if j in near)


def heading_paths(blocks: Sequence[Block]) -> list[tuple[str, ...]]:
    """For each block, the texts of the headings it sits under (a heading: its parents)."""
    trail: list[Block] = []
    paths: list[tuple[str, ...]] = []
    for block in blocks:
        if block.kind is BlockKind.HEADING:
            trail = [h for h in trail if h.level < block.level]
            paths.append(tuple(h.text for h in trail))
            trail.append(block)
        else:
            paths.append(tuple(h.text for h in trail))
    return paths
