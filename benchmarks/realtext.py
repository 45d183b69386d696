"""Real-text quality benchmark: precision and recall of the classifier on archived versions of
Meta's privacy pages, against labels we wrote by reading each pair of versions.

    python benchmarks/realtext.py VERSIONS_DIR [VERSIONS_DIR ...] [--labels FILE]

Each VERSIONS_DIR is a git directory (bare or not) of an Open Terms Archive versions
repository. Every labelled pair names a document (repository, file path, page URL, region,
language) and two commits; the pair is run in the first folder that holds both commits, and
pairs found in none are listed as skipped. Each version is read with `git show COMMIT:PATH`,
its Markdown turned into HTML and normalized like a fetched page, the two documents diffed and
the change classified, as the pipeline does.

Scoring is per pair: a kind is a true positive when the pair is labelled with it and the
classifier reports it. `cosmetic` is read at the level of the pair, as the labels are: it
counts only when nothing material was reported (a cosmetic finding next to material ones only
gathers the rewording around them). A pair labelled with no kind is noise: any finding on it
is a false alert. Exit status 1 means the benchmark could not run, never a low score.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import markdown  # type: ignore[import-untyped]  # no type information shipped
import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from watcher.classify import Finding, FindingKind, classify
from watcher.diff import diff_documents
from watcher.errors import ConfigError, WatcherError
from watcher.normalize import Document, normalize_html

DEFAULT_LABELS = Path(__file__).resolve().parent / "labels" / "meta_real.yaml"
# Kinds in report order: the material ones first, cosmetic last.
KINDS = tuple(FindingKind)
MATERIAL_KINDS = tuple(kind for kind in KINDS if kind is not FindingKind.COSMETIC)
# How much of a finding's note and heading trail a mistake line shows.
_SHOWN_CHARACTERS = 110

CommitId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]
Name = Annotated[str, StringConstraints(min_length=1)]


class ArchiveError(WatcherError):
    """A versions folder could not be read with git."""


class _DocumentModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    repository: Name
    path: Name
    url: Name
    region: Name
    language: Name


class _CorrectionModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kinds: list[FindingKind]
    reason: Name


class _PairModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    document: Name
    old: CommitId
    new: CommitId
    kinds: list[FindingKind]
    note: Name
    # When the label was written and when the benchmark first ran on the pair: the label must
    # come first (`labelled` is required, `first_run` is stamped by --stamp-first-runs).
    labelled: datetime
    first_run: datetime | None = None
    partial_render: bool = False
    was: _CorrectionModel | None = None


class _LabelsModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    documents: dict[str, _DocumentModel]
    pairs: list[_PairModel]


@dataclass(frozen=True)
class ArchivedDocument:
    """One archived page: where its versions live and how the page was served."""

    name: str
    repository: str
    path: str
    url: str
    region: str
    language: str


@dataclass(frozen=True)
class LabelledPair:
    """Two consecutive versions of a document and the kinds of change a reader finds."""

    document: ArchivedDocument
    old: str
    new: str
    kinds: frozenset[FindingKind]
    note: str

    @property
    def title(self) -> str:
        return f"{self.document.name} {self.old[:8]}..{self.new[:8]}"


@dataclass(frozen=True)
class PairOutcome:
    pair: LabelledPair
    findings: tuple[Finding, ...]

    @property
    def reported(self) -> frozenset[FindingKind]:
        return reported_kinds(self.findings)

    @property
    def false_positives(self) -> frozenset[FindingKind]:
        return self.reported - self.pair.kinds

    @property
    def false_negatives(self) -> frozenset[FindingKind]:
        return self.pair.kinds - self.reported

    @property
    def is_right(self) -> bool:
        return self.reported == self.pair.kinds


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


@dataclass(frozen=True)
class Scoreboard:
    outcomes: tuple[PairOutcome, ...]
    skipped: tuple[LabelledPair, ...] = ()
    per_kind: dict[FindingKind, KindScore] = field(default_factory=dict)

    def total(self, kinds: Iterable[FindingKind]) -> KindScore:
        """Micro-averaged counts over `kinds`."""
        summed = KindScore()
        for kind in kinds:
            summed.add(self.per_kind[kind])
        return summed


def load_labels(path: Path) -> list[LabelledPair]:
    """The labelled pairs of a labels file (raises `ConfigError` naming what is wrong)."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(str(path), None, "", f"cannot read labels: {error}") from error
    try:
        model = _LabelsModel.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(str(path), None, where, first["msg"]) from error
    documents = {
        name: ArchivedDocument(name, d.repository, d.path, d.url, d.region, d.language)
        for name, d in model.documents.items()
    }
    pairs: list[LabelledPair] = []
    for index, pair in enumerate(model.pairs):
        document = documents.get(pair.document)
        if document is None:
            known = ", ".join(sorted(documents))
            message = f"unknown document {pair.document!r} (known: {known})"
            raise ConfigError(str(path), None, f"pairs.{index}.document", message)
        pairs.append(LabelledPair(document, pair.old, pair.new, frozenset(pair.kinds), pair.note))
    return pairs


