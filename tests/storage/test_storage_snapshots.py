"""Content-addressed snapshots: one content row per distinct text, one snapshot row per version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from storage_testkit import T0, target

from storage import Database, Repository, SnapshotRecord, content_sha256

POLICY_V1 = "# What information do we collect?\n\nThings you do and information you provide."
POLICY_V2 = POLICY_V1 + "\n\nInformation from your interactions with AI at Meta."
HTML_V1 = "<html><body><h1>What information do we collect?</h1><p>v1</p></body></html>"


def _save(repo: Repository, text: str, at: datetime, *, html: str = HTML_V1) -> SnapshotRecord:
    return repo.save_snapshot(
        "privacy-policy@de",
        canonical_text=text,
        raw_html=html,
        taken_at=at,
        final_url="https://www.facebook.com/privacy/policy/",
        http_status=200,
    )


@pytest.fixture
def registered(database: Database) -> Database:
    with database.transaction() as repo:
        repo.upsert_targets([target("privacy-policy", "de"), target("privacy-policy", "fr")], T0)
    return database


def test_first_snapshot_is_stored_with_its_text(registered: Database) -> None:
    with registered.transaction() as repo:
        saved = _save(repo, POLICY_V1, T0)
    assert saved.is_new
    assert saved.content_sha256 == content_sha256(POLICY_V1)
    with registered.reader() as repo:
        latest = repo.latest_snapshot("privacy-policy@de")
        assert repo.count_snapshot_contents() == 1
    assert latest == SnapshotRecord(
        id=saved.id,
        target_id="privacy-policy@de",
        content_sha256=content_sha256(POLICY_V1),
        canonical_text=POLICY_V1,
        taken_at=T0,
        final_url="https://www.facebook.com/privacy/policy/",
        http_status=200,
        is_new=False,
    )


def test_same_text_again_writes_nothing(registered: Database) -> None:
    with registered.transaction() as repo:
        first = _save(repo, POLICY_V1, T0)
    with registered.transaction() as repo:
        again = _save(repo, POLICY_V1, T0 + timedelta(hours=1), html="<html>other noise</html>")
    assert not again.is_new
    assert again.id == first.id
    assert again.taken_at == T0  # the stored version, not the re-check
    with registered.reader() as repo:
        assert repo.count_snapshots() == 1
        assert repo.count_snapshot_contents() == 1
        assert repo.snapshot_raw_html(first.id) == HTML_V1  # raw HTML kept from the first save


def test_revert_creates_a_snapshot_but_reuses_the_content(registered: Database) -> None:
    with registered.transaction() as repo:
        v1 = _save(repo, POLICY_V1, T0)
        v2 = _save(repo, POLICY_V2, T0 + timedelta(hours=1))
        back = _save(repo, POLICY_V1, T0 + timedelta(hours=2))
    assert v2.is_new and back.is_new
    assert len({v1.id, v2.id, back.id}) == 3
    assert back.content_sha256 == v1.content_sha256
    with registered.reader() as repo:
        assert repo.count_snapshots() == 3
        assert repo.count_snapshot_contents() == 2
        assert repo.latest_snapshot("privacy-policy@de") == SnapshotRecord(
            id=back.id,
            target_id="privacy-policy@de",
            content_sha256=v1.content_sha256,
            canonical_text=POLICY_V1,
            taken_at=T0 + timedelta(hours=2),
            final_url="https://www.facebook.com/privacy/policy/",
            http_status=200,
            previous_id=v2.id,
        )
        history = repo.snapshot_history("privacy-policy@de", limit=10)
    assert [s.id for s in history] == [back.id, v2.id, v1.id]
    assert [s.text_length for s in history] == [len(POLICY_V1), len(POLICY_V2), len(POLICY_V1)]


def test_targets_with_the_same_text_share_one_content_row(registered: Database) -> None:
    with registered.transaction() as repo:
        germany = _save(repo, POLICY_V1, T0)
        france = repo.save_snapshot(
            "privacy-policy@fr",
            canonical_text=POLICY_V1,
            raw_html=None,
            taken_at=T0,
            final_url=None,
            http_status=None,
        )
    assert france.is_new and france.id != germany.id
    with registered.reader() as repo:
        assert repo.count_snapshots() == 2
        assert repo.count_snapshot_contents() == 1
        assert repo.snapshot_raw_html(france.id) is None
        assert repo.count_snapshots("privacy-policy@fr") == 1


def test_raw_html_is_stored_compressed_and_read_back(registered: Database) -> None:
    page = (
        "<html><body>" + "<p>We use information to personalise ads.</p>" * 2000 + "</body></html>"
    )
    with registered.transaction() as repo:
        saved = _save(repo, POLICY_V1, T0, html=page)
    with registered.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT raw_html_gzip FROM snapshots WHERE id = :id"), {"id": saved.id}
        ).scalar_one()
    assert len(stored) < len(page) / 20
    with registered.reader() as repo:
        assert repo.snapshot_raw_html(saved.id) == page


def test_unknown_snapshots_read_as_none(registered: Database) -> None:
    with registered.reader() as repo:
        assert repo.latest_snapshot("privacy-policy@de") is None
        assert repo.get_snapshot(12345) is None
        assert repo.snapshot_raw_html(12345) is None
        assert repo.snapshot_history("privacy-policy@de") == []


def test_get_snapshot_returns_its_text(registered: Database) -> None:
    with registered.transaction() as repo:
        v1 = _save(repo, POLICY_V1, T0)
        _save(repo, POLICY_V2, T0 + timedelta(minutes=5))
    with registered.reader() as repo:
        found = repo.get_snapshot(v1.id)
    assert found is not None
    assert found.canonical_text == POLICY_V1


def test_timestamps_come_back_as_aware_utc(registered: Database) -> None:
    paris_summer = timezone(timedelta(hours=2))
    local = datetime(2026, 6, 26, 23, 15, 30, 123456, tzinfo=paris_summer)
    with registered.transaction() as repo:
        saved = _save(repo, POLICY_V1, local)
    with registered.reader() as repo:
        latest = repo.latest_snapshot("privacy-policy@de")
    assert latest is not None
    assert latest.taken_at == local
    assert latest.taken_at.tzinfo == UTC
    assert latest.taken_at == datetime(2026, 6, 26, 21, 15, 30, 123456, tzinfo=UTC)
    assert saved.id == latest.id


def test_naive_timestamps_are_refused(registered: Database) -> None:
    with registered.transaction() as repo, pytest.raises(ValueError, match="taken_at"):
        _save(repo, POLICY_V1, datetime(2026, 6, 26, 12, 0))


def test_a_failed_transaction_leaves_nothing_behind(registered: Database) -> None:
    class CheckAbortedError(Exception):
        pass

    with pytest.raises(CheckAbortedError), registered.transaction() as repo:
        _save(repo, POLICY_V1, T0)
        raise CheckAbortedError
    with registered.reader() as repo:
        assert repo.count_snapshots() == 0
        assert repo.count_snapshot_contents() == 0


def test_a_reader_cannot_write(registered: Database) -> None:
    with registered.reader() as repo, pytest.raises(PermissionError):
        _save(repo, POLICY_V1, T0)


def test_a_reader_sees_committed_data_while_a_writer_is_busy(registered: Database) -> None:
    with registered.transaction() as repo:
        _save(repo, POLICY_V1, T0)
    with registered.transaction() as writer:
        _save(writer, POLICY_V2, T0 + timedelta(hours=1))
        # The write above is not committed: a reader (another connection) is not blocked by
        # it and still sees the committed version.
        with registered.reader() as reader:
            latest = reader.latest_snapshot("privacy-policy@de")
            assert latest is not None
            assert latest.canonical_text == POLICY_V1
    with registered.reader() as reader:
        latest = reader.latest_snapshot("privacy-policy@de")
        assert latest is not None
        assert latest.canonical_text == POLICY_V2
