"""Hypothesis strategies for documents (shared by the core tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from watcher.normalize import CELL_SEPARATOR, Block, BlockKind, Document, InlineLink

# Characters that mean something in canonical text are drawn often, next to any other.
_MARKUP = "[]()\\|#-:*!`_{}\"=' "
_CHARS = st.one_of(
    st.sampled_from(_MARKUP),
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
)
words = st.text(_CHARS, min_size=1, max_size=6).map(lambda s: "".join(s.split())).filter(bool)
phrases = st.lists(words, min_size=1, max_size=4).map(" ".join)
hrefs = st.text(_CHARS, min_size=1, max_size=20).filter(lambda h: "\n" not in h and "\r" not in h)
names = hrefs
# Option texts: clean text, with the option separator `|` and escapes drawn often.
option_texts = phrases


@st.composite
def inline_text(draw: st.DrawFn) -> tuple[str, tuple[InlineLink, ...]]:
    """Clean text with some of its phrases linked."""
    segments = draw(st.lists(st.tuples(phrases, st.none() | hrefs), min_size=1, max_size=4))
    text = ""
    links: list[InlineLink] = []
    for phrase, href in segments:
        if text:
            text += " "
        if href is not None:
            links.append(InlineLink(len(text), len(text) + len(phrase), href))
        text += phrase
    return text, tuple(links)


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    kind = draw(st.sampled_from(list(BlockKind)))
    if kind is BlockKind.HEADING:
        text, links = draw(inline_text())
        return Block(kind, text, level=draw(st.integers(1, 6)), links=links)
    if kind is BlockKind.LIST_ITEM:
        text, links = draw(inline_text())
        return Block(kind, text, level=draw(st.integers(0, 9)), links=links)
    if kind is BlockKind.LINK:
        return Block(kind, draw(phrases), href=draw(hrefs))
    if kind is BlockKind.FIELD:
        return Block(
            kind,
            draw(st.just("") | phrases),
            name=draw(st.none() | names),
            control=draw(st.none() | st.sampled_from(["text", "email", "select", "submit"])),
            options=tuple(draw(st.lists(option_texts, max_size=4))),
        )
    if kind is BlockKind.TABLE_ROW:
        return draw(table_rows())
    text, links = draw(inline_text())
    if len(links) == 1 and links[0].start == 0 and links[0].end == len(text):
        return Block(BlockKind.LINK, text, href=links[0].href)
    return Block(BlockKind.PARAGRAPH, text, links=links)


@st.composite
def table_rows(draw: st.DrawFn) -> Block:
    cells = draw(st.lists(st.just(("", ())) | inline_text(), min_size=1, max_size=4))
    if not any(text for text, _ in cells):
        cells[0] = draw(inline_text())
    texts: list[str] = []
    links: list[InlineLink] = []
    offset = 0
    for text, cell_links in cells:
        links.extend(InlineLink(x.start + offset, x.end + offset, x.href) for x in cell_links)
        texts.append(text)
        offset += len(text) + len(CELL_SEPARATOR)
    return Block(
        BlockKind.TABLE_ROW, CELL_SEPARATOR.join(texts), cells=tuple(texts), links=tuple(links)
    )


documents = st.lists(blocks(), max_size=12).map(lambda b: Document(tuple(b)))
