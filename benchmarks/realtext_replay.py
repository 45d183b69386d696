"""Replaying a pair of archived versions through the check path, as a check would see them.

The stored version is what an earlier check kept of the old text (one load of its page); the
check then loads the new text's page, and when it differs from the stored version loads it
again to confirm, exactly as `watcher.pipeline` does: `read_page` (health rules and
normalization) on each load, `decide` on the stored version and the two loads, `compare` for a
confirmed difference. A pair therefore ends as `changed` (with findings), `unchanged`, `flap`
or `failed`. Each load has fresh noise: its own random stream, derived from the run's seed, the
pair and the load, so a run is reproducible and no two loads share their noise.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass

from realtext_page import PageStyle, noisy_page, plain_page

from watcher.classify import Finding
from watcher.diff import diff_documents
from watcher.fetch.base import FetchFailure, FetchResult
from watcher.normalize import normalize_html
from watcher.pipeline.decide import (
    Decision,
    Disagreed,
    Failed,
    FirstVersion,
    Flapped,
    Stored,
    Unchanged,
    compare,
    decide,
    needs_confirmation,
    page_findings,
    reconcile,
)
from watcher.pipeline.page import Page, PageRules, read_page

# What the shipped sources.yaml reads of Meta's pages.
SELECT = ('[role="main"]',)
REMOVE = ('[role="dialog"]', '[role="navigation"]')
# Characters shown on each side of where two loads first differ.
_SHOWN_AROUND = 40
# The legal variant each labelled region is served (health rules check the page names it).
_VARIANTS = {"eu": "eu", "fr": "eu", "de": "eu", "uk": "uk", "us": "us", "br": "br"}


class Mode(enum.Enum):
    """How a version reaches the classifier."""

    # Text → HTML → normalize, no noise, no health rules, no confirmation: the classifier alone.
    OFFLINE = "offline"
    # Text → a page with fresh noise on every load → the check path (read_page, decide, compare).
    NOISY = "noisy"


class Verdict(enum.Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FLAP = "flap"
    FAILED = "failed"


@dataclass(frozen=True)
class Replayed:
    """How a check of the new version against the stored old one ended."""

    verdict: Verdict
    findings: tuple[Finding, ...] = ()
    detail: str = ""


def load_seed(seed: int, pair_key: str, load: int) -> random.Random:
    """The random stream of one load: fresh per load, the same for the same run seed."""
    return random.Random(f"{seed}:{pair_key}:{load}")


def fetch_result(html: str, url: str, target_id: str) -> FetchResult:
    return FetchResult(target_id=target_id, url=url, final_url=url, status=200, html=html)


def _read(html: str, style: PageStyle, rules: PageRules, target_id: str) -> Page | FetchFailure:
    result = fetch_result(html, style.url, target_id)
    reading = read_page(result, rules)
    if isinstance(reading, FetchFailure):
        return reading
    return Page(
        result, reading.canonical, reading.text_length, reading.notes, reading.links, reading.masked
    )


def replay_offline(old_text: str, new_text: str, style: PageStyle, region: str) -> Replayed:
    """The classifier alone on the two texts: no noise, no health rules, no confirmation."""
    old = normalize_html(plain_page(old_text, style), base_url=style.url)
    new = normalize_html(plain_page(new_text, style), base_url=style.url)
    change = diff_documents(old, new)
    if change.is_empty:
        return Replayed(Verdict.UNCHANGED)
    return Replayed(Verdict.CHANGED, tuple(page_findings(change, old, new, region)))


def replay_check(
    old_text: str,
    new_text: str,
    style: PageStyle,
    region: str,
    *,
    seed: int,
    pair_key: str,
    page: Callable[[str, PageStyle, random.Random], str] = noisy_page,
) -> Replayed:
    """One check of the new version against the stored old one, through the check path."""
    target_id = f"realtext:{pair_key}"
    variant = _VARIANTS.get(region)
    base_rules = PageRules(select=SELECT, remove=REMOVE, expected_variant=variant)
    # The stored version: what the previous check kept of the old text (its first load).
    stored_page = _read(
        page(old_text, style, load_seed(seed, pair_key, 0)), style, base_rules, target_id
    )
    if isinstance(stored_page, FetchFailure):
        return Replayed(Verdict.FAILED, detail=f"old version: {stored_page.detail}")
    stored = Stored.of(1, stored_page.canonical)
    rules = PageRules(
        select=SELECT, remove=REMOVE, expected_variant=variant, previous_length=stored.text_length
    )
    first = _read(page(new_text, style, load_seed(seed, pair_key, 1)), style, rules, target_id)
    again: Page | FetchFailure | None = None
    if needs_confirmation(True, stored, first):
        again = _read(page(new_text, style, load_seed(seed, pair_key, 2)), style, rules, target_id)
    decision = decide(stored, first, again)
    return _verdict(decision, stored, region)


def _verdict(decision: Decision, stored: Stored, region: str) -> Replayed:
    """What `Checker` makes of a decision (`watcher.pipeline.checker`, `_verdict`): a
    difference is compared; loads that disagree are reconciled, and what both agree on that
    the stored version lacks is still a change."""
    if isinstance(decision, Failed):
        return Replayed(Verdict.FAILED, detail=decision.detail)
    if isinstance(decision, (Unchanged, FirstVersion)):
        return Replayed(Verdict.UNCHANGED)
    if isinstance(decision, Disagreed):
        loads = (decision.first.canonical, decision.second.canonical)
        found = reconcile(stored.canonical, loads, stored.masks, region, page_findings)
        if found.change is None:
            back = decision.second.masked == stored.masked
            flap = Flapped(decision.first, decision.second, back, found.learned, found.volatile)
            return Replayed(Verdict.FLAP, detail=f"{flap.detail}; {first_difference(*loads)}")
        return Replayed(Verdict.CHANGED, found.findings)
    found = compare(stored.masked, decision.page.masked, region, page_findings)
    return Replayed(Verdict.CHANGED, found.findings)


def first_difference(first: str, second: str) -> str:
    """Where two loads of the same version first disagree, to show which noise got through."""
    pairs = zip(first.splitlines(), second.splitlines(), strict=False)
    for line_number, (a, b) in enumerate(pairs, start=1):
        if a != b:
            differing = (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
            start = next(differing, min(len(a), len(b)))
            begin = max(0, start - _SHOWN_AROUND)
            return (
                f"loads differ at line {line_number}: {a[begin : start + _SHOWN_AROUND]!r}"
                f" vs {b[begin : start + _SHOWN_AROUND]!r}"
            )
    return "loads differ in their number of lines"
