"""diff_documents: block alignment, moves, link targets, word-level detail and renderings."""

from __future__ import annotations

import json
import time

import pytest
from core_strategies import documents
from hypothesis import given, settings

from watcher.diff import BlockOp, Change, OpKind, SegmentKind, WordSegment, diff_documents
from watcher.normalize import Block, BlockKind, Document, InlineLink, parse_canonical


def doc(canonical: str) -> Document:
    return parse_canonical(canonical.strip() + "\n")


POLICY = doc(
    """
# Privacy Policy
Effective 2024-06-26
## What information do we collect?
- Content you create
- Messages you send
This paragraph will move to another section later on.
## How do we use your information?
We use information to personalize ads and content.
You have the right to [object](https://example.org/help/contact/6359191084165019) to this.
## How can you contact us?
Write to us at any time.
"""
)


def test_identical_documents_give_an_empty_change() -> None:
    change = diff_documents(POLICY, POLICY)
    assert change.is_empty
    assert change.summary() == "no change"
    assert change.to_unified() == ""


def test_an_edited_paragraph_is_one_replace_with_word_detail() -> None:
    new = doc(
        POLICY.canonical_text().replace(
            "personalize ads and content.", "personalize ads, content and to train AI models."
        )
    )
    (op,) = diff_documents(POLICY, new).ops
    assert op.op is OpKind.REPLACE
    assert op.path == ("Privacy Policy", "How do we use your information?")
    assert op.words == (
        WordSegment(SegmentKind.EQUAL, "We use information to personalize ads"),
        WordSegment(SegmentKind.DELETE, " and content"),
        WordSegment(SegmentKind.INSERT, ", content and to train AI models"),
        WordSegment(SegmentKind.EQUAL, "."),
    )


def test_a_date_change_is_an_edit_of_the_dated_line() -> None:
    new = doc(POLICY.canonical_text().replace("2024-06-26", "2025-05-27"))
    (op,) = diff_documents(POLICY, new).ops
    assert op.op is OpKind.REPLACE
    assert [s for s in op.words if s.op is not SegmentKind.EQUAL] == [
        WordSegment(SegmentKind.DELETE, "2024-06-26"),
        WordSegment(SegmentKind.INSERT, "2025-05-27"),
    ]


def test_a_paragraph_that_moved_is_reported_as_moved() -> None:
    text = POLICY.canonical_text()
    moved_line = "This paragraph will move to another section later on.\n"
    new = doc(
        text.replace(moved_line, "").replace(
            "Write to us at any time.", "Write to us at any time.\n" + moved_line
        )
    )
    (op,) = diff_documents(POLICY, new).ops
    assert op.op is OpKind.MOVE
    assert op.old_path == ("Privacy Policy", "What information do we collect?")
    assert op.path == ("Privacy Policy", "How can you contact us?")
    assert "moved" in diff_documents(POLICY, new).summary()
    assert "~ This paragraph will move" in diff_documents(POLICY, new).to_unified()


def test_a_link_whose_target_changed_is_a_change_even_with_the_same_text() -> None:
    new = doc(POLICY.canonical_text().replace("6359191084165019", "712876720715583"))
    change = diff_documents(POLICY, new)
    (op,) = change.ops
    assert op.op is OpKind.REPLACE
    assert op.link_target_changed
    assert all(s.op is SegmentKind.EQUAL for s in op.words)
    assert change.summary() == "1 link target changed under 'How do we use your information?'"
    assert "712876720715583" in change.to_unified()
    assert "712876720715583" in change.to_html_inline()


def test_insertions_and_deletions_keep_their_place_and_section() -> None:
    new = doc(
        POLICY.canonical_text()
        .replace("- Messages you send\n", "- Messages you send\n- Interactions with AI features\n")
        .replace("Write to us at any time.\n", "")
    )
    change = diff_documents(POLICY, new)
    inserted, deleted = change.ops
    assert inserted.op is OpKind.INSERT and inserted.new_index == 5
    assert inserted.path == ("Privacy Policy", "What information do we collect?")
    assert deleted.op is OpKind.DELETE and deleted.old_index == 10
    assert deleted.path == ("Privacy Policy", "How can you contact us?")
    assert change.summary() == "1 list item added, 1 paragraph removed under 'Privacy Policy'"


