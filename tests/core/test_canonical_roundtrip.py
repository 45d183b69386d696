"""Canonical text: what storage keeps must rebuild exactly the document it came from."""

from __future__ import annotations

import pytest
from core_strategies import documents
from hypothesis import given, settings

from watcher.normalize import (
    Block,
    BlockKind,
    CanonicalSyntaxError,
    Document,
    InlineLink,
    parse_canonical,
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_any_document_survives_its_canonical_text(document: Document) -> None:
    text = document.canonical_text()
    assert parse_canonical(text) == document
    assert parse_canonical(text).canonical_text() == text


def test_canonical_text_reads_like_markdown() -> None:
    document = Document(
        (
            Block(BlockKind.HEADING, "How we use information", level=2),
            Block(
                BlockKind.PARAGRAPH,
                "You can object to this use.",
                links=(InlineLink(8, 14, "https://example.org/form"),),
            ),
            Block(BlockKind.LIST_ITEM, "Posts"),
            Block(BlockKind.LIST_ITEM, "Comments", level=1),
            Block(BlockKind.TABLE_ROW, "Ads | Consent", cells=("Ads", "Consent")),
            Block(BlockKind.LINK, "Object", href="https://example.org/form"),
            Block(BlockKind.FIELD, "Email address", name="email", control="email"),
        )
    )
    assert document.canonical_text() == (
        "## How we use information\n"
        "\n"
        "You can [object](https://example.org/form) to this use.\n"
        "\n"
        "- Posts\n"
        "  - Comments\n"
        "\n"
        "| Ads | Consent |\n"
        "\n"
        "[Object](https://example.org/form)\n"
        "\n"
        '::field[Email address]{type="email" name="email"}\n'
    )


@pytest.mark.parametrize(
    "block",
    [
        Block(BlockKind.PARAGRAPH, "# not a heading"),
        Block(BlockKind.PARAGRAPH, "- not a list item"),
        Block(BlockKind.PARAGRAPH, "| not | a row |"),
        Block(BlockKind.PARAGRAPH, "::field[not a field]{}"),
        Block(BlockKind.PARAGRAPH, "[not a link](https://example.org)"),
        Block(BlockKind.PARAGRAPH, "\\ a backslash first"),
        Block(BlockKind.TABLE_ROW, "a \\| b | ", cells=("a \\| b", "")),
        Block(BlockKind.LINK, "x", href="https://example.org/a_(b)\\c"),
        Block(BlockKind.FIELD, "", name='say "hi"'),
    ],
)
def test_text_that_looks_like_markup_stays_text(block: Block) -> None:
    document = Document((block,))
    assert parse_canonical(document.canonical_text()) == document


def test_text_length_counts_visible_characters_only() -> None:
    document = Document(
        (
            Block(BlockKind.HEADING, "Title", level=1),
            Block(BlockKind.TABLE_ROW, "ab | c", cells=("ab", "c")),
        )
    )
    assert document.text_length == len("Title") + len("ab") + len("c")


@pytest.mark.parametrize(
    "text",
    [
        "####### seven levels",
        "#no space",
        "   - odd indent",
        "| unterminated",
        "a ] stray bracket",
        "[unclosed](https://example.org",
        '::field[label]{colour="red"}',
    ],
)
def test_text_no_document_could_give_is_refused(text: str) -> None:
    with pytest.raises(CanonicalSyntaxError):
        parse_canonical(text)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Block(BlockKind.PARAGRAPH, ""),
        lambda: Block(BlockKind.PARAGRAPH, " padded"),
        lambda: Block(BlockKind.PARAGRAPH, "two  spaces"),
        lambda: Block(BlockKind.PARAGRAPH, "two\nlines"),
        lambda: Block(BlockKind.HEADING, "level zero"),
        lambda: Block(BlockKind.LINK, "no target"),
        lambda: Block(BlockKind.PARAGRAPH, "whole link", links=(InlineLink(0, 10, "/x"),)),
        lambda: Block(BlockKind.PARAGRAPH, "a b", links=(InlineLink(1, 3, "/x"),)),
        lambda: Block(BlockKind.TABLE_ROW, "a | b", cells=("a", "c")),
        lambda: Block(BlockKind.PARAGRAPH, "named", name="x"),
    ],
)
def test_invalid_blocks_cannot_be_made(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]
