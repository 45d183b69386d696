"""Targets follow the configuration (deactivated, never deleted); every check attempt is kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from storage_testkit import T0, target

from storage import CheckSpec, Database

DE = target("privacy-policy", "de")
FR = target("privacy-policy", "fr")
US = target("genai", "us", url="https://www.facebook.com/privacy/genai")


def test_new_targets_are_active_and_stamped(database: Database) -> None:
    with database.transaction() as repo:
        repo.upsert_targets([DE, US], T0)
    with database.reader() as repo:
        targets = repo.list_targets()
    assert [t.id for t in targets] == ["genai@us", "privacy-policy@de"]
    genai = targets[0]
    assert (genai.source_id, genai.region_id, genai.url) == ("genai", "us", US.url)
    assert genai.active
    assert genai.created_at == genai.updated_at == T0
    assert genai.last_checked_at is None and genai.last_outcome is None


def test_upsert_updates_changed_targets_only(database: Database) -> None:
    later = T0 + timedelta(days=1)
    with database.transaction() as repo:
        repo.upsert_targets([DE, US], T0)
    with database.transaction() as repo:
        repo.upsert_targets([replace(DE, title="Privacy Policy (EU)"), US], later)
    with database.reader() as repo:
        de = repo.get_target(DE.id)
        us = repo.get_target(US.id)
    assert de is not None and us is not None
    assert de.title == "Privacy Policy (EU)"
    assert (de.created_at, de.updated_at) == (T0, later)
    assert (us.created_at, us.updated_at) == (T0, T0)


def test_targets_missing_from_the_config_are_deactivated_not_deleted(database: Database) -> None:
    later = T0 + timedelta(hours=3)
    with database.transaction() as repo:
        repo.upsert_targets([DE, FR, US], T0)
    with database.transaction() as repo:
        deactivated = repo.deactivate_targets_except([DE.id], later)
        assert repo.deactivate_targets_except([DE.id], later) == 0  # already inactive
    assert deactivated == 2
    with database.reader() as repo:
        assert [t.id for t in repo.list_targets()] == [DE.id]
        every = {t.id: t for t in repo.list_targets(active_only=False)}
    assert set(every) == {DE.id, FR.id, US.id}
    assert not every[FR.id].active
    assert every[FR.id].updated_at == later
    assert every[DE.id].updated_at == T0


def test_a_target_back_in_the_config_is_reactivated(database: Database) -> None:
    with database.transaction() as repo:
        repo.upsert_targets([DE, FR], T0)
        repo.deactivate_targets_except([DE.id], T0 + timedelta(hours=1))
    with database.transaction() as repo:
        repo.upsert_targets([DE, FR], T0 + timedelta(hours=2))
    with database.reader() as repo:
        fr = repo.get_target(FR.id)
    assert fr is not None
    assert fr.active
    assert fr.updated_at == T0 + timedelta(hours=2)


def test_duplicate_ids_in_one_upsert_are_refused(database: Database) -> None:
    with database.transaction() as repo, pytest.raises(ValueError, match="duplicate"):
        repo.upsert_targets([DE, replace(DE, title="again")], T0)


def _check(target_id: str, minute: int, outcome: str, **fields: object) -> CheckSpec:
    started = T0 + timedelta(minutes=minute)
    spec = CheckSpec(
        target_id=target_id,
        started_at=started,
        finished_at=started + timedelta(seconds=3),
        outcome=outcome,
    )
    return replace(spec, **fields)  # type: ignore[arg-type]


def test_every_check_is_kept_newest_first(database: Database) -> None:
    with database.transaction() as repo:
        repo.upsert_targets([DE, US], T0)
        repo.record_check(_check(DE.id, 0, "first"))
        failed = repo.record_check(
            _check(
                DE.id,
                30,
                "failed",
                failure_kind="login_wall",
                failure_detail="the page asked to log in",
                http_status=200,
                final_url="https://www.facebook.com/login/",
                timings={"navigate_ms": 812.5, "total_ms": 1020.0},
            )
        )
        repo.record_check(_check(DE.id, 60, "unchanged"))
        repo.record_check(_check(US.id, 5, "failed", failure_kind="timeout"))
    with database.reader() as repo:
        recent = repo.recent_checks(DE.id, limit=2)
        assert [c.outcome for c in recent] == ["unchanged", "failed"]
        assert recent[1] == failed
        assert failed.failure_kind == "login_wall"
        assert failed.timings == {"navigate_ms": 812.5, "total_ms": 1020.0}
        assert failed.finished_at == T0 + timedelta(minutes=30, seconds=3)
        assert repo.check_counts_by_outcome() == {"first": 1, "failed": 2, "unchanged": 1}
        assert repo.check_counts_by_outcome(US.id) == {"failed": 1}


def test_targets_list_their_latest_check(database: Database) -> None:
    with database.transaction() as repo:
        repo.upsert_targets([DE, FR, US], T0)
        repo.record_check(_check(DE.id, 0, "first"))
        repo.record_check(_check(DE.id, 30, "failed", failure_kind="timeout"))
        repo.record_check(_check(US.id, 10, "first"))
    with database.reader() as repo:
        latest = {t.id: (t.last_outcome, t.last_checked_at) for t in repo.list_targets()}
    assert latest == {
        DE.id: ("failed", T0 + timedelta(minutes=30, seconds=3)),
        FR.id: (None, None),
        US.id: ("first", T0 + timedelta(minutes=10, seconds=3)),
    }
