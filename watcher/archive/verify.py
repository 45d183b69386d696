"""`verify_chains`: recompute every evidence file's hash, every record's hash and every link.

Each target's chain is walked in version order; the first record of a target that does not
hold is reported with what is wrong, and the rest of that target's chain is not judged (every
later link hangs on it). Reads the database page by page: memory stays bounded by a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from storage import BlobStore, Database, EvidenceChainRecord, content_sha256
from storage.evidence import check_record

_PAGE = 200


@dataclass(frozen=True)
class Mismatch:
    record: EvidenceChainRecord
    problems: tuple[str, ...]

    def line(self) -> str:
        record = self.record
        return (
            f"{record.target_id}: the evidence record of snapshot #{record.snapshot_id} "
            f"(recorded {record.recorded_at}) does not hold: " + "; ".join(self.problems)
        )


@dataclass
class Verification:
    records: int = 0
    targets: set[str] = field(default_factory=set)
    mismatches: list[Mismatch] = field(default_factory=list)
    # Versions stored after their chain began that have no record (a record removed).
    unrecorded: list[tuple[str, int]] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.mismatches and not self.unrecorded

    def lines(self) -> list[str]:
        found = [mismatch.line() for mismatch in self.mismatches]
        found += [
            f"{target}: snapshot #{snapshot_id} was stored after its chain began but has no "
            "evidence record"
            for target, snapshot_id in self.unrecorded
        ]
        return found


def verify_chains(
    database: Database, blobs: BlobStore, target_id: str | None = None
) -> Verification:
    result = Verification()
    previous: dict[str, EvidenceChainRecord] = {}
    broken: set[str] = set()
    after = 0
    while True:
        with database.reader() as repo:
            page = repo.evidence_records(target_id=target_id, after_snapshot_id=after, limit=_PAGE)
            texts: dict[int, str | None] = {}
            for record in page:
                snapshot = repo.get_snapshot(record.snapshot_id)
                texts[record.snapshot_id] = (
                    content_sha256(snapshot.canonical_text) if snapshot is not None else None
                )
        if not page:
            with database.reader() as repo:
                result.unrecorded = repo.unrecorded_versions(target_id)
            return result
        for record in page:
            result.records += 1
            result.targets.add(record.target_id)
            if record.target_id not in broken:
                problems = check_record(
                    record, previous.get(record.target_id), blobs, texts[record.snapshot_id]
                )
                if problems:
                    broken.add(record.target_id)
                    result.mismatches.append(Mismatch(record, tuple(problems)))
            previous[record.target_id] = record
        after = page[-1].snapshot_id
