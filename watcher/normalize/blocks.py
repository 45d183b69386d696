"""The values a normalized page is made of: blocks of visible text in reading order."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"
    LINK = "link"  # a link standing on its own, e.g. "Object" under a paragraph
    FIELD = "field"  # a form control (objection forms): its label, name and type


# The separator between the cells of a table row inside `Block.text`.
CELL_SEPARATOR = " | "

_FORBIDDEN_IN_TEXT = ("\n", "\r", "\t", "  ")


@dataclass(frozen=True, slots=True)
class InlineLink:
    """A link inside a block's text: `text[start:end]` points to `href`."""

    start: int
    end: int
    href: str

    def is_padded_in(self, text: str) -> bool:
        piece = text[self.start : self.end]
        return piece != piece.strip()


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of visible content.

    `text` is single-spaced plain text with no leading or trailing space. Table rows keep their
    cells in `cells` and `text` is the cells joined by `CELL_SEPARATOR`; inline links are offsets
    into `text` (never across cells). Link blocks carry their target in `href`; field blocks
    carry the control's `name` and `control` type (`text`, `email`, `select`, `submit`, …),
    and a select's `options`.
    """

    kind: BlockKind
    text: str
    level: int = 0
    href: str | None = None
    links: tuple[InlineLink, ...] = ()
    cells: tuple[str, ...] = ()
    name: str | None = None
    control: str | None = None
    # The choices a `select` field offers, as shown (the countries of an objection form).
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problem = _block_problem(self)
        if problem:
            raise ValueError(f"invalid {self.kind} block {self.text!r}: {problem}")

    @property
    def hrefs(self) -> tuple[str, ...]:
        """Every link target of the block, in reading order."""
        own = (self.href,) if self.href is not None else ()
        return own + tuple(link.href for link in self.links)

    def link_text(self, link: InlineLink) -> str:
        return self.text[link.start : link.end]


def is_clean_text(text: str) -> bool:
    """True for single-spaced, stripped, single-line text (the only text a block may hold)."""
    return text == text.strip() and not any(bad in text for bad in _FORBIDDEN_IN_TEXT)


def _block_problem(block: Block) -> str:
    if block.kind is BlockKind.TABLE_ROW:
        if not block.cells or CELL_SEPARATOR.join(block.cells) != block.text:
            return "table row text must be its cells joined"
        if not all(is_clean_text(cell) for cell in block.cells) or not any(block.cells):
            return "cells must be clean text and not all empty"
    elif block.cells:
        return "only table rows have cells"
    elif not is_clean_text(block.text):
        return "text must be stripped, single-spaced and on one line"
    if not block.text and block.kind is not BlockKind.FIELD:
        return "empty text"
    if block.kind is BlockKind.HEADING and not 1 <= block.level <= 6:
        return "heading level must be 1..6"
    if block.kind is BlockKind.LIST_ITEM and not 0 <= block.level <= 9:
        return "list nesting level must be 0..9"
    if block.kind not in (BlockKind.HEADING, BlockKind.LIST_ITEM) and block.level != 0:
        return "only headings and list items have a level"
    if (block.kind is BlockKind.LINK) != (block.href is not None):
        return "link blocks, and only they, have an href"
    if block.kind is BlockKind.LINK and block.links:
        return "a link block has no inline links"
    if block.kind is BlockKind.FIELD and block.links:
        return "a field block has no inline links"
    if block.kind is not BlockKind.FIELD and (block.name is not None or block.control is not None):
        return "only field blocks have a name or control"
    if any("\n" in v or "\r" in v for v in (*block.hrefs, block.name or "", block.control or "")):
        return "targets, names and controls are single-line"
    if "" in (block.href, block.name, block.control):
        return "a target, name or control, when given, is not empty"
    if block.options and block.kind is not BlockKind.FIELD:
        return "only field blocks have options"
    if not all(option and is_clean_text(option) for option in block.options):
        return "options must be clean, non-empty text"
    return _links_problem(block)


def _links_problem(block: Block) -> str:
    previous_end = 0
    bounds = cell_bounds(block.cells) if block.cells else [(0, len(block.text))]
    whole = [InlineLink(0, len(block.text), link.href) for link in block.links[:1]]
    if block.kind is BlockKind.PARAGRAPH and whole and list(block.links) == whole:
        return "a paragraph that is one link is a link block"
    for link in block.links:
        if not previous_end <= link.start < link.end <= len(block.text):
            return "inline links must be ordered, non-empty and inside the text"
        if not any(start <= link.start and link.end <= end for start, end in bounds):
            return "an inline link may not cross cells"
        if link.is_padded_in(block.text):
            return "an inline link's text may not start or end with a space"
        if not link.href:
            return "an inline link needs a target"
        previous_end = link.end
    return ""


def cell_bounds(cells: tuple[str, ...]) -> list[tuple[int, int]]:
    """Start and end offsets of each cell of a table row inside the row's text."""
    bounds: list[tuple[int, int]] = []
    position = 0
    for cell in cells:
        bounds.append((position, position + len(cell)))
        position += len(cell) + len(CELL_SEPARATOR)
    return bounds
