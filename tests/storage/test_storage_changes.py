"""Changes with their findings: recorded in one go, listed newest first with filters and pages."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from storage_testkit import T0, target

from storage import CheckSpec, Database, FindingSpec, Repository

TARGETS = [
    target("privacy-policy", "de"),
    target("privacy-policy", "us"),
    target("genai", "de", url="https://www.facebook.com/privacy/genai"),
]
NEW_CATEGORY = FindingSpec(
    kind="new_data_category",
    severity="high",
    region="de",
    path="what-information-do-we-collect/list[3]",
    evidence_before=None,
    evidence_after="Your interactions with AI features, including the prompts you send.",
    note="new kind of data: interactions with AI",
    terms=("interactions", "AI"),
)
EFFECTIVE_DATE = FindingSpec(
    kind="effective_date",
    severity="low",
    region="de",
    path="header/effective-date",
    evidence_before="Effective 16 June 2025",
    evidence_after="Effective 16 December 2025",
)


def _add_change(repo: Repository, target_id: str, minute: int, findings: list[FindingSpec]) -> int:
    """Two new snapshots of the target and the change between them; returns the change id."""
    at = T0 + timedelta(minutes=minute)
    before = repo.save_snapshot(
        target_id,
        canonical_text=f"version {minute} a",
        raw_html=None,
        taken_at=at,
        final_url=None,
        http_status=200,
    )
    after = repo.save_snapshot(
        target_id,
        canonical_text=f"version {minute} b",
        raw_html=None,
        taken_at=at,
        final_url=None,
        http_status=200,
    )
    change = repo.record_change(
        target_id,
        from_snapshot_id=before.id,
        to_snapshot_id=after.id,
        detected_at=at,
        summary=f"change at minute {minute}",
        diff={"ops": [{"op": "insert", "block": minute}]},
        findings=findings,
    )
    return change.id


@pytest.fixture
def registered(database: Database) -> Database:
    with database.transaction() as repo:
        repo.upsert_targets(TARGETS, T0)
    return database


def test_a_change_is_stored_with_its_findings_in_order(registered: Database) -> None:
    with registered.transaction() as repo:
        change_id = _add_change(repo, "privacy-policy@de", 0, [NEW_CATEGORY, EFFECTIVE_DATE])
    with registered.reader() as repo:
        change = repo.get_change(change_id)
    assert change is not None
    assert (change.target_id, change.source_id, change.region_id) == (
        "privacy-policy@de",
        "privacy-policy",
        "de",
    )
    assert change.summary == "change at minute 0"
    assert change.diff == {"ops": [{"op": "insert", "block": 0}]}
    assert change.detected_at == T0
    assert change.confirmed is False
    assert change.check_id is None
    assert [f.kind for f in change.findings] == ["new_data_category", "effective_date"]
    first = change.findings[0]
    assert (first.severity, first.region, first.path) == ("high", "de", NEW_CATEGORY.path)
    assert first.evidence_before is None
    assert first.evidence_after == NEW_CATEGORY.evidence_after
    assert first.note == NEW_CATEGORY.note
    assert first.terms == ("interactions", "AI")
    assert {f.change_id for f in change.findings} == {change_id}


def test_record_change_returns_what_get_change_reads(registered: Database) -> None:
    with registered.transaction() as repo:
        a = repo.save_snapshot(
            "genai@de",
            canonical_text="a",
            raw_html=None,
            taken_at=T0,
            final_url=None,
            http_status=200,
        )
        b = repo.save_snapshot(
            "genai@de",
            canonical_text="b",
            raw_html=None,
            taken_at=T0,
            final_url=None,
            http_status=200,
        )
        recorded = repo.record_change(
            "genai@de",
            from_snapshot_id=a.id,
            to_snapshot_id=b.id,
            detected_at=T0,
            summary="one paragraph changed",
            diff={},
            findings=[EFFECTIVE_DATE],
            confirmed=True,
        )
    with registered.reader() as repo:
        assert repo.get_change(recorded.id) == recorded
        assert repo.get_change(recorded.id + 1000) is None


def test_the_check_that_found_a_change_is_linked_both_ways(registered: Database) -> None:
    with registered.transaction() as repo:
        change_id = _add_change(repo, "privacy-policy@de", 0, [EFFECTIVE_DATE])
        change = repo.get_change(change_id)
        assert change is not None
        check = repo.record_check(
            CheckSpec(
                target_id="privacy-policy@de",
                started_at=T0,
                finished_at=T0 + timedelta(seconds=2),
                outcome="changed",
                snapshot_id=change.to_snapshot_id,
                change_id=change_id,
            )
        )
    with registered.reader() as repo:
        stored = repo.get_change(change_id)
        assert stored is not None
        assert stored.check_id == check.id
        assert repo.recent_checks("privacy-policy@de")[0].change_id == change_id


def test_list_changes_newest_first_with_findings(registered: Database) -> None:
    with registered.transaction() as repo:
        older = _add_change(repo, "privacy-policy@de", 0, [EFFECTIVE_DATE])
        newer = _add_change(repo, "genai@de", 5, [NEW_CATEGORY, EFFECTIVE_DATE])
        none = _add_change(repo, "privacy-policy@us", 9, [])
    with registered.reader() as repo:
        changes = repo.list_changes()
    assert [c.id for c in changes] == [none, newer, older]
    assert [len(c.findings) for c in changes] == [0, 2, 1]


@pytest.fixture
def many_changes(registered: Database) -> dict[str, list[int]]:
    """Ten changes spread over the three targets, one minute apart; ids per target, oldest first."""
    ids: dict[str, list[int]] = {t.id: [] for t in TARGETS}
    with registered.transaction() as repo:
        for minute in range(10):
            target_id = TARGETS[minute % 3].id
            ids[target_id].append(_add_change(repo, target_id, minute, [EFFECTIVE_DATE]))
    return ids


def test_filters_by_target_source_region_and_time(
    registered: Database, many_changes: dict[str, list[int]]
) -> None:
    def newest_first(*target_ids: str) -> list[int]:
        return sorted((i for t in target_ids for i in many_changes[t]), reverse=True)

    with registered.reader() as repo:
        by_target = repo.list_changes(target_id="genai@de")
        by_source = repo.list_changes(source_id="privacy-policy")
        by_region = repo.list_changes(region_id="de")
        both = repo.list_changes(source_id="privacy-policy", region_id="de")
        recent = repo.list_changes(since=T0 + timedelta(minutes=7))
        new_york = timezone(timedelta(hours=-4))
        recent_local = repo.list_changes(since=(T0 + timedelta(minutes=7)).astimezone(new_york))
        nothing = repo.list_changes(source_id="genai", region_id="us")
    assert [c.id for c in by_target] == newest_first("genai@de")
    assert [c.id for c in by_source] == newest_first("privacy-policy@de", "privacy-policy@us")
    assert [c.id for c in by_region] == newest_first("privacy-policy@de", "genai@de")
    assert [c.id for c in both] == newest_first("privacy-policy@de")
    assert [c.detected_at for c in recent] == [T0 + timedelta(minutes=m) for m in (9, 8, 7)]
    assert recent_local == recent
    assert nothing == []


def test_keyset_pages_cover_every_change_once(
    registered: Database, many_changes: dict[str, list[int]]
) -> None:
    pages: list[list[int]] = []
    before: int | None = None
    with registered.reader() as repo:
        while True:
            page = repo.list_changes(limit=3, before_id=before)
            if not page:
                break
            pages.append([c.id for c in page])
            before = page[-1].id
    every = sorted((i for ids in many_changes.values() for i in ids), reverse=True)
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    assert [i for p in pages for i in p] == every


def test_keyset_pages_combine_with_filters(
    registered: Database, many_changes: dict[str, list[int]]
) -> None:
    ids = sorted(many_changes["privacy-policy@de"], reverse=True)  # 4 changes
    with registered.reader() as repo:
        first = repo.list_changes(target_id="privacy-policy@de", limit=2)
        second = repo.list_changes(target_id="privacy-policy@de", limit=2, before_id=first[-1].id)
    assert [c.id for c in first + second] == ids


def test_invalid_values_are_refused_before_writing(registered: Database) -> None:
    with registered.transaction() as repo, pytest.raises(ValueError, match="limit"):
        repo.list_changes(limit=0)
