"""Cutting third-party text without breaking characters, and Markdown escaping."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from notifiers_testkit import markdown_to_html

from notifiers.escape import escape_markdown, markdown_code_block, markdown_link, markdown_url
from notifiers.text import clean_text, safe_cut, shorten, tidy_paragraph, utf16_len

# Graphemes made of several code points: a flag, a family joined by ZWJ, a thumbs-up
# with a skin tone, an "e" with a combining accent, a heart with a variation selector.
GRAPHEMES = ["🇫🇷", "👩\u200d👩\u200d👧", "👍🏽", "e\u0301", "❤\ufe0f", "a", " ", "ß", "中"]


@given(st.lists(st.sampled_from(GRAPHEMES), max_size=30), st.integers(0, 80))
def test_safe_cut_keeps_whole_graphemes(parts: list[str], limit: int) -> None:
    text = "".join(parts)
    cut = safe_cut(text, limit)
    assert len(cut) <= limit
    prefixes = {"".join(parts[:count]) for count in range(len(parts) + 1)}
    assert cut in prefixes


@given(st.text(max_size=300), st.integers(1, 120))
def test_shorten_never_exceeds_the_limit_and_marks_the_cut(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    if short != text:
        assert short.endswith("…") or limit == 1


def test_shorten_prefers_a_word_boundary() -> None:
    assert (
        shorten("We may use your public posts to train models", 30)
        == "We may use your public posts…"
    )
    assert shorten("short", 30) == "short"


def test_utf16_len_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("🇫🇷") == 4
    assert utf16_len("é") == 1


def test_cleaning_drops_control_characters_and_blank_lines() -> None:
    assert clean_text("a\x00b\x1ec\r\nd\x7f") == "abc\nd"
    assert tidy_paragraph("  one \t two \n\n\n  three  ") == "one two\nthree"


def test_escaped_page_text_renders_literally_as_commonmark() -> None:
    hostile = (
        "# Not a heading\n- not a list\n1. not numbered\n> not a quote\n"
        "*bold* _it_ `code` [link](http://evil.example) <b>tag</b> &copy; a\\b ~~x~~"
    )
    html = markdown_to_html(escape_markdown(hostile))
    for tag in ("<h1", "<li", "<ol", "<ul", "<blockquote", "<em", "<strong", "<code", "<a ", "<b>"):
        assert tag not in html, tag
    assert "&copy;" not in html
    assert "*bold*" in html and "[link](http://evil.example)" in html


def test_plain_words_are_left_readable() -> None:
    text = "Effective May 27, 2025 - we (Meta) use data & more."
    assert escape_markdown(text) == text


def test_code_block_cannot_be_closed_by_its_content() -> None:
    block = markdown_code_block("- a\n```\n+ b", "diff")
    html = markdown_to_html(str(block) + "\n\nafter")
    assert html.count("<code") == 1
    assert "+ b" in html.split("</code>")[0]


def test_links_keep_their_destination_and_escape_their_label() -> None:
    assert markdown_url("http://h/a b|c<d>") == "http://h/a%20b%7Cc%3Cd%3E"
    link = markdown_link("see *this*", "http://127.0.0.1:8080/changes/42?x=1&y=2")
    assert str(link) == r"[see \*this\*](<http://127.0.0.1:8080/changes/42?x=1&y=2>)"
    assert 'href="http://127.0.0.1:8080/changes/42?x=1&amp;y=2"' in markdown_to_html(str(link))
