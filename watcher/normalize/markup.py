"""What an element is, judged by its tag and ARIA role only (class names are generated)."""

from __future__ import annotations

import re

from bs4 import Tag
from bs4.element import NavigableString, PageElement, PreformattedString

INLINE_TAGS = frozenset(
    {
        *("a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em"),
        *("font", "i", "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small"),
        *("span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"),
    }
)
# Never visible text: removed before anything is read (a select's options are read only as
# the choices of its field).
DEAD_TAGS = frozenset(
    {
        *("script", "style", "template", "noscript", "head", "title", "meta", "link", "base"),
        *("svg", "math", "iframe", "frame", "frameset", "object", "embed", "canvas", "img"),
        *("picture", "video", "audio", "source", "track", "map", "area", "param"),
        *("datalist",),
    }
)
_HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.I)
_FIELD_INPUT_TYPES_SKIPPED = frozenset({"hidden", "password"})


def role(node: Tag) -> str:
    value = node.get("role")
    return value.strip().lower() if isinstance(value, str) else ""


def is_text(node: PageElement) -> bool:
    """Visible character data (not comments, doctype or processing instructions)."""
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def is_hidden(node: Tag) -> bool:
    if node.has_attr("hidden"):
        return True
    if str(node.get("aria-hidden", "")).strip().lower() == "true":
        # A modal dialog may hide the whole page behind it from screen readers; the page is
        # still what a reader came for.
        return node.find(_is_main) is None
    if node.name == "input" and str(node.get("type", "")).strip().lower() == "hidden":
        return True
    style = node.get("style")
    return isinstance(style, str) and _HIDDEN_STYLE.search(style) is not None


def _is_main(node: Tag) -> bool:
    return node.name == "main" or role(node) == "main"


def is_inline(node: Tag) -> bool:
    return node.name in INLINE_TAGS and role(node) not in ("heading", "list", "listitem", "table")


def heading_level(node: Tag) -> int:
    """1–6 for a heading (tag or `role=heading` with `aria-level`), else 0."""
    if node.name in _HEADING_TAGS:
        return _HEADING_TAGS[node.name]
    if role(node) != "heading":
        return 0
    level = str(node.get("aria-level", "2")).strip()
    return min(max(int(level), 1), 6) if level.isdigit() else 2


def is_list(node: Tag) -> bool:
    return node.name in ("ul", "ol", "menu") or role(node) == "list"


def is_list_item(node: Tag) -> bool:
    return node.name == "li" or role(node) == "listitem"


def is_table(node: Tag) -> bool:
    return node.name == "table" or role(node) in ("table", "grid", "treegrid")


def is_row(node: Tag) -> bool:
    return node.name == "tr" or role(node) == "row"


def is_control(node: Tag) -> bool:
    """A form control worth reporting: inputs, selects, text areas, and buttons of a form."""
    if node.name == "input":
        return str(node.get("type", "text")).lower() not in _FIELD_INPUT_TYPES_SKIPPED
    if node.name in ("select", "textarea"):
        return True
    if node.name == "button":
        return any(p.name == "form" or role(p) == "form" for p in node.parents)
    return False


def control_type(node: Tag) -> str:
    if node.name in ("select", "textarea"):
        return node.name
    default = "submit" if node.name == "button" else "text"
    value = node.get("type")
    if not isinstance(value, str):
        return default
    return value.strip().lower() or default
