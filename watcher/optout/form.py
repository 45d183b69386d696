"""Judging a followed objection link: is the form there, with its fields?"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

import yaml

from watcher.normalize import BlockKind, Document

REQUIRED_FIELDS = ("country", "email", "reason")


class FormStatus(StrEnum):
    AVAILABLE = "available"
    FIELDS_MISSING = "fields_missing"
    NO_FORM = "no_form"
    REQUIRES_LOGIN = "requires_login"
    GONE = "gone"


@dataclass(frozen=True)
class FormState:
    """What a person following the link finds."""

    link_text: str
    href: str
    status: FormStatus
    final_url: str
    fields: tuple[str, ...] = ()
    detail: str = ""

    def describe(self) -> str:
        if self.status is FormStatus.AVAILABLE:
            return f"form available with fields {', '.join(self.fields)}"
        if self.status is FormStatus.FIELDS_MISSING:
            missing = [f for f in REQUIRED_FIELDS if f not in self.fields]
            kept = ", ".join(self.fields) or "none"
            return f"form lost its {', '.join(missing)} field(s) (fields now: {kept})"
        if self.status is FormStatus.NO_FORM:
            return "the page has no form"
        if self.status is FormStatus.REQUIRES_LOGIN:
            return "the form requires logging in"
        return f"the form page is gone ({self.detail})"


@cache
def _field_words() -> Mapping[str, tuple[str, ...]]:
    text = resources.files("watcher.optout").joinpath("fields.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return {name: tuple(str(w).casefold() for w in words) for name, words in raw.items()}


def _named_fields(document: Document) -> tuple[str, ...]:
    words = _field_words()
    present: set[str] = set()
    for block in document.blocks:
        if block.kind is not BlockKind.FIELD or block.control in {"submit", "button", "hidden"}:
            continue
        said = f"{block.text} {block.name or ''}".casefold()
        present |= {name for name, terms in words.items() if any(t in said for t in terms)}
    return tuple(name for name in REQUIRED_FIELDS if name in present)


def inspect_form(
    link_text: str,
    href: str,
    *,
    final_url: str,
    document: Document | None,
    status: int,
    login_wall: bool,
) -> FormState:
    """Pure: the state of the form page reached from an objection link."""
    if login_wall:
        return FormState(link_text, href, FormStatus.REQUIRES_LOGIN, final_url)
    if status >= 400 or document is None:
        return FormState(link_text, href, FormStatus.GONE, final_url, detail=f"HTTP {status}")
    fields = _named_fields(document)
    has_controls = any(b.kind is BlockKind.FIELD for b in document.blocks)
    if not has_controls:
        return FormState(link_text, href, FormStatus.NO_FORM, final_url)
    if len(fields) < len(REQUIRED_FIELDS):
        return FormState(link_text, href, FormStatus.FIELDS_MISSING, final_url, fields)
    return FormState(link_text, href, FormStatus.AVAILABLE, final_url, fields)
