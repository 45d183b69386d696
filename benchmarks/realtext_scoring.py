"""Scoring and report of the real-text benchmark.

Scoring is per pair: a kind is a true positive when the pair is labelled with it and the check
reported it. `cosmetic` is read at the level of the pair, as the labels are: it counts only when
nothing material was reported. A check that ended as a flap or a failure reported nothing, so
a material pair lost that way counts its kinds as missed. Pairs labelled with no kind are
noise-only and reported apart, and so are partial renders (never scored: what changed in the
policy is not readable from them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from realtext_labels import LabelledPair
from realtext_replay import Replayed, Verdict

from watcher.classify import TEXT_KINDS, Finding, FindingKind

# Kinds in report order: the material ones first, cosmetic last.
# Kinds in report order: the material ones first, cosmetic last; what a text diff can show.
KINDS = TEXT_KINDS
MATERIAL_KINDS = tuple(kind for kind in KINDS if kind is not FindingKind.COSMETIC)
# How much of a note or heading trail a mistake line shows.
_SHOWN_CHARACTERS = 110
# A check's detail names where two loads differ: room for both sides.
_SHOWN_DETAIL = 260


def reported_kinds(findings: Iterable[Finding]) -> frozenset[FindingKind]:
    """The kinds a pair is reported with, read as the labels are (see module docstring)."""
    kinds = {finding.kind for finding in findings}
    material = kinds - {FindingKind.COSMETIC}
    return frozenset(material or kinds)


@dataclass(frozen=True)
class PairOutcome:
    pair: LabelledPair
    replayed: Replayed

    @property
    def verdict(self) -> Verdict:
        return self.replayed.verdict

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.replayed.findings

    @property
    def reported(self) -> frozenset[FindingKind]:
        if self.verdict is not Verdict.CHANGED:
            return frozenset()
        return reported_kinds(self.findings)

    @property
    def reported_material(self) -> frozenset[FindingKind]:
        return self.reported - {FindingKind.COSMETIC}

    @property
    def false_positives(self) -> frozenset[FindingKind]:
        return self.reported - self.pair.kinds

    @property
    def false_negatives(self) -> frozenset[FindingKind]:
        return self.pair.kinds - self.reported

    @property
    def is_right(self) -> bool:
        """The check settled (changed or unchanged) and reported exactly the labelled kinds."""
        settled = self.verdict in (Verdict.CHANGED, Verdict.UNCHANGED)
        return settled and self.reported == self.pair.kinds


@dataclass
class KindScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float | None:
        reported = self.true_positives + self.false_positives
        return self.true_positives / reported if reported else None

    @property
    def recall(self) -> float | None:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else None

    def add(self, other: KindScore) -> None:
        self.true_positives += other.true_positives
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives


def count_kinds(outcomes: Iterable[PairOutcome]) -> dict[FindingKind, KindScore]:
    per_kind = {kind: KindScore() for kind in KINDS}
    for outcome in outcomes:
        expected, reported = outcome.pair.kinds, outcome.reported
        for kind in expected & reported:
            per_kind[kind].true_positives += 1
        for kind in reported - expected:
            per_kind[kind].false_positives += 1
        for kind in expected - reported:
            per_kind[kind].false_negatives += 1
    return per_kind


def total(per_kind: dict[FindingKind, KindScore], kinds: Iterable[FindingKind]) -> KindScore:
    """Micro-averaged counts over `kinds`."""
    summed = KindScore()
    for kind in kinds:
        summed.add(per_kind[kind])
    return summed


@dataclass(frozen=True)
class Scoreboard:
    outcomes: tuple[PairOutcome, ...]
    skipped: tuple[LabelledPair, ...] = ()
    mode: str = ""
    per_kind: dict[FindingKind, KindScore] = field(default_factory=dict)

    @property
    def scored(self) -> tuple[PairOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.pair.partial_render)

    @property
    def partial(self) -> tuple[PairOutcome, ...]:
        return tuple(o for o in self.outcomes if o.pair.partial_render)

    @property
    def material(self) -> tuple[PairOutcome, ...]:
        return tuple(o for o in self.scored if o.pair.is_material)

    @property
    def cosmetic_only(self) -> tuple[PairOutcome, ...]:
        return tuple(o for o in self.scored if o.pair.kinds == {FindingKind.COSMETIC})

    @property
    def noise(self) -> tuple[PairOutcome, ...]:
        return tuple(o for o in self.scored if not o.pair.kinds)

    def total(self, kinds: Iterable[FindingKind]) -> KindScore:
        return total(self.per_kind, kinds)


def score(
    outcomes: Sequence[PairOutcome], skipped: Sequence[LabelledPair] = (), mode: str = ""
) -> Scoreboard:
    """Counts per kind over the scored pairs (partial renders are left out)."""
    per_kind = count_kinds(o for o in outcomes if not o.pair.partial_render)
    return Scoreboard(tuple(outcomes), tuple(skipped), mode, per_kind)


# ---- the report -------------------------------------------------------------------------------


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:6.1%}"


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole}" + (f" ({part / whole:.1%})" if whole else "")


def _score_line(label: str, counts: KindScore) -> str:
    return (
        f"{label:<26}{counts.true_positives:>4}{counts.false_positives:>5}"
        f"{counts.false_negatives:>5}  {_ratio(counts.precision):>9}  {_ratio(counts.recall):>7}"
    )


def _shorten(text: str, limit: int = _SHOWN_CHARACTERS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind_names(kinds: Iterable[FindingKind]) -> str:
    names = [kind.value for kind in KINDS if kind in set(kinds)]
    return ", ".join(names) if names else "(nothing)"


def _verdicts(outcomes: Iterable[PairOutcome]) -> str:
    counted = Counter(o.verdict for o in outcomes)
    return ", ".join(f"{verdict.value} {counted[verdict]}" for verdict in Verdict)


def _mistake_lines(outcome: PairOutcome) -> list[str]:
    pair = outcome.pair
    expected, reported = _kind_names(pair.kinds), _kind_names(outcome.reported)
    lines = [
        f"  {pair.title}  [{outcome.verdict.value}]  expected: {expected}  got: {reported}",
        f"      label: {_shorten(pair.note)}",
    ]
    if outcome.replayed.detail:
        lines.append(f"      check: {_shorten(outcome.replayed.detail, _SHOWN_DETAIL)}")
    for kind in (k for k in KINDS if k in outcome.false_positives):
        for found in [f for f in outcome.findings if f.kind is kind][:2]:
            where = f" [{_shorten(found.path)}]" if found.path else ""
            lines.append(f"      FP {kind.value}: {_shorten(found.note)}{where}")
    if outcome.false_negatives:
        lines.append(f"      FN {_kind_names(outcome.false_negatives)}")
    return lines


def _document_rows(board: Scoreboard) -> list[str]:
    names = list(dict.fromkeys(o.pair.document.name for o in board.outcomes))
    rows = [
        f"{'document':<22}{'pairs':>6}{'material':>9}{'cosmetic':>9}{'noise':>6}"
        f"{'partial':>8}{'right':>7}{'flaps':>6}"
    ]
    for name in names:
        mine = [o for o in board.outcomes if o.pair.document.name == name]
        scored = [o for o in mine if not o.pair.partial_render]
        rows.append(
            f"{name:<22}{len(mine):>6}{sum(o.pair.is_material for o in scored):>9}"
            f"{sum(o.pair.kinds == {FindingKind.COSMETIC} for o in scored):>9}"
            f"{sum(not o.pair.kinds for o in scored):>6}{len(mine) - len(scored):>8}"
            f"{sum(o.is_right for o in scored):>7}"
            f"{sum(o.verdict is Verdict.FLAP for o in mine):>6}"
        )
    return rows


def format_report(board: Scoreboard) -> str:
    """Tables per kind and per document, flaps, noise-only and partial-render pairs apart, and
    every scored pair the check got wrong."""
    run, scored = len(board.outcomes), board.scored
    material, noise, partial = board.material, board.noise, board.partial
    detected = sum(1 for o in material if o.reported_material)
    lost_to_flap = [o for o in material if o.verdict is Verdict.FLAP]
    lost_to_failure = [o for o in material if o.verdict is Verdict.FAILED]
    noise_material = [o for o in noise if o.reported_material]
    noise_any = [o for o in noise if o.reported]
    on_material = total(count_kinds(material), MATERIAL_KINDS)
    lines = [
        f"Real-text benchmark ({board.mode}): {run + len(board.skipped)} labelled pairs, {run} run,"
        f" {len(board.skipped)} skipped (commits not in the given folders)",
        f"scored: {len(scored)} (material {len(material)}, cosmetic only "
        f"{len(board.cosmetic_only)}, noise only {len(noise)}); partial renders apart: "
        f"{len(partial)}",
        "",
        *_document_rows(board),
        "",
        f"{'kind':<26}{'TP':>4}{'FP':>5}{'FN':>5}  {'precision':>9}  {'recall':>7}",
        *(_score_line(kind.value, board.per_kind[kind]) for kind in KINDS),
        _score_line("material kinds (micro)", board.total(MATERIAL_KINDS)),
        _score_line("  on material pairs only", on_material),
        _score_line("all kinds (micro)", board.total(KINDS)),
        "",
        f"verdicts, scored pairs: {_verdicts(scored)}",
        f"material pairs detected (a material kind reported): {_share(detected, len(material))}",
        f"flaps: {sum(o.verdict is Verdict.FLAP for o in board.outcomes)} "
        f"(scored {sum(o.verdict is Verdict.FLAP for o in scored)}, partial renders "
        f"{sum(o.verdict is Verdict.FLAP for o in partial)}); material changes lost to a flap: "
        f"{len(lost_to_flap)}, to a failed check: {len(lost_to_failure)}",
        f"pairs exactly right: {_share(sum(o.is_right for o in scored), len(scored))}",
        f"noise-only pairs: {len(noise)} ({_verdicts(noise)}); with a material finding: "
        f"{len(noise_material)}, with any finding: {len(noise_any)}",
        f"partial renders: {len(partial)} ({_verdicts(partial)}); with a material finding: "
        f"{sum(1 for o in partial if o.reported_material)}",
    ]
    late = [o.pair for o in board.outcomes if o.pair.run_before_label]
    unlabelled = [o.pair for o in board.outcomes if o.pair.labelled is None]
    lines.append(
        f"label order: {len(late)} pairs first run before they were labelled, "
        f"{len(unlabelled)} without a labelling time"
    )
    mistakes = [o for o in scored if not o.is_right]
    if mistakes:
        lines += ["", f"Mistakes ({len(mistakes)}):"]
        for outcome in mistakes:
            lines += _mistake_lines(outcome)
    if partial:
        lines += ["", "Partial renders (not scored):"]
        lines += [
            f"  {o.pair.title}  [{o.verdict.value}]  got: {_kind_names(o.reported)}"
            for o in partial
        ]
    if board.skipped:
        lines += ["", "Skipped:"]
        lines += [f"  {p.title} ({p.document.repository})" for p in board.skipped]
    return "\n".join(lines) + "\n"
