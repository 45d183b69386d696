"""What a check found, decided from the stored version and one or two loads. Pure.

`decide` says which of first version, unchanged, failure, difference or disagreement it is,
comparing texts through the target's volatile spans (`watcher.diff.volatile`). The CPU-heavy
rest runs in the analysis workers:

- a confirmed difference goes to `compare` (diff and classification) and becomes `Changed`;
- when the confirming re-load disagrees with the first load, `reconcile` learns the spans the
  two loads disagree on, and what both loads agree on and the stored version lacks is still a
  change: a flap never hides one. Only a disagreement with nothing else in it is a `Flapped`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from watcher.classify import Finding, FindingKind, Severity, classify
from watcher.diff import Change, diff_documents
from watcher.diff.volatile import Mask, apply_masks, learn_masks
from watcher.fetch.base import FetchFailure
from watcher.normalize import Document, parse_canonical
from watcher.optout import find_opt_out_links, opt_out_findings
from watcher.pipeline.page import Page

CONFIRMATION_FAILED = "confirmation re-fetch failed: "
# The canonical text of a version that records a page gone (404/410): no blocks at all.
ABSENT = ""
# How many of the blocks two loads disagreed on a flap quotes.
QUOTED_SPANS = 3

FindingsOf = Callable[[Change, Document, Document, str], list[Finding]]


@dataclass(frozen=True)
class Stored:
    """The version a check compares with: the target's latest when the check started, read
    through the target's volatile spans."""

    id: int
    canonical: str
    text_length: int  # visible characters, to tell a partial render from the whole page
    masks: tuple[Mask, ...] = ()
    masked: str = ""

    @classmethod
    def of(cls, snapshot_id: int, canonical: str, masks: tuple[Mask, ...] = ()) -> Stored:
        length = parse_canonical(canonical).text_length
        return cls(snapshot_id, canonical, length, masks, apply_masks(canonical, masks))

    @property
    def absent(self) -> bool:
        """This version records that the page was gone."""
        return self.canonical == ABSENT


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
    # The load that carries the version's evidence (its screenshot).
    evidence: Page | None = None


@dataclass(frozen=True)
class Unchanged:
    page: Page


@dataclass(frozen=True)
class Flapped:
    """The loads disagreed and agreed with the stored version everywhere else."""

    first: Page
    second: Page
    back_to_stored: bool
    learned: tuple[Mask, ...] = ()
    # A few of the blocks the loads disagreed on, as the target's state quotes them.
    volatile: tuple[str, ...] = ()

    @property
    def detail(self) -> str:
        back = " back to the stored version" if self.back_to_stored else ""
        learned = f"; {len(self.learned)} volatile span(s) learned" if self.learned else ""
        return f"a difference did not survive the confirmation re-fetch{back}{learned}"


@dataclass(frozen=True)
class Different:
    """A confirmed difference from the stored version, not yet compared."""

    page: Page


@dataclass(frozen=True)
class Disagreed:
    """The confirming re-load disagreed with the first load: to be reconciled."""

    first: Page
    second: Page


@dataclass(frozen=True)
class Changed:
    page: Page
    change: Change
    findings: tuple[Finding, ...]
    learned: tuple[Mask, ...] = ()
    # A change a derived target stores without telling it (what changed is told elsewhere).
    quiet: bool = False
    # The load that carries the new version's evidence (its screenshot): the confirming load.
    evidence: Page | None = None


def needs_confirmation(confirm: bool, stored: Stored | None, first: Page | FetchFailure) -> bool:
    """A difference from the stored version is only believed once a second load shows it."""
    return (
        confirm and stored is not None and isinstance(first, Page) and first.masked != stored.masked
    )


def decide(
    stored: Stored | None, first: Page | FetchFailure, again: Page | FetchFailure | None
) -> Decision:
    if isinstance(first, FetchFailure):
        return Failed(first)
    if stored is None:
        return FirstVersion(first)
    if first.masked == stored.masked:
        return Unchanged(first)
    if isinstance(again, FetchFailure):
        return Failed(again, CONFIRMATION_FAILED)
    if again is not None and again.masked != first.masked:
        return Disagreed(first, again)
    return Different(first)