def _git(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(folder), *arguments],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
    except OSError as error:  # no git on this machine, or the folder cannot be entered
        raise ArchiveError(f"{folder}: cannot run git: {error}") from error


def has_commit(folder: Path, commit: str) -> bool:
    return _git(folder, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


def read_version(folder: Path, commit: str, path: str) -> str:
    """The text of `path` as committed in `commit` (raises `ArchiveError`)."""
    shown = _git(folder, "show", f"{commit}:{path}")
    if shown.returncode != 0:
        detail = shown.stderr.strip() or f"git exited with {shown.returncode}"
        raise ArchiveError(f"{folder}: cannot read {path!r} at {commit[:12]}: {detail}")
    return shown.stdout


def markdown_document(text: str, *, url: str, language: str) -> Document:
    """An archived Markdown version as the `Document` the pipeline would make of the page:
    Markdown → HTML (tables kept as tables) → `normalize_html` with the page's own URL, so
    that relative and same-page links resolve as they did on the page."""
    body = markdown.markdown(text, extensions=["tables"])
    html = f'<html lang="{language}"><body>{body}</body></html>'
    return normalize_html(html, base_url=url)


def reported_kinds(findings: Iterable[Finding]) -> frozenset[FindingKind]:
    """The kinds a pair is reported with, read as the labels are (see module docstring)."""
    kinds = {finding.kind for finding in findings}
    material = kinds - {FindingKind.COSMETIC}
    return frozenset(material or kinds)


def classify_pair(old: Document, new: Document, *, region: str) -> tuple[Finding, ...]:
    change = diff_documents(old, new)
    if change.is_empty:
        return ()
    return tuple(classify(change, region=region))


class VersionReader:
    """Reads and normalizes versions from the given folders, each version once."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = tuple(folders)
        self._documents: dict[tuple[Path, str, str], Document] = {}

    def folder_for(self, pair: LabelledPair) -> Path | None:
        for folder in self.folders:
            if has_commit(folder, pair.old) and has_commit(folder, pair.new):
                return folder
        return None

    def document(self, folder: Path, commit: str, archived: ArchivedDocument) -> Document:
        key = (folder, commit, archived.path)
        if key not in self._documents:
            text = read_version(folder, commit, archived.path)
            self._documents[key] = markdown_document(
                text, url=archived.url, language=archived.language
            )
        return self._documents[key]


def run_benchmark(pairs: Sequence[LabelledPair], folders: Sequence[Path]) -> Scoreboard:
    """Classifies every labelled pair found in `folders` and counts hits and misses."""
    reader = VersionReader(folders)
    outcomes: list[PairOutcome] = []
    skipped: list[LabelledPair] = []
    for pair in pairs:
        folder = reader.folder_for(pair)
        if folder is None:
            skipped.append(pair)
            continue
        old = reader.document(folder, pair.old, pair.document)
        new = reader.document(folder, pair.new, pair.document)
        findings = classify_pair(old, new, region=pair.document.region)
        outcomes.append(PairOutcome(pair, findings))
    return score(outcomes, skipped)


def score(outcomes: Sequence[PairOutcome], skipped: Sequence[LabelledPair] = ()) -> Scoreboard:
    per_kind = {kind: KindScore() for kind in KINDS}
    for outcome in outcomes:
        expected, reported = outcome.pair.kinds, outcome.reported
        for kind in expected & reported:
            per_kind[kind].true_positives += 1
        for kind in reported - expected:
            per_kind[kind].false_positives += 1
        for kind in expected - reported:
            per_kind[kind].false_negatives += 1
    return Scoreboard(tuple(outcomes), tuple(skipped), per_kind)


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:6.1%}"


def _score_line(label: str, counts: KindScore) -> str:
    return (
        f"{label:<26}{counts.true_positives:>4}{counts.false_positives:>5}"
        f"{counts.false_negatives:>5}  {_ratio(counts.precision):>9}  {_ratio(counts.recall):>7}"
    )


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN_CHARACTERS else text[: _SHOWN_CHARACTERS - 1] + "…"


def _kind_names(kinds: Iterable[FindingKind]) -> str:
    names = [kind.value for kind in KINDS if kind in set(kinds)]
    return ", ".join(names) if names else "(nothing)"


def _mistake_lines(outcome: PairOutcome) -> list[str]:
    pair = outcome.pair
    expected, reported = _kind_names(pair.kinds), _kind_names(outcome.reported)
    lines = [
        f"  {pair.title}  expected: {expected}  got: {reported}",
        f"      label: {_shorten(pair.note)}",
    ]
    for kind in (k for k in KINDS if k in outcome.false_positives):
        for found in [f for f in outcome.findings if f.kind is kind][:2]:
            where = f" [{_shorten(found.path)}]" if found.path else ""
            lines.append(f"      FP {kind.value}: {_shorten(found.note)}{where}")
    if outcome.false_negatives:
        lines.append(f"      FN {_kind_names(outcome.false_negatives)}")
    return lines


def format_report(board: Scoreboard) -> str:
    """The table of counts per kind, the totals, and every pair the classifier got wrong."""
    run = len(board.outcomes)
    noise = [o for o in board.outcomes if not o.pair.kinds]
    false_alerts = sum(1 for o in noise if o.reported)
    material = sum(1 for o in noise if o.reported - {FindingKind.COSMETIC})
    lines = [
        f"Real-text benchmark: {run + len(board.skipped)} labelled pairs, {run} run, "
        f"{len(board.skipped)} skipped (commits not in the given folders)",
        "",
        f"{'kind':<26}{'TP':>4}{'FP':>5}{'FN':>5}  {'precision':>9}  {'recall':>7}",
    ]
    lines += [_score_line(kind.value, board.per_kind[kind]) for kind in KINDS]
    lines += [
        _score_line("material kinds (micro)", board.total(MATERIAL_KINDS)),
        _score_line("all kinds (micro)", board.total(KINDS)),
        "",
        f"noise-only pairs: {len(noise)}, false alerts on them: {false_alerts}"
        f" (material: {material}, cosmetic only: {false_alerts - material})",
        f"pairs exactly right: {sum(1 for o in board.outcomes if o.is_right)}/{run}",
    ]
    mistakes = [o for o in board.outcomes if not o.is_right]
    if mistakes:
        lines += ["", "Mistakes:"]
        for outcome in mistakes:
            lines += _mistake_lines(outcome)
    if board.skipped:
        lines += ["", "Skipped:"]
        lines += [f"  {p.title} ({p.document.repository})" for p in board.skipped]
    return "\n".join(lines) + "\n"


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Precision and recall of the classifier on labelled archived versions."
    )
    parser.add_argument(
        "versions_dirs",
        metavar="VERSIONS_DIR",
        nargs="+",
        type=Path,
        help="git directory of an Open Terms Archive versions repository (bare or not)",
    )
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="labels file (YAML)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _arguments(argv)
    try:
        for folder in arguments.versions_dirs:
            if _git(folder, "rev-parse", "--git-dir").returncode != 0:
                raise ArchiveError(f"{folder}: not a git directory")
        pairs = load_labels(arguments.labels)
        board = run_benchmark(pairs, arguments.versions_dirs)
        if not board.outcomes:
            folders = ", ".join(str(f) for f in arguments.versions_dirs)
            raise ArchiveError(f"none of the labelled commits is in {folders}")
    except WatcherError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(format_report(board))
    return 0


if __name__ == "__main__":
    sys.exit(main())
