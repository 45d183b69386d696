"""Target leases: one holder at a time, renewed by its holder, taken over once run out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from storage_testkit import T0, target

from storage import Database

SPAN = timedelta(minutes=5)


@pytest.fixture
def leased(database: Database) -> Database:
    with database.transaction() as repo:
        repo.upsert_targets([target("genai", "de"), target("genai", "fr")], T0)
    return database


def test_a_lease_has_one_holder_until_it_runs_out(leased: Database) -> None:
    with leased.transaction() as repo:
        assert repo.acquire_lease("genai@de", "a", T0, T0 + SPAN) is None
        held = repo.acquire_lease("genai@de", "b", T0 + timedelta(minutes=1), T0 + SPAN)
        assert held is not None and (held.holder, held.expires_at) == ("a", T0 + SPAN)
        # Another target is free.
        assert repo.acquire_lease("genai@fr", "b", T0, T0 + SPAN) is None
        # Run out: b takes it over.
        assert repo.acquire_lease("genai@de", "b", T0 + SPAN, T0 + 2 * SPAN) is None
        lease = repo.get_lease("genai@de")
    assert lease is not None and (lease.holder, lease.acquired_at) == ("b", T0 + SPAN)


def test_the_holder_renews_and_gives_back_its_lease(leased: Database) -> None:
    with leased.transaction() as repo:
        assert repo.acquire_lease("genai@de", "a", T0, T0 + SPAN) is None
        assert repo.acquire_lease("genai@de", "a", T0, T0 + 2 * SPAN) is None
        assert not repo.release_lease("genai@de", "b")  # not b's to give back
        assert repo.release_lease("genai@de", "a")
        assert repo.get_lease("genai@de") is None
        assert repo.acquire_lease("genai@de", "b", T0, T0 + SPAN) is None


def test_the_leases_of_gone_holders_are_released_together(leased: Database) -> None:
    with leased.transaction() as repo:
        repo.acquire_lease("genai@de", "gone", T0, T0 + SPAN)
        repo.acquire_lease("genai@fr", "alive", T0, T0 + SPAN)
        assert sorted(repo.lease_holders()) == ["alive", "gone"]
        assert repo.release_leases_of(["gone"]) == 1
        assert repo.lease_holders() == ["alive"]
