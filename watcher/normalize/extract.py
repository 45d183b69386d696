"""Walk the pruned markup of the content root(s) and emit blocks in reading order.

Meta's pages are mostly `div`s and `span`s with generated class names, so blocks are found by
structure, never by class: any element that is not inline text ends a paragraph; headings,
lists, table rows, links standing on their own and form controls become their own blocks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from bs4 import Tag
from bs4.element import PageElement

from watcher.normalize.blocks import CELL_SEPARATOR, Block, BlockKind, InlineLink
from watcher.normalize.inline import SPACE, Piece, compose
from watcher.normalize.markup import (
    control_type,
    heading_level,
    is_control,
    is_inline,
    is_list,
    is_list_item,
    is_row,
    is_table,
    is_text,
    role,
)
from watcher.normalize.rules import TextRules
from watcher.normalize.urls import LinkContext, clean_addresses_in_text, clean_href

_WORDY = re.compile(r"\w")
_CELL_ROLES = frozenset({"cell", "gridcell", "columnheader", "rowheader"})


class BlockExtractor:
    """Collects the blocks of one page; `extract(root)` may be called once per content root."""

    def __init__(
        self, text_rules: TextRules, links: LinkContext, labels: dict[str, Tag], *, english: bool
    ) -> None:
        self.text_rules = text_rules
        self.english = english  # British spellings are made American only in English text
        self.links = links
        self.labels = labels  # control id → its <label for=…>
        self.blocks: list[Block] = []
        self._run: list[Piece] = []

    def extract(self, root: Tag) -> None:
        self._children(root, list_level=0)
        self._flush()

    # -- block mode: every element that is not inline text ends the current paragraph --------

    def _children(self, node: Tag, list_level: int) -> None:
        for child in list(node.children):
            self._visit(child, list_level)

    def _visit(self, node: PageElement, list_level: int) -> None:
        if is_text(node):
            self._run.append(self._text_piece(str(node)))
            return
        if not isinstance(node, Tag):
            return
        handler = self._block_handler(node)
        if handler is not None:
            self._flush()
            handler(node, list_level)
        elif node.name == "a" and self._href(node) is not None:
            self._run.extend(self._link_pieces(node))
        elif is_inline(node):
            self._children(node, list_level)
        else:
            self._flush()
            self._children(node, list_level)
            self._flush()

    def _block_handler(self, node: Tag) -> Callable[[Tag, int], None] | None:
        if node.name == "br":
            return lambda _node, _level: None
        if heading_level(node):
            return self._heading
        if is_list(node):
            return self._list
        if is_list_item(node):
            return self._list_item
        if is_table(node):
            return self._table
        if is_row(node):
            return lambda row, _level: self._row(row)
        if node.name == "a" and self._href(node) is not None and _has_block_inside(node):
            return self._link_card
        if is_control(node):
            return lambda control, _level: self._field(control, "")
        if node.name == "label" and (self._wrapped_controls(node) or self._labels_other(node)):
            return self._label
        return None

    def _compose(self, pieces: Iterable[Piece]) -> tuple[str, tuple[InlineLink, ...]]:
        return compose(pieces, self.text_rules, english=self.english)

    def _flush(self) -> None:
        pieces, self._run = self._run, []
        text, links = self._compose(pieces)
        if not _WORDY.search(text):  # nothing but punctuation left (e.g. after a relative time)
            return
        if len(links) == 1 and links[0].start == 0 and links[0].end == len(text):
            self.blocks.append(Block(BlockKind.LINK, text, href=links[0].href))
        else:
            self.blocks.append(Block(BlockKind.PARAGRAPH, text, links=links))

    def _heading(self, node: Tag, _list_level: int) -> None:
        deferred: list[Tag] = []
        text, links = self._compose(self._flatten(node, deferred))
        if text:
            level = heading_level(node)
            self.blocks.append(Block(BlockKind.HEADING, text, level=level, links=links))
        self._emit_deferred(deferred, 0)

    def _list(self, node: Tag, list_level: int) -> None:
        for child in list(node.children):
            if isinstance(child, Tag) and is_list_item(child):
                self._flush()
                self._list_item(child, list_level)
            elif isinstance(child, Tag) and is_list(child):
                self._flush()
                self._list(child, list_level + 1)
            elif isinstance(child, Tag) and _find_first(child, is_list_item) is not None:
                self._flush()
                self._list(child, list_level)  # a wrapper between a list and its items
            else:
                self._visit(child, list_level)
        self._flush()

    def _list_item(self, node: Tag, list_level: int) -> None:
        deferred: list[Tag] = []
        text, links = self._compose(self._flatten(node, deferred))
        if text:
            level = min(list_level, 9)
            self.blocks.append(Block(BlockKind.LIST_ITEM, text, level=level, links=links))
        self._emit_deferred(deferred, list_level + 1)

    def _emit_deferred(self, deferred: list[Tag], list_level: int) -> None:
        for node in deferred:
            if is_list(node):
                self._list(node, list_level)
            elif node.name == "label":
                self._label(node, list_level)
            else:
                self._field(node, "")

    def _table(self, node: Tag, list_level: int) -> None:
        rows = [r for r in _descendants(node, is_row) if _nearest(r, is_table) is node]
        cells = [_cells(r) for r in rows]
        layout = role(node) in ("presentation", "none") or all(len(c) <= 1 for c in cells)
        caption = node.find("caption")
        if isinstance(caption, Tag) and _nearest(caption, is_table) is node:
            self._children(caption, list_level)
            self._flush()
        for row, row_cells in zip(rows, cells, strict=True):
            if layout or any(_find_first(c, is_table) is not None for c in row_cells):
                for cell in row_cells:  # a table used for page layout: cells are containers
                    self._children(cell, list_level)
                    self._flush()
            else:
                self._row(row)

    def _row(self, row: Tag) -> None:
        deferred: list[Tag] = []
        texts: list[str] = []
        links: list[InlineLink] = []
        offset = 0
        for cell in _cells(row):
            text, cell_links = self._compose(self._flatten(cell, deferred))
            links.extend(InlineLink(x.start + offset, x.end + offset, x.href) for x in cell_links)
            texts.append(text)
            offset += len(text) + len(CELL_SEPARATOR)
        if any(texts):
            joined = CELL_SEPARATOR.join(texts)
            self.blocks.append(
                Block(BlockKind.TABLE_ROW, joined, cells=tuple(texts), links=tuple(links))
            )
        self._emit_deferred(deferred, 0)

    def _link_card(self, node: Tag, _list_level: int) -> None:
        """A link wrapping blocks (a card: title and description): one link block."""
        href = self._href(node)
        text, _ = self._compose(self._flatten(node, None, keep_links=False))
        if text and href is not None:
            self.blocks.append(Block(BlockKind.LINK, text, href=href))

    # -- form controls ---------------------------------------------------------------------

    def _field(self, control: Tag, wrapping_label: str) -> None:
        label = self._label_of(control, wrapping_label)
        name = _attribute(control, "name") or None
        if label or name:
            kind = control_type(control)
            options = self._options(control) if kind == "select" else ()
            self.blocks.append(
                Block(BlockKind.FIELD, label, name=name, control=kind, options=options)
            )

    def _options(self, select: Tag) -> tuple[str, ...]:
        """The choices of a select as shown, without the empty placeholder ones."""
        shown = (self._plain(option) for option in select.find_all("option"))
        return tuple(text for text in shown if text)

    def _label(self, node: Tag, _list_level: int) -> None:
        """A label wrapping its controls gives each of them its text; a `for=` label is read
        by its control and emits nothing itself."""
        wrapped = self._wrapped_controls(node)
        if not wrapped:
            return
        text, _ = self._compose(self._flatten(node, None, keep_links=False))
        for control in wrapped:
            self._field(control, text)

    def _wrapped_controls(self, label: Tag) -> list[Tag]:
        return list(_descendants(label, is_control))

    def _labels_other(self, label: Tag) -> bool:
        target = _attribute(label, "for")
        return bool(target) and self.labels.get(target) is label

    def _label_of(self, control: Tag, wrapping_label: str) -> str:
        if control.name in ("button",) or control_type(control) in ("submit", "button", "reset"):
            own = self._plain(control) or _attribute(control, "value")
            if own:
                return self._normalized(own)
        for source in (_attribute(control, "aria-label"), self._labelled_by(control)):
            if source:
                return self._normalized(source)
        label = self.labels.get(_attribute(control, "id"))
        if label is not None:
            return self._plain(label)
        if wrapping_label:
            return wrapping_label
        fallback = _attribute(control, "placeholder") or _attribute(control, "title")
        return self._normalized(fallback)

    def _labelled_by(self, control: Tag) -> str:
        ids = _attribute(control, "aria-labelledby").split()
        root = _root_of(control)
        found = (root.find(id=i) for i in ids)
        return " ".join(self._plain(tag) for tag in found if isinstance(tag, Tag))

    def _plain(self, node: Tag) -> str:
        return self._compose(self._flatten(node, None, keep_links=False))[0]

    def _normalized(self, text: str) -> str:
        return self._compose([Piece(text)])[0]

    # -- inline mode: everything below one block becomes its text ----------------------------

    def _flatten(
        self, node: Tag, deferred: list[Tag] | None, keep_links: bool = True
    ) -> list[Piece]:
        """The pieces of text under `node`; nested lists and form controls are put aside in
        `deferred` (to become blocks of their own after this one) or dropped when it is None."""
        pieces: list[Piece] = []
        for child in node.children:
            if is_text(child):
                pieces.append(self._text_piece(str(child)))
            elif not isinstance(child, Tag):
                continue
            elif is_list(child) or is_control(child) or _is_wrapping_label(child):
                if deferred is not None:
                    deferred.append(child)
            elif keep_links and child.name == "a" and self._href(child) is not None:
                pieces.extend(self._link_pieces(child))
            elif is_inline(child):
                pieces.extend(self._flatten(child, deferred, keep_links))
            else:  # a block inside a heading, list item or cell: its text, set apart by spaces
                pieces.extend((SPACE, *self._flatten(child, deferred, keep_links), SPACE))
        return pieces

    def _text_piece(self, text: str) -> Piece:
        return Piece(clean_addresses_in_text(text, self.links.rules))

    def _link_pieces(self, link: Tag) -> list[Piece]:
        href = self._href(link)
        inner = self._flatten(link, None, keep_links=False)
        return [Piece(piece.text, href) for piece in inner]

    def _href(self, link: Tag) -> str | None:
        return clean_href(_attribute(link, "href"), self.links) if link.has_attr("href") else None


def _is_wrapping_label(node: Tag) -> bool:
    return node.name == "label" and _find_first(node, is_control) is not None


def _attribute(node: Tag, name: str) -> str:
    value = node.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def _descendants(node: Tag, predicate: Callable[[Tag], bool]) -> Iterator[Tag]:
    for descendant in node.descendants:
        if isinstance(descendant, Tag) and predicate(descendant):
            yield descendant


def _find_first(node: Tag, predicate: Callable[[Tag], bool]) -> Tag | None:
    return next(_descendants(node, predicate), None)


def _nearest(node: Tag, predicate: Callable[[Tag], bool]) -> Tag | None:
    for parent in node.parents:
        if predicate(parent):
            return parent
    return None


def _cells(row: Tag) -> list[Tag]:
    def is_cell(tag: Tag) -> bool:
        return tag.name in ("td", "th") or role(tag) in _CELL_ROLES

    return [c for c in _descendants(row, is_cell) if _nearest(c, is_row) is row]


def _has_block_inside(node: Tag) -> bool:
    return _find_first(node, lambda tag: not is_inline(tag) and tag.name != "br") is not None


def _root_of(node: Tag) -> Tag:
    top = node
    for parent in node.parents:
        top = parent
    return top


def blocks_of(
    roots: Iterable[Tag],
    text_rules: TextRules,
    links: LinkContext,
    labels: dict[str, Tag],
    *,
    english: bool,
) -> tuple[Block, ...]:
    extractor = BlockExtractor(text_rules, links, labels, english=english)
    for root in roots:
        extractor.extract(root)
    return tuple(extractor.blocks)
