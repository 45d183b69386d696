"""The labels of the real-text benchmark: which archived documents, which pairs of versions,
the kinds of change a reader found in each, and when the label was written.

The order of labelling and running is part of the labels: every pair carries `labelled` (when
its label was written) and, once the benchmark has run on it, `first_run`. `stamp_first_runs`
writes the second without touching anything else in the file, so the file's git history shows
both moments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from watcher.classify import FindingKind
from watcher.errors import ConfigError

CommitId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]
Name = Annotated[str, StringConstraints(min_length=1)]


class _DocumentModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    repository: Name
    path: Name
    url: Name
    region: Name
    language: Name
    # The archive shows the page alternating en-US and en-GB renderings of the same text.
    flips_english: bool = False


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
    flips_english: bool = False


@dataclass(frozen=True)
class Correction:
    """The kinds a pair had before a label was corrected, and why (from re-reading the text)."""

    kinds: frozenset[FindingKind]
    reason: str


@dataclass(frozen=True)
class LabelledPair:
    """Two consecutive versions of a document and the kinds of change a reader finds."""

    document: ArchivedDocument
    old: str
    new: str
    kinds: frozenset[FindingKind]
    note: str
    labelled: datetime | None = None
    first_run: datetime | None = None
    # One of the two versions is not the whole page as served: reported apart, never scored.
    partial_render: bool = False
    was: Correction | None = None

    @property
    def title(self) -> str:
        return f"{self.document.name} {self.old[:8]}..{self.new[:8]}"

    @property
    def key(self) -> str:
        return f"{self.document.name}:{self.old}:{self.new}"

    @property
    def is_material(self) -> bool:
        return bool(self.kinds - {FindingKind.COSMETIC})

    @property
    def run_before_label(self) -> bool:
        """The benchmark ran on the pair before its label was written (never allowed)."""
        return (
            self.labelled is not None
            and self.first_run is not None
            and self.first_run < self.labelled
        )


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
        name: ArchivedDocument(
            name, d.repository, d.path, d.url, d.region, d.language, d.flips_english
        )
        for name, d in model.documents.items()
    }
    pairs: list[LabelledPair] = []
    seen: set[tuple[str, str, str]] = set()
    for index, pair in enumerate(model.pairs):
        document = documents.get(pair.document)
        if document is None:
            known = ", ".join(sorted(documents))
            message = f"unknown document {pair.document!r} (known: {known})"
            raise ConfigError(str(path), None, f"pairs.{index}.document", message)
        identity = (pair.document, pair.old, pair.new)
        if identity in seen:
            raise ConfigError(str(path), None, f"pairs.{index}", "the same pair is labelled twice")
        seen.add(identity)
        was = Correction(frozenset(pair.was.kinds), pair.was.reason) if pair.was else None
        pairs.append(
            LabelledPair(
                document,
                pair.old,
                pair.new,
                frozenset(pair.kinds),
                pair.note,
                labelled=pair.labelled,
                first_run=pair.first_run,
                partial_render=pair.partial_render,
                was=was,
            )
        )
    return pairs


_PAIR_START = re.compile(r"^(?P<indent> *)- document: (?P<document>\S+)\s*$")
_FIELD = re.compile(r"^ +(?P<name>[a-z_]+):\s*(?P<value>.*)$")


def stamp_first_runs(path: Path, pairs: Iterable[LabelledPair], when: datetime) -> int:
    """Writes `first_run: <when>` after the `labelled:` line of every given pair that has no
    first run yet; the rest of the file (comments, order, wording) is left as it is.
    Returns how many pairs were stamped."""
    wanted = {(p.document.name, p.old, p.new) for p in pairs if p.first_run is None}
    out: list[str] = []
    block: list[str] = []
    field_indent = ""
    stamped = 0

    def flush() -> None:
        nonlocal stamped
        if not block:
            return
        start = _PAIR_START.match(block[0])
        fields = {m["name"]: m["value"].strip() for m in map(_FIELD.match, block[1:]) if m}
        document = start["document"] if start else ""
        if (document, fields.get("old"), fields.get("new")) in wanted and "first_run" not in fields:
            for line in block:
                out.append(line)
                if line.startswith(f"{field_indent}labelled:"):
                    out.append(f"{field_indent}first_run: '{when.isoformat()}'\n")
            stamped += 1
        else:
            out.extend(block)
        block.clear()

    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        start = _PAIR_START.match(line)
        if start:
            flush()
            field_indent = start["indent"] + "  "
            block.append(line)
        elif block and line.startswith(field_indent) and line.strip():
            block.append(line)
        else:
            flush()
            out.append(line)
    flush()
    path.write_text("".join(out), encoding="utf-8")
    return stamped
