"""`Document`: a normalized page, and its round trip through canonical text."""

from __future__ import annotations

from dataclasses import dataclass

from watcher.normalize.blocks import Block, BlockKind
from watcher.normalize.canonical import parse_blocks, render_blocks


@dataclass(frozen=True, slots=True)
class Document:
    """The visible content of a page as ordered blocks; equal pages give equal documents."""

    blocks: tuple[Block, ...] = ()

    def canonical_text(self) -> str:
        """Markdown-like text, one block per line; `parse_canonical` rebuilds the document."""
        return render_blocks(self.blocks)

    @property
    def text_length(self) -> int:
        """Visible characters (cell separators of table rows not counted)."""
        return sum(_visible_length(block) for block in self.blocks)


def _visible_length(block: Block) -> int:
    if block.kind is BlockKind.TABLE_ROW:
        return sum(len(cell) for cell in block.cells)
    return len(block.text)


def parse_canonical(text: str) -> Document:
    """The document whose `canonical_text()` is `text` (raises `CanonicalSyntaxError`)."""
    return Document(parse_blocks(text))