@dataclass(frozen=True)
class Comparison:
    """What the analysis found between the stored version and the loads of a check."""

    change: Change | None  # None: nothing both loads agree on differs from the stored version
    findings: tuple[Finding, ...] = ()
    learned: tuple[Mask, ...] = ()
    volatile: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Gone:
    """The page no longer exists, confirmed over the target's `removed_after` span: stored as
    an absent version (with the `page_removed` change when a version of the page was stored)."""

    failure: FetchFailure
    removal: Comparison | None


@dataclass(frozen=True)
class StillGone:
    """The page is still gone, as its latest stored version says."""

    failure: FetchFailure


Decision = Failed | FirstVersion | Unchanged | Different | Disagreed
Verdict = Failed | FirstVersion | Unchanged | Flapped | Changed | Gone | StillGone


def compare(
    stored_masked: str, new_masked: str, region: str, findings_of: FindingsOf
) -> Comparison:
    """The change between two texts (read through the volatile spans) and what it means.
    Pure; CPU only."""
    if stored_masked == ABSENT:
        return _published(new_masked, region)
    before, after = parse_canonical(stored_masked), parse_canonical(new_masked)
    change = diff_documents(before, after)
    return Comparison(change, tuple(findings_of(change, before, after, region)))


def reconcile(
    stored: str,
    loads: tuple[str, str],
    masks: tuple[Mask, ...],
    region: str,
    findings_of: FindingsOf,
) -> Comparison:
    """Two loads that disagree: learn what they disagree on, and compare what they agree on
    with the stored version. Pure; CPU only."""
    first, second = loads
    seen_first, seen_second = apply_masks(first, masks), apply_masks(second, masks)
    learned = learn_masks(seen_first, seen_second)
    every = masks + learned
    agreed, also = apply_masks(first, every), apply_masks(second, every)
    volatile = tuple(mask.pattern for mask in learned[:QUOTED_SPANS]) or _differing(
        seen_first, seen_second
    )
    stored_view = apply_masks(stored, every)
    if not learned or agreed != also or agreed == stored_view:
        return Comparison(None, learned=learned, volatile=volatile)
    found = compare(stored_view, agreed, region, findings_of)
    return Comparison(found.change, found.findings, learned, volatile)


def removal(stored_masked: str, region: str, objection_page: bool) -> Comparison:
    """The change that records a page gone, with its `page_removed` finding: high for an
    objection or opt-out page (so tagged, or carrying objection links), medium otherwise."""
    before = parse_canonical(stored_masked)
    important = objection_page or bool(find_opt_out_links(before))
    change = diff_documents(before, parse_canonical(ABSENT))
    heading = next((b.text for b in before.blocks if b.text), "")
    finding = Finding(
        kind=FindingKind.PAGE_REMOVED,
        severity=Severity.HIGH if important else Severity.MEDIUM,
        evidence_before=heading,
        evidence_after="",
        path=heading,
        region=region,
        note="the page no longer exists (HTTP 404 or 410 on consecutive checks)",
    )
    return Comparison(change, (finding,))


def _published(new_masked: str, region: str) -> Comparison:
    after = parse_canonical(new_masked)
    change = diff_documents(parse_canonical(ABSENT), after)
    heading = next((b.text for b in after.blocks if b.text), "")
    finding = Finding(
        kind=FindingKind.PAGE_PUBLISHED,
        severity=Severity.MEDIUM,
        evidence_before="",
        evidence_after=heading,
        path=heading,
        region=region,
        note="the page exists again, after it was recorded as gone",
    )
    return Comparison(change, (finding,))


def _differing(first: str, second: str) -> tuple[str, ...]:
    old, new = set(first.splitlines()), set(second.splitlines())
    return tuple(sorted(old ^ new)[:QUOTED_SPANS])


def page_findings(change: Change, before: Document, after: Document, region: str) -> list[Finding]:
    """Findings of a watched page's change: the classifier's, reading the whole documents."""
    return classify(change, region=region, before=before, after=after)


def form_findings(_: Change, before: Document, after: Document, region: str) -> list[Finding]:
    """Findings of an objection-form target's change: the states of its forms."""
    return opt_out_findings(before, after, region=region)
