"""Volatile spans: learned from two loads that disagree, masking only what varied."""

from __future__ import annotations

from watcher.diff.volatile import VARIES, Mask, apply_masks, learn_masks

STORED = """\
# Privacy Policy
Effective 2025-12-16
We collect the content you create, such as posts and comments.
Read by 1,204 people this week.
## Your rights
You have the right to object to how we use your information.
"""


def test_a_counter_that_varies_between_loads_becomes_a_varying_mask() -> None:
    first = STORED
    second = STORED.replace("1,204", "1,311")
    (mask,) = learn_masks(first, second)
    assert mask == Mask(f"Read by {VARIES} people this week.")
    assert apply_masks(first, [mask]) == apply_masks(second, [mask])
    assert apply_masks(STORED.replace("1,204", "9"), [mask]) == apply_masks(first, [mask])


def test_a_block_rendered_on_one_load_only_becomes_an_optional_mask() -> None:
    block = "We collect the content you create, such as posts and comments.\n"
    collapsed = STORED.replace(block, "")
    masks = learn_masks(STORED, collapsed)
    assert masks == (
        Mask("We collect the content you create, such as posts and comments.", optional=True),
    )
    assert apply_masks(STORED, masks) == apply_masks(collapsed, masks) == collapsed


def test_a_real_change_both_loads_agree_on_is_still_a_change_after_masking() -> None:
    edited = STORED.replace("posts and comments", "posts, comments and AI chats")
    first, second = edited.replace("1,204", "1,311"), edited.replace("1,204", "1,500")
    masks = learn_masks(first, second)
    assert masks == (Mask(f"Read by {VARIES} people this week."),)
    assert apply_masks(first, masks) == apply_masks(second, masks)
    assert apply_masks(first, masks) != apply_masks(STORED, masks)
    assert "AI chats" in apply_masks(first, masks)


def test_a_block_rewritten_beyond_recognition_is_not_a_pattern_that_matches_anything() -> None:
    first = STORED.replace("Read by 1,204 people this week.", "Tip: check your settings.")
    second = STORED.replace("Read by 1,204 people this week.", "New: download your data.")
    masks = learn_masks(first, second)
    assert all(mask.optional for mask in masks)
    # The other blocks are untouched by these masks.
    assert "You have the right to object" in apply_masks(first, masks)
    assert apply_masks(first, masks) == apply_masks(second, masks)


def test_loads_that_differ_everywhere_teach_nothing() -> None:
    first = "\n".join(f"Paragraph {n} says one thing." for n in range(60))
    second = "\n".join(f"Section {n} reads another way entirely." for n in range(60))
    assert learn_masks(first, second) == ()


def test_identical_loads_teach_nothing_and_no_masks_change_nothing() -> None:
    assert learn_masks(STORED, STORED) == ()
    assert apply_masks(STORED, []) == STORED
