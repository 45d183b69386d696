"""What the quality benchmark compares and how it scores it: a page seen from one region in
one language (`Combo`), two loads of it (`Pair`), and the tally of expected changes found,
found with the right kind, false alerts and extra findings (`Scoreboard`). Used by
`quality.py` (offline, rendered pages) and `quality_browser.py` (fetched by Chromium).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, zip_longest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


from watcher.classify import Finding, FindingKind, classify
from watcher.demo import DEMO_REGIONS
from watcher.diff import Change, diff_documents
from watcher.normalize import Document, default_rules
from watcher.normalize.text import normalize_text
from watcher.simsite import (
    CHANGE_KINDS,
    LATEST_VERSION,
    PAGES,
    ExpectedChange,
    expected_changes,
)

# Only used to resolve relative links of offline renderings; nothing is fetched from it.
SITE = "https://www.facebook.com"
SELECT = ('[role="main"]',)
REMOVE = ('[role="dialog"]',)
WATCHED: tuple[str, ...] = tuple(sorted(page for page, spec in PAGES.items() if spec.regions))
SPANS: tuple[tuple[int, int], ...] = ((0, LATEST_VERSION), (3, 6))
DEFAULT_NOISE_PAIRS = 200
TARGET_RIGHT_KIND = 0.95
QUOTE_CHARS = 90
_LINK_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)")


# ---- what is compared ---------------------------------------------------------------------


@dataclass(frozen=True)
class Combo:
    """One page seen from one region in one language."""

    page_id: str
    region: str
    locale: str


@dataclass(frozen=True)
class Pair:
    """Two loads of one combo, versions `old` → `new`; the same version twice is noise only."""

    combo: Combo
    old: int
    new: int

    @property
    def noise_only(self) -> bool:
        return self.old == self.new

    def label(self) -> str:
        combo = self.combo
        return f"{combo.page_id} {combo.region} {combo.locale} v{self.old}->v{self.new}"

    def expected(self) -> list[ExpectedChange]:
        combo = self.combo
        return expected_changes(combo.page_id, self.old, self.new, combo.region, combo.locale)


def combos_for(
    pages: Sequence[str], regions: Sequence[str] | None, *, every_language: bool
) -> list[Combo]:
    """Each page in each of its regions (those of `regions`, if given), in every language of the
    page, or (`every_language=False`) in the region's own language as `watcher demo` reads it."""
    found = []
    for page_id in pages:
        spec = PAGES[page_id]
        for region in spec.regions:
            if regions is not None and region not in regions:
                continue
            own = DEMO_REGIONS[region][0].replace("-", "_")
            locales = spec.languages if every_language else (own,)
            found += [Combo(page_id, region, locale) for locale in locales]
    return found


def first_version(combo: Combo, *, published_only: bool) -> int:
    return PAGES[combo.page_id].since_version if published_only else 0


def version_pairs(combo: Combo, *, published_only: bool = False) -> list[Pair]:
    """Every step v-1 → v, then the multi-version spans (clipped to the published versions)."""
    start = first_version(combo, published_only=published_only)
    steps = [Pair(combo, v - 1, v) for v in range(start + 1, LATEST_VERSION + 1)]
    spans = [Pair(combo, max(old, start), new) for old, new in SPANS if max(old, start) < new]
    return steps + [span for span in spans if span not in steps]


