"""How big a page may be before it is a `too_large` failure instead of a page to read.

The defaults fit any real Meta page with a wide margin: the longest policy is ~150-250 KB of
text in ~1-3 MB of HTML and a few tens of thousands of elements. Beyond them a page is
something else (a broken server, a gzip bomb, a runaway script) and reading it would cost
gigabytes of memory in Chromium and in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

_KB = 1024
_UNITS = (("GB", _KB**3), ("MB", _KB**2), ("KB", _KB))


@dataclass(frozen=True)
class PageLimits:
    """Upper bounds for one fetched page."""

    # Raw HTML of the page's documents as received (decoded, so a gzip bomb counts by what it
    # inflates to), and the HTML the rendered page serializes to.
    max_page_bytes: int = 10 * _KB**2
    # Elements in one document, counted as they are inserted and again before serializing.
    max_dom_nodes: int = 200_000
    # Visible characters of the text extracted from the page (link targets not counted).
    max_text_chars: int = 2_000_000


def format_size(size: int) -> str:
    """A byte count as people read it: 10485760 → `10 MB`, 1536 → `1.5 KB`, 900 → `900 B`."""
    for unit, scale in _UNITS:
        if size >= scale:
            shown = f"{size / scale:.1f}".removesuffix(".0")
            return f"{shown} {unit}"
    return f"{size} B"