def test_unified_text_shows_context_and_marks() -> None:
    new = doc(POLICY.canonical_text().replace("Write to us", "Write to our team"))
    assert diff_documents(POLICY, new).to_unified(context=1) == (
        "@@ Privacy Policy › How can you contact us? @@\n"
        "  ## How can you contact us?\n"
        "- Write to us at any time.\n"
        "+ Write to our team at any time.\n"
    )


def test_context_is_bounded_and_far_apart_changes_make_separate_hunks() -> None:
    blocks = tuple(Block(BlockKind.PARAGRAPH, f"Paragraph number {i}.") for i in range(30))
    edited = list(blocks)
    edited[3] = Block(BlockKind.PARAGRAPH, "Paragraph number three, reworded.")
    edited[25] = Block(BlockKind.PARAGRAPH, "Paragraph number twenty-five, reworded.")
    change = diff_documents(Document(blocks), Document(tuple(edited)))
    unified = change.to_unified(context=2)
    assert unified.count("@@") == 4
    assert "Paragraph number 1." in unified and "Paragraph number 0." not in unified
    assert "Paragraph number 14." not in unified
    assert change.to_unified(context=99) == change.to_unified(context=3)
    assert len(change.context) <= 4 * 3


def test_pairing_prefers_the_similar_block() -> None:
    old = doc("First paragraph about cookies and storage.\nSecond paragraph about your rights.")
    new = doc(
        "A brand new paragraph on something else entirely.\nSecond paragraph about all your rights."
    )
    ops = diff_documents(old, new).ops
    kinds = sorted((op.op.value, op.old_index, op.new_index) for op in ops)
    assert kinds == [("delete", 0, None), ("insert", None, 0), ("replace", 1, 1)]


def test_a_rewritten_page_is_deletions_and_insertions_not_a_timeout() -> None:
    old = Document(tuple(Block(BlockKind.PARAGRAPH, f"Old text {i} alpha.") for i in range(400)))
    new = Document(tuple(Block(BlockKind.PARAGRAPH, f"Brand new {i} omega.") for i in range(400)))
    started = time.perf_counter()
    change = diff_documents(old, new)
    assert time.perf_counter() - started < 5
    assert {op.op for op in change.ops} <= {OpKind.INSERT, OpKind.DELETE, OpKind.REPLACE}
    assert len(change.ops) >= 400


def test_change_json_round_trips_and_is_plain_json() -> None:
    new = doc(
        POLICY.canonical_text()
        .replace("6359191084165019", "712876720715583")
        .replace("Effective 2024-06-26", "Effective 2025-05-27")
        .replace("- Messages you send\n", "")
    )
    change = diff_documents(POLICY, new)
    stored = json.loads(json.dumps(change.to_json()))
    assert Change.from_json(stored) == change
    with pytest.raises(ValueError):
        Change.from_json({**stored, "version": 99})


@settings(max_examples=150, deadline=None)
@given(documents, documents)
def test_any_two_documents_diff_consistently(old: Document, new: Document) -> None:
    change = diff_documents(old, new)
    assert change.is_empty == (old == new)
    for op in change.ops:
        if op.old_index is not None:
            assert old.blocks[op.old_index] == op.old_block
        if op.new_index is not None:
            assert new.blocks[op.new_index] == op.new_block
    touched_new = {op.new_index for op in change.ops if op.new_index is not None}
    touched_old = {op.old_index for op in change.ops if op.old_index is not None}
    # Every block of each side that is not in an op is matched by an unchanged one.
    assert len(new.blocks) - len(touched_new) == len(old.blocks) - len(touched_old)
    assert Change.from_json(json.loads(json.dumps(change.to_json()))) == change
    assert diff_documents(old, new) == change  # deterministic


HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_page_text_is_escaped_in_html_renderings() -> None:
    old = Document(
        (
            Block(BlockKind.PARAGRAPH, f"Safe text {HOSTILE} here."),
            Block(BlockKind.LINK, "Click", href="javascript:alert(3)"),
            Block(BlockKind.FIELD, HOSTILE, name='"><script>alert(4)</script>', control="text"),
        )
    )
    new = Document(
        (
            Block(BlockKind.PARAGRAPH, f"Safe text {HOSTILE} there."),
            Block(BlockKind.LINK, "Click", href='javascript:alert("5")'),
            Block(BlockKind.HEADING, HOSTILE, level=2),
        )
    )
    change = diff_documents(old, new)
    for html in (change.to_html_inline(), change.to_html_side_by_side()):
        assert "<script" not in html
        assert "<img" not in html
        assert "&lt;script&gt;" in html
        assert "onerror=&quot;" in html
        assert "href=" not in html  # targets are shown as text, never as live links
        assert "javascript:alert(3)" in html  # ... but shown
        assert "<ins>" in html and "<del>" in html


def test_html_marks_changes_with_words_not_only_colour() -> None:
    new = doc(
        POLICY.canonical_text()
        .replace("Write to us", "Write to our team")
        .replace("- Messages you send\n", "")
        .replace("- Content you create\n", "- Content you create\n- Photos\n")
    )
    change = diff_documents(POLICY, new)
    inline = change.to_html_inline()
    for word in ("Changed", "Added", "Removed"):
        assert word in inline
    side = change.to_html_side_by_side()
    assert "Before" in side and "After" in side
    assert "<del>us</del><ins>our team</ins>" in inline


def test_summary_counts_and_names_the_section() -> None:
    ops = (
        BlockOp(
            OpKind.REPLACE,
            Block(BlockKind.PARAGRAPH, "a"),
            Block(BlockKind.PARAGRAPH, "b"),
            0,
            0,
            0,
            ("Policy", "How we use information"),
        ),
        BlockOp(
            OpKind.REPLACE,
            Block(BlockKind.PARAGRAPH, "c"),
            Block(BlockKind.PARAGRAPH, "d"),
            1,
            1,
            1,
            ("Policy", "How we use information"),
        ),
        BlockOp(
            OpKind.REPLACE,
            Block(BlockKind.PARAGRAPH, "x y", links=(InlineLink(0, 1, "/a"),)),
            Block(BlockKind.PARAGRAPH, "x y", links=(InlineLink(0, 1, "/b"),)),
            2,
            2,
            2,
            ("Policy", "How we use information"),
        ),
    )
    # The third op only retargets its link: it is counted once, as a link target.
    assert Change(ops).summary() == (
        "2 paragraphs changed under 'How we use information'; 1 link target changed"
    )


def test_a_large_page_with_a_few_edits_diffs_in_tens_of_milliseconds() -> None:
    sentence = "We use the information we have to provide, personalize and improve our Products. "
    blocks = []
    for section in range(60):
        blocks.append(Block(BlockKind.HEADING, f"Section {section} of the policy", level=2))
        for item in range(5):
            text = f"{sentence * 6}Paragraph {section}.{item}.".strip()
            blocks.append(Block(BlockKind.PARAGRAPH, text))
    old = Document(tuple(blocks))
    assert len(old.canonical_text()) > 150_000
    edited = list(blocks)
    for index in (10, 100, 200, 300):
        edited[index] = Block(BlockKind.PARAGRAPH, edited[index].text + " A new sentence.")
    edited.insert(50, Block(BlockKind.PARAGRAPH, "A paragraph that did not exist."))
    new = Document(tuple(edited))
    best = min(_seconds(lambda: diff_documents(old, new)) for _ in range(3))
    assert len(diff_documents(old, new).ops) == 5
    # A few tens of ms on an idle core; the bound leaves room for a busy shared machine.
    assert best < 0.25


def _seconds(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started