def noise_pairs(combos: Sequence[Combo], count: int, *, published_only: bool = False) -> list[Pair]:
    """`count` same-version pairs, rotating over pages first, then regions, languages, versions."""
    by_page: dict[str, list[Combo]] = {}
    for combo in combos:
        by_page.setdefault(combo.page_id, []).append(combo)
    interleaved = [c for c in chain(*zip_longest(*by_page.values())) if c is not None]
    pairs = []
    for number in range(count if interleaved else 0):
        combo = interleaved[number % len(interleaved)]
        start = first_version(combo, published_only=published_only)
        choices = LATEST_VERSION + 1 - start
        version = start + (number + number // len(interleaved)) % choices
        pairs.append(Pair(combo, version, version))
    return pairs


# ---- scoring -------------------------------------------------------------------------------


def expected_quote(expected: ExpectedChange, locale: str) -> str:
    """The expected evidence as the normalizer writes text (quotes, spaces, American spelling)."""
    english = locale.startswith("en")
    return normalize_text(expected.evidence, default_rules().text, english=english).strip()


def quotes(expected: ExpectedChange, finding: Finding, locale: str) -> bool:
    """The finding quotes the expected words, on the side they are on."""
    side = finding.evidence_before if expected.removed else finding.evidence_after
    return expected_quote(expected, locale) in _LINK_MARKUP.sub(r"\1", side)


def found(expected: ExpectedChange, findings: Sequence[Finding], locale: str) -> bool:
    """A finding of the expected kind quotes the expected words, and when a link moved, a finding
    of that kind names its new target."""
    of_kind = [f for f in findings if f.kind.value == expected.kind]
    quoted = any(quotes(expected, f, locale) for f in of_kind)
    link = expected.link
    return quoted and (link is None or any(link in f.note + f.evidence_after for f in of_kind))


def shorten(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE_CHARS else flat[: QUOTE_CHARS - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One miss, false alert or extra finding, for the list under the table."""

    pair: Pair
    kind: str
    evidence: str
    detail: str = ""

    def line(self) -> str:
        detail = f"  ({self.detail})" if self.detail else ""
        return f"{self.pair.label()}  {self.kind}: {shorten(self.evidence)!r}{detail}"


@dataclass
class KindTally:
    expected: int = 0
    detected: int = 0
    right: int = 0

    @property
    def rate(self) -> float | None:
        return self.right / self.expected if self.expected else None


@dataclass
class Scoreboard:
    """Running counts over every pair scored."""

    kinds: dict[str, KindTally] = field(
        default_factory=lambda: {k: KindTally() for k in CHANGE_KINDS}
    )
    version_pairs: int = 0
    quiet_pairs: int = 0
    noise_pairs: int = 0
    misses: list[Problem] = field(default_factory=list)
    false_alerts: list[Problem] = field(default_factory=list)
    noise_alerts: list[Problem] = field(default_factory=list)
    extras: list[Problem] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    fetches: int = 0  # browser mode only, as the next field
    unscored: int = 0  # pairs with a side that could not be fetched

    @property
    def total(self) -> KindTally:
        tallies = self.kinds.values()
        return KindTally(
            expected=sum(t.expected for t in tallies),
            detected=sum(t.detected for t in tallies),
            right=sum(t.right for t in tallies),
        )

    @property
    def passed(self) -> bool:
        rate = self.total.rate
        no_alerts = not self.false_alerts and not self.noise_alerts
        return no_alerts and rate is not None and rate >= TARGET_RIGHT_KIND

    def record(self, pair: Pair, change: Change, findings: Sequence[Finding]) -> None:
        """Score one diffed pair against the ground truth."""
        if pair.noise_only:
            self._record_noise(pair, change, findings)
            return
        self.version_pairs += 1
        expected = pair.expected()
        material = [f for f in findings if f.kind is not FindingKind.COSMETIC]
        if not expected:
            self.quiet_pairs += 1
            self.false_alerts += [Problem(pair, f.kind.value, quote(f)) for f in material]
            return
        locale = pair.combo.locale
        for item in expected:
            self._record_expected(pair, item, findings)
        self.extras += [
            Problem(pair, f.kind.value, quote(f))
            for f in material
            if not any(f.kind == item.kind and quotes(item, f, locale) for item in expected)
        ]

    def _record_expected(
        self, pair: Pair, item: ExpectedChange, findings: Sequence[Finding]
    ) -> None:
        tally = self.kinds[item.kind]
        tally.expected += 1
        quoting = [f.kind.value for f in findings if quotes(item, f, pair.combo.locale)]
        tally.detected += bool(quoting)
        if found(item, findings, pair.combo.locale):
            tally.right += 1
            return
        got = "got " + "/".join(sorted(set(quoting))) if quoting else "not quoted by any finding"
        if item.link and item.kind in quoting:
            got = f"new link target {item.link} not named"
        self.misses.append(Problem(pair, item.kind, item.evidence, got))

    def _record_noise(self, pair: Pair, change: Change, findings: Sequence[Finding]) -> None:
        self.noise_pairs += 1
        if change.is_empty and not findings:
            return
        kinds = "/".join(sorted({f.kind.value for f in findings})) or "no finding"
        first = change.ops[0].block.text if change.ops else ""
        self.noise_alerts.append(Problem(pair, "noise diff", first, f"{change.summary()}; {kinds}"))


def quote(finding: Finding) -> str:
    return finding.evidence_after or finding.evidence_before


def score(board: Scoreboard, pair: Pair, old: Document, new: Document) -> None:
    change = diff_documents(old, new)
    board.record(pair, change, classify(change, region=pair.combo.region, before=old, after=new))


# ---- what a run covers ---------------------------------------------------


@dataclass(frozen=True)
class Scope:
    pages: tuple[str, ...] = WATCHED
    regions: tuple[str, ...] | None = None  # None: every region of each page
    every_language: bool = True
    noise_pairs: int = DEFAULT_NOISE_PAIRS
