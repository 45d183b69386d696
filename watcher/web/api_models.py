"""The JSON API's shapes, for responses and the OpenAPI document.

Field names follow `watcher changes --json` and `watcher check --json`: `target`, `source`,
`region`, `detected_at`, `from_snapshot`, `to_snapshot`, `findings` with `kind`, `severity`,
`evidence_before`, `evidence_after`, `path`, `region`, `note`, `terms`. Times are ISO 8601
strings as the CLI prints them.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

Item = TypeVar("Item")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Model):
    detail: str


class FindingOut(Model):
    kind: str
    severity: str
    evidence_before: str
    evidence_after: str
    path: str
    region: str
    note: str
    terms: list[str]


class ChangeOut(Model):
    id: int
    target: str
    source: str
    region: str
    detected_at: str
    summary: str
    from_snapshot: int
    to_snapshot: int
    findings: list[FindingOut]
    check: int | None
    url: str


class TargetOut(Model):
    id: str
    source: str
    region: str
    url: str
    title: str
    active: bool
    last_checked_at: str | None
    last_outcome: str | None
    state: str  # ok | failing | unstable


class CheckOut(Model):
    id: int
    target: str
    started_at: str
    finished_at: str
    outcome: str
    failure_kind: str | None
    failure_detail: str
    http_status: int | None
    final_url: str | None
    timings: dict[str, float]
    snapshot: int | None
    change: int | None
    notes: list[str]


class SnapshotSummaryOut(Model):
    id: int
    target: str
    taken_at: str
    final_url: str | None
    http_status: int | None
    content_sha256: str
    text_length: int


class SnapshotOut(Model):
    id: int
    target: str
    taken_at: str
    final_url: str | None
    http_status: int | None
    content_sha256: str
    previous: int | None
    next: int | None
    canonical_text: str


class RegionViewOut(Model):
    region: str
    opt_out_links: list[str]
    legal_bases: list[str]
    legal_bases_only_here: list[str]
    links_only_here: list[str]
    region_clauses: list[str]
    effective_dates: list[str]


class ComparisonOut(Model):
    source: str
    a: RegionViewOut
    b: RegionViewOut
    same_language: bool
    blocks_only_in_a: list[str]
    blocks_only_in_b: list[str]


class Page(Model, Generic[Item]):
    """One keyset page: `next` is the address of the following page (None on the last)."""

    items: list[Item]
    next: str | None


class TriggeredOut(Model):
    target: str
    queued: bool


class RetriedOut(Model):
    queued: int
