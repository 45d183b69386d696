"""Rendered HTML → `Document`: the visible content as ordered blocks, with the noise that changes
from one load to the next removed. Pure: strings in, values out."""

from watcher.normalize.blocks import CELL_SEPARATOR, Block, BlockKind, InlineLink
from watcher.normalize.canonical import CanonicalSyntaxError, render_block
from watcher.normalize.document import Document, parse_canonical
from watcher.normalize.html import SelectorMatchedNothing, normalize_html, selector_problem
from watcher.normalize.rules import NormalizeRules, default_rules

__all__ = [
    "CELL_SEPARATOR",
    "Block",
    "BlockKind",
    "CanonicalSyntaxError",
    "Document",
    "InlineLink",
    "NormalizeRules",
    "SelectorMatchedNothing",
    "default_rules",
    "normalize_html",
    "parse_canonical",
    "render_block",
    "selector_problem",
]
