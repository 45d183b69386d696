"""The values a diff is made of: block operations with their word-level detail."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from watcher.normalize import Block


class OpKind(StrEnum):
    INSERT = "insert"
    DELETE = "delete"
    REPLACE = "replace"
    MOVE = "move"


class SegmentKind(StrEnum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class WordSegment:
    """A run of text that is unchanged, added or removed inside a replaced block."""

    op: SegmentKind
    text: str


@dataclass(frozen=True, slots=True)
class BlockOp:
    """One change of one block.

    `old_index`/`new_index` are positions in the old/new document (None for the side the block
    is missing from). `anchor` is where the op is read in the new document: its new index, or
    for a deleted block the index of the new block that now follows the place it held.
    `path` is the heading trail above the block in the new document (the old one for a
    deletion); `old_path` the trail it had in the old document. `words` is the word-level diff
    of a replaced block's text (empty for other ops).
    """

    op: OpKind
    old_block: Block | None
    new_block: Block | None
    old_index: int | None
    new_index: int | None
    anchor: int
    path: tuple[str, ...] = ()
    old_path: tuple[str, ...] = ()
    words: tuple[WordSegment, ...] = ()

    @property
    def block(self) -> Block:
        """The block as it is now (as it was, for a deletion)."""
        block = self.new_block if self.new_block is not None else self.old_block
        assert block is not None
        return block

    @property
    def link_target_changed(self) -> bool:
        """A replaced block whose links point elsewhere (whether or not its text changed)."""
        if self.op is not OpKind.REPLACE or self.old_block is None or self.new_block is None:
            return False
        return self.old_block.hrefs != self.new_block.hrefs

    @property
    def sort_key(self) -> tuple[int, int, int]:
        # Deletions read before what now stands at their place, several in their old order.
        return (self.anchor, 0 if self.op is OpKind.DELETE else 1, self.old_index or 0)


@dataclass(frozen=True, slots=True)
class ContextBlock:
    """An unchanged block next to a change, kept so that the change can be shown in place."""

    old_index: int
    new_index: int
    block: Block
    path: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.new_index, 1, self.old_index)
