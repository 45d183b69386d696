"""Does a cookie-consent dialog left open hide the content, or only sit beside it?

A dialog nobody clicked away is a failure only when it hides what the source watches: the
content its `select` names is missing or thin, the dialog is inside that content, or the
content is inside the dialog. A dialog outside the selected content, or one the source's
`remove` selectors take out, leaves the content readable: the check goes on with a note.

Only run when the rendered page has an open consent dialog, so the second parse (with the
CSS selectors the normalize package evaluates) costs nothing on ordinary pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from watcher.normalize.html import select_all
from watcher.normalize.markup import DEAD_TAGS, is_hidden, is_text

_SPACES = re.compile(r"\s+")
_DIALOG_ROLES = frozenset({"dialog", "alertdialog"})

OUTSIDE_NOTE = "a cookie-consent dialog stayed open (outside the selected content)"
REMOVED_NOTE = "a cookie-consent dialog stayed open (removed by the source's `remove` selectors)"


@dataclass(frozen=True)
class ConsentJudgement:
    """Whether open consent dialogs hide the content, and what to note when they do not."""

    hides_content: bool
    note: str | None = None


HIDES = ConsentJudgement(hides_content=True)


def judge_consent_dialogs(
    page_html: str,
    *,
    select: Sequence[str],
    remove: Sequence[str],
    consent_words: Sequence[str],
    min_content_chars: int,
) -> ConsentJudgement:
    """Judges the page's visible consent dialogs against the content `select` names."""
    soup = BeautifulSoup(page_html, "lxml")
    for dead in [t for t in soup.find_all(True) if isinstance(t, Tag) and _invisible(t)]:
        if not dead.decomposed:
            dead.decompose()
    dialogs = [d for d in soup.find_all(_is_dialog) if _mentions(d, consent_words)]
    if not dialogs:
        return ConsentJudgement(hides_content=False)  # only hidden ones: already answered
    removed = {id(tag) for tag in select_all(soup, remove)}
    roots = _roots(soup, select)
    if not roots:
        return HIDES
    kept = [d for d in dialogs if not _within(d, removed)]
    if any(_within(d, {id(r) for r in roots}) for d in kept):
        return HIDES  # the dialog is part of the content it would be read as
    if any(_within(r, {id(d) for d in dialogs}) for r in roots):
        return HIDES  # the content is only what the dialog shows
    if _content_length(roots, removed | {id(d) for d in dialogs}) < min_content_chars:
        return HIDES  # the dialog has taken the content's place
    return ConsentJudgement(hides_content=False, note=OUTSIDE_NOTE if kept else REMOVED_NOTE)


def _invisible(tag: Tag) -> bool:
    return tag.name in DEAD_TAGS or is_hidden(tag)


def _is_dialog(tag: Tag) -> bool:
    role = str(tag.get("role", "")).strip().lower()
    return role in _DIALOG_ROLES or str(tag.get("aria-modal", "")).strip().lower() == "true"


def _mentions(dialog: Tag, words: Sequence[str]) -> bool:
    text = dialog.get_text(" ").lower()
    return any(word in text for word in words)


def _roots(soup: BeautifulSoup, select: Sequence[str]) -> list[Tag]:
    if not select:
        return [soup.body] if soup.body is not None else []
    return select_all(soup, select)


def _within(tag: Tag, ancestors: set[int]) -> bool:
    """Whether `tag` is one of `ancestors` or inside one of them."""
    if id(tag) in ancestors:
        return True
    return any(id(parent) in ancestors for parent in tag.parents)


def _content_length(roots: Sequence[Tag], skipped: set[int]) -> int:
    """Visible characters of the roots, leaving out the skipped elements."""
    total = 0
    for root in roots:
        for text in root.find_all(string=True):
            parent = text.parent
            if is_text(text) and parent is not None and not _within(parent, skipped):
                total += len(_SPACES.sub(" ", str(text)).strip())
    return total
