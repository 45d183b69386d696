"""What a check found, decided from the stored version and one or two fetches. Pure.

`decide` says which of first version, unchanged, flap, failure or difference it is; for a
difference, `compare` (CPU: diff and classification, run in the analysis workers) says what
changed, and the check becomes `Changed`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from watcher.classify import Finding, classify
from watcher.diff import Change, diff_documents
from watcher.fetch.base import FetchFailure
from watcher.normalize import Document, parse_canonical
from watcher.optout import opt_out_findings
from watcher.pipeline.page import Page

CONFIRMATION_FAILED = "confirmation re-fetch failed: "

FindingsOf = Callable[[Change, Document, Document, str], list[Finding]]


@dataclass(frozen=True)
class Stored:
    """The version a check compares with: the target's latest when the check started."""

    id: int
    canonical: str
    text_length: int  # visible characters, to tell a partial render from the whole page

    @classmethod
    def of(cls, snapshot_id: int, canonical: str) -> Stored:
        return cls(snapshot_id, canonical, parse_canonical(canonical).text_length)


@dataclass(frozen=True)
class Failed:
    failure: FetchFailure
    prefix: str = ""

    @property
    def detail(self) -> str:
        return self.prefix + self.failure.detail


@dataclass(frozen=True)
class FirstVersion:
    page: Page


@dataclass(frozen=True)
class Unchanged:
    page: Page


@dataclass(frozen=True)
class Flapped:
    """The re-fetch disagreed with the first fetch: neither is trusted."""

    first: Page
    second: Page
    back_to_stored: bool

    @property
    def detail(self) -> str:
        back = " back to the stored version" if self.back_to_stored else ""
        return f"a difference did not survive the confirmation re-fetch{back}"


@dataclass(frozen=True)
class Different:
    """A confirmed difference from the stored version, not yet compared."""

    page: Page


@dataclass(frozen=True)
class Changed:
    page: Page
    change: Change
    findings: tuple[Finding, ...]


Decision = Failed | FirstVersion | Unchanged | Flapped | Different
Verdict = Failed | FirstVersion | Unchanged | Flapped | Changed


def needs_confirmation(confirm: bool, stored: Stored | None, first: Page | FetchFailure) -> bool:
    """A difference from the stored version is only believed once a second fetch shows it."""
    return (
        confirm
        and stored is not None
        and isinstance(first, Page)
        and first.canonical != stored.canonical
    )


def decide(
    stored: Stored | None, first: Page | FetchFailure, again: Page | FetchFailure | None
) -> Decision:
    if isinstance(first, FetchFailure):
        return Failed(first)
    if stored is None:
        return FirstVersion(first)
    if first.canonical == stored.canonical:
        return Unchanged(first)
    if isinstance(again, FetchFailure):
        return Failed(again, CONFIRMATION_FAILED)
    if again is not None and again.canonical != first.canonical:
        return Flapped(first, again, back_to_stored=again.canonical == stored.canonical)
    return Different(first)


def compare(
    stored_canonical: str, new_canonical: str, region: str, findings_of: FindingsOf
) -> tuple[Change, tuple[Finding, ...]]:
    """The change between two canonical texts and what it means. Pure; CPU only."""
    before, after = parse_canonical(stored_canonical), parse_canonical(new_canonical)
    change = diff_documents(before, after)
    return change, tuple(findings_of(change, before, after, region))


def page_findings(change: Change, _: Document, __: Document, region: str) -> list[Finding]:
    """Findings of a watched page's change: the classifier's."""
    return classify(change, region=region)


def form_findings(_: Change, before: Document, after: Document, region: str) -> list[Finding]:
    """Findings of an objection-form target's change: the states of its forms."""
    return opt_out_findings(before, after, region=region)
