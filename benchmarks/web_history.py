"""A change history to serve: targets in five regions, versions, checks, changes with findings.

Used by `benchmarks/web.py` (10,000 changes) and by the web tests (a few dozen). The texts are
our own; the diffs are real (`watcher.diff`), stored as the checker stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update

from storage import CheckSpec, Database, FindingSpec, TargetSpec, content_sha256
from storage.models import Change, Check, Finding, Snapshot, SnapshotContent, Target
from watcher.diff import diff_documents
from watcher.normalize import parse_canonical

SOURCES = ("genai", "policy", "ai-terms")
REGIONS = {"fr": "fr-FR", "de": "de-DE", "uk": "en-GB", "us": "en-US", "br": "pt-BR"}
START = datetime(2024, 5, 22, 8, 0, tzinfo=UTC)
KINDS = (
    ("opt_out_changed", "high"),
    ("new_data_category", "high"),
    ("data_use_expanded", "medium"),
    ("effective_date_changed", "low"),
    ("legal_basis_changed", "high"),
    ("cosmetic", "low"),
)
BATCH = 500

_SENTENCES = {
    "fr": "Nous utilisons vos informations pour les modèles, version {n}, opposez-vous.",
    "de": "Wir verwenden Ihre Informationen für Modelle, Fassung {n}, Sie können widersprechen.",
    "uk": "We use your information for our models, revision {n}, and you can object to this.",
    "us": "We use your information for our models, revision {n}, and you have choices about it.",
    "br": "Usamos as suas informações para os nossos modelos, versão {n}, e você pode se opor.",
}


@dataclass(frozen=True)
class Seeded:
    change_ids: list[int]
    snapshot_ids: list[int]
    target_ids: list[str]


def target_id(source: str, region: str) -> str:
    return f"{source}@{region}"


def page_text(source: str, region: str, version: int) -> str:
    sentence = _SENTENCES[region].format(n=version)
    return "\n".join(
        [
            f"# {source} ({region})",
            "## How we use information",
            sentence,
            f"- Item kept in every version of {source}",
            f"[Object](https://www.example.org/help/contact/{1000 + version})",
            "## Contact",
            "Write to the data protection officer.",
        ]
    )


def seed_history(database: Database, changes: int, *, start: datetime = START) -> Seeded:
    """`changes` changes spread over the targets, one hour apart, each with its versions, the
    check that found it and one or two findings."""
    targets = [(s, r) for s in SOURCES for r in REGIONS]
    ids = [target_id(s, r) for s, r in targets]
    with database.transaction() as repo:
        repo.upsert_targets(
            [
                TargetSpec(
                    id=target_id(s, r),
                    source_id=s,
                    region_id=r,
                    url=f"https://www.example.org/{s}?locale={REGIONS[r]}",
                    title=f"{s} page",
                )
                for s, r in targets
            ],
            start,
        )
    latest: dict[str, int] = {}
    versions: dict[str, int] = dict.fromkeys(ids, 0)
    seeded = Seeded([], [], ids)
    with database.transaction() as repo:
        for s, r in targets:
            snapshot = repo.append_version(
                target_id(s, r),
                after=None,
                canonical_text=page_text(s, r, 0),
                raw_html=None,
                taken_at=start,
                final_url=f"https://www.example.org/{s}",
                http_status=200,
            )
            latest[snapshot.target_id] = snapshot.id
            seeded.snapshot_ids.append(snapshot.id)
    for first in range(0, changes, BATCH):
        with database.transaction() as repo:
            for number in range(first, min(changes, first + BATCH)):
                source, region = targets[number % len(targets)]
                tid = target_id(source, region)
                old_version = versions[tid]
                versions[tid] = new_version = old_version + 1
                when = start + timedelta(hours=number + 1)
                old_text = page_text(source, region, old_version)
                new_text = page_text(source, region, new_version)
                diff = diff_documents(parse_canonical(old_text), parse_canonical(new_text))
                snapshot = repo.append_version(
                    tid,
                    after=latest[tid],
                    canonical_text=new_text,
                    raw_html=None,
                    taken_at=when,
                    final_url=f"https://www.example.org/{source}",
                    http_status=200,
                )
                kind, severity = KINDS[number % len(KINDS)]
                sentence = _SENTENCES[region]
                change = repo.record_change(
                    tid,
                    from_snapshot_id=latest[tid],
                    to_snapshot_id=snapshot.id,
                    detected_at=when,
                    summary=diff.summary(),
                    diff=diff.to_json(),
                    findings=[
                        FindingSpec(
                            kind=kind,
                            severity=severity,
                            region=region,
                            path="How we use information",
                            evidence_before=sentence.format(n=old_version),
                            evidence_after=sentence.format(n=new_version),
                            note=f"seeded finding {number}",
                        )
                    ],
                    confirmed=True,
                )
                repo.record_check(
                    CheckSpec(
                        target_id=tid,
                        started_at=when - timedelta(seconds=2),
                        finished_at=when,
                        outcome="changed",
                        http_status=200,
                        final_url=f"https://www.example.org/{source}",
                        timings={"total_ms": 1200.0 + number % 700},
                        snapshot_id=snapshot.id,
                        change_id=change.id,
                    )
                )
                latest[tid] = snapshot.id
                seeded.change_ids.append(change.id)
                seeded.snapshot_ids.append(snapshot.id)
    return seeded


def bulk_seed_history(
    databases: Sequence[Database], changes: int, *, start: datetime = START
) -> Seeded:
    """The same history as `seed_history`, written into each database with a few multi-row
    inserts: 10,000 changes in about a minute instead of many. Ids are given explicitly, so
    the databases are for reading only afterwards (PostgreSQL's id sequences stay behind)."""
    targets = [(s, r) for s in SOURCES for r in REGIONS]
    ids = [target_id(s, r) for s, r in targets]
    rows: dict[type, list[dict[str, object]]] = {
        model: [] for model in (Target, SnapshotContent, Snapshot, Change, Finding, Check)
    }
    contents: set[str] = set()
    latest: dict[str, int] = {}
    versions: dict[str, int] = dict.fromkeys(ids, 0)
    seeded = Seeded([], [], ids)

    def version_row(tid: str, text: str, when: datetime, source: str) -> int:
        digest = content_sha256(text)
        if digest not in contents:
            contents.add(digest)
            rows[SnapshotContent].append(
                {
                    "sha256": digest,
                    "canonical_text": text,
                    "text_length": len(text),
                    "created_at": when,
                }
            )
        snapshot_id = len(rows[Snapshot]) + 1
        rows[Snapshot].append(
            {
                "id": snapshot_id,
                "target_id": tid,
                "previous_id": latest.get(tid),
                "content_sha256": digest,
                "taken_at": when,
                "final_url": f"https://www.example.org/{source}",
                "http_status": 200,
                "raw_html_gzip": None,
            }
        )
        latest[tid] = snapshot_id
        seeded.snapshot_ids.append(snapshot_id)
        return snapshot_id

    for s, r in targets:
        tid = target_id(s, r)
        rows[Target].append(
            {
                "id": tid,
                "source_id": s,
                "region_id": r,
                "url": f"https://www.example.org/{s}?locale={REGIONS[r]}",
                "title": f"{s} page",
                "active": True,
                "created_at": start,
                "updated_at": start,
            }
        )
        version_row(tid, page_text(s, r, 0), start, s)
    for number in range(changes):
        source, region = targets[number % len(targets)]
        tid = target_id(source, region)
        old_version = versions[tid]
        versions[tid] = new_version = old_version + 1
        when = start + timedelta(hours=number + 1)
        old_text, new_text = (
            page_text(source, region, old_version),
            page_text(source, region, new_version),
        )
        diff = diff_documents(parse_canonical(old_text), parse_canonical(new_text))
        before = latest[tid]
        after = version_row(tid, new_text, when, source)
        change_id = check_id = number + 1
        kind, severity = KINDS[number % len(KINDS)]
        sentence = _SENTENCES[region]
        rows[Change].append(
            {
                "id": change_id,
                "target_id": tid,
                "from_snapshot_id": before,
                "to_snapshot_id": after,
                "detected_at": when,
                "summary": diff.summary(),
                "diff": diff.to_json(),
                "confirmed": True,
                "check_id": None,  # set once the checks are in (each table points at the other)
            }
        )
        rows[Finding].append(
            {
                "id": change_id,
                "change_id": change_id,
                "kind": kind,
                "severity": severity,
                "region": region,
                "path": "How we use information",
                "evidence_before": sentence.format(n=old_version),
                "evidence_after": sentence.format(n=new_version),
                "note": f"seeded finding {number}",
                "terms": [],
            }
        )
        rows[Check].append(
            {
                "id": check_id,
                "target_id": tid,
                "started_at": when - timedelta(seconds=2),
                "finished_at": when,
                "outcome": "changed",
                "failure_kind": None,
                "failure_detail": "",
                "http_status": 200,
                "final_url": f"https://www.example.org/{source}",
                "timings": {"total_ms": 1200.0 + number % 700},
                "snapshot_id": after,
                "change_id": change_id,
                "notes": [],
            }
        )
        seeded.change_ids.append(change_id)
    for database in databases:
        with database.engine.begin() as connection:
            for model, values in rows.items():
                for first in range(0, len(values), 2000):
                    connection.execute(insert(model), values[first : first + 2000])
            connection.execute(update(Change).values(check_id=Change.id))
    return seeded
