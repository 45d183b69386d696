"""The step every check shares: fetch a page, judge its health, read it into canonical text.

`read_page` is the pure part (health rules and normalization: CPU only) and runs in the analysis
workers; `load_page` fetches with the browser and hands the page to them. The page of a target
and the objection forms it links to go through the same step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from watcher.config import Target
from watcher.diff.volatile import Mask, apply_masks
from watcher.fetch.base import FailureKind, Fetcher, FetchFailure, FetchRequest, FetchResult
from watcher.fetch.limits import PageLimits
from watcher.health import (
    ContentLimits,
    assess_content,
    assess_page,
    assess_text,
    failed_check,
)
from watcher.normalize import Document, SelectorMatchedNothing, normalize_html, parse_canonical
from watcher.optout import OptOutLink, find_opt_out_links
from watcher.pipeline.analysis import Analysis


@dataclass(frozen=True)
class PageRules:
    """How a fetched page is judged and read (sent to the analysis workers with the page)."""

    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    expected_variant: str | None = None
    limits: ContentLimits = field(default_factory=ContentLimits)
    # The fetcher's size limits; the one on extracted text is checked after normalization.
    page_limits: PageLimits = field(default_factory=PageLimits)
    # Length of the stored version: a page that suddenly lost most of it is a partial render.
    previous_length: int | None = None
    # Empty and truncated content are failures of a watched page; an objection form page is
    # judged by its fields instead.
    judge_content: bool = True
    # The target's volatile spans: comparisons read the page through them.
    masks: tuple[Mask, ...] = ()

    @classmethod
    def for_target(
        cls,
        target: Target,
        limits: ContentLimits,
        previous_length: int | None,
        page_limits: PageLimits | None = None,
        masks: tuple[Mask, ...] = (),
    ) -> PageRules:
        return cls(
            select=target.select,
            remove=target.remove,
            expected_variant=target.region.legal_variant,
            limits=limits,
            page_limits=page_limits or PageLimits(),
            previous_length=previous_length,
            masks=masks,
        )


@dataclass(frozen=True)
class Reading:
    """What the analysis made of a healthy page."""

    canonical: str
    text_length: int
    notes: tuple[str, ...] = ()
    # The objection and opt-out links the page carries (their forms are checked too).
    links: tuple[OptOutLink, ...] = ()
    # The canonical text through the target's volatile spans: what comparisons read.
    masked: str | None = None


@dataclass(frozen=True)
class Page:
    """A fetched page that passed the health rules, with its canonical text."""

    result: FetchResult
    canonical: str
    text_length: int
    notes: tuple[str, ...] = ()
    links: tuple[OptOutLink, ...] = ()
    masked_text: str | None = None  # None: no volatile span applies

    @property
    def masked(self) -> str:
        """What comparisons read: the canonical text through the target's volatile spans."""
        return self.canonical if self.masked_text is None else self.masked_text

    @cached_property
    def document(self) -> Document:
        return parse_canonical(self.canonical)


def read_page(result: FetchResult, rules: PageRules) -> Reading | FetchFailure:
    """Health rules, then normalization, then the text and content rules. Pure; CPU only."""
    health = assess_page(
        result,
        expected_variant=rules.expected_variant,
        select=rules.select,
        remove=rules.remove,
        min_content_chars=rules.limits.min_chars,
    )
    if health.failure is not None:
        return health.failure
    try:
        document = normalize_html(
            result.html, base_url=result.final_url, select=rules.select, remove=rules.remove
        )
    except SelectorMatchedNothing as error:
        return failed_check(result, FailureKind.SELECT_EMPTY, str(error))
    canonical = document.canonical_text()
    unsound = assess_text(
        result, canonical, limits=rules.page_limits, visible_chars=document.text_length
    )
    if unsound is not None:
        return unsound
    if rules.judge_content:
        thin = assess_content(
            result,
            text_length=document.text_length,
            previous_length=rules.previous_length,
            limits=rules.limits,
        )
        if thin is not None:
            return thin
    masked = apply_masks(canonical, rules.masks)
    return Reading(
        canonical,
        document.text_length,
        notes=health.notes,
        links=find_opt_out_links(document),
        masked=None if masked == canonical else masked,
    )


async def load_page(
    fetcher: Fetcher, analysis: Analysis, request: FetchRequest, rules: PageRules
) -> Page | FetchFailure:
    """Fetch `request` and read the page off the event loop."""
    outcome = await fetcher.fetch(request)
    if isinstance(outcome, FetchFailure):
        return outcome
    try:
        reading = await analysis.run(read_page, outcome, rules)
    except MemoryError:
        return failed_check(
            outcome, FailureKind.TOO_LARGE, "reading the page needed more than the memory limit"
        )
    if isinstance(reading, FetchFailure):
        return reading
    return Page(
        outcome,
        reading.canonical,
        reading.text_length,
        reading.notes,
        reading.links,
        reading.masked,
    )
