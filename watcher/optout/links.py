"""Finding the objection/opt-out links on a normalized page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from watcher.classify import default_lexicon
from watcher.classify.rules import FORM_URL
from watcher.normalize import Block, BlockKind, Document

MAX_LINKS = 3


@dataclass(frozen=True)
class OptOutLink:
    text: str
    href: str


_SENTENCE_END = re.compile(r"[.!?;:](?:\s|$)")


def _sentence_around(text: str, start: int) -> str:
    """The sentence of `text` that holds the character at `start`."""
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            return text[begin : match.end()]
        begin = match.end()
    return text[begin:]


def _links_of(block: Block, lead_in: str) -> list[tuple[str, str, str]]:
    """(link text, target, the words around it that say what it is for)."""
    links = [
        (block.link_text(link), link.href, _sentence_around(block.text, link.start))
        for link in block.links
    ]
    if block.kind is BlockKind.LINK and block.href is not None:
        # A bare "Object" link often stands under the sentence that says what it is for.
        links.insert(0, (block.text, block.href, lead_in))
    return links


def find_opt_out_links(document: Document, *, limit: int = MAX_LINKS) -> tuple[OptOutLink, ...]:
    """Links whose words, whose sentence or whose target (a contact form) say they lead to an
    objection or opt-out, each target once, in page order."""
    words = default_lexicon().opt_out
    found: dict[str, OptOutLink] = {}
    previous_text = ""
    for block in document.blocks:
        for text, href, said in _links_of(block, previous_text):
            if not href.startswith(("http://", "https://")) or href in found:
                continue
            if words.any_in(text) or words.any_in(said) or FORM_URL.search(href):
                found[href] = OptOutLink(text=text, href=href)
        previous_text = block.text
    return tuple(found.values())[:limit]
