"""A check that stores a change writes its outbox rows in the same transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from alerts_testkit import AFTER_HTML, BEFORE_HTML, config_with, subscriptions_of
from sqlalchemy import event

from storage import Database
from storage.errors import StorageError
from watcher.fetch.base import FetchResult
from watcher.fetch.static import StaticFetcher
from watcher.pipeline import Checker

SUBSCRIPTIONS = """\
subscriptions:
  - id: everything
    urls: [json://hooks.example.org/a, json://hooks.example.org/b]
  - id: genai-digest
    urls: json://hooks.example.org/digest
    sources: [fb-genai]
    mode: digest
  - id: policy-only
    urls: json://hooks.example.org/policy
    sources: [fb-policy]
"""
# Long enough to pass the health checks' minimum of visible text.
FILLER = "<p>" + "Meta explains here how it uses information for its AI features. " * 6 + "</p>"


def page(body: str) -> str:
    return f"<html><body>{body.replace('</main>', FILLER + '</main>')}</body></html>"


def run_checks(database: Database, pages: list[str]) -> list[str]:
    config = config_with(SUBSCRIPTIONS)
    (target,) = config.select_targets(["fb-genai@fr"])
    current = {"html": pages[0]}
    fetcher = StaticFetcher({target.id: lambda _request: _result(target.id, current["html"])})
    outcomes = []
    with Checker(fetcher, database, subscriptions=subscriptions_of(config)) as checker:
        checker.register([target])
        for html in pages:
            current["html"] = html
            outcomes.append(asyncio.run(checker.check(target)).outcome.value)
    return outcomes


def _result(target_id: str, html: str) -> FetchResult:
    url = "https://www.facebook.com/privacy/genai/"
    return FetchResult(target_id=target_id, url=url, final_url=url, status=200, html=html)


def test_a_stored_change_queues_one_row_per_matching_channel(database: Database) -> None:
    outcomes = run_checks(database, [page(BEFORE_HTML), page(BEFORE_HTML), page(AFTER_HTML)])

    assert outcomes == ["first", "unchanged", "changed"]
    with database.reader() as repo:
        (change,) = repo.list_changes()
        deliveries = repo.list_deliveries()
    assert sorted((d.subscription_id, d.mode, d.status) for d in deliveries) == [
        ("everything", "immediate", "pending"),
        ("everything", "immediate", "pending"),
        ("genai-digest", "digest", "digest_pending"),
    ]
    assert {d.change_id for d in deliveries} == {change.id}
    assert {d.created_at for d in deliveries} == {change.detected_at}


def test_the_outbox_rows_are_written_in_the_change_transaction(database: Database) -> None:
    # Every statement and commit, in order, with the connection that ran it.
    seen: list[tuple[int, str]] = []

    def on_execute(connection: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append((id(connection), " ".join(statement.split())))

    def on_commit(connection: object) -> None:
        seen.append((id(connection), "COMMIT"))

    listeners: list[tuple[str, Callable[..., None]]] = [
        ("before_cursor_execute", on_execute),
        ("commit", on_commit),
    ]
    for name, listener in listeners:
        event.listen(database.engine, name, listener)
    try:
        run_checks(database, [page(BEFORE_HTML), page(AFTER_HTML)])
    finally:
        for name, listener in listeners:
            event.remove(database.engine, name, listener)

    change_at = next(i for i, (_, text) in enumerate(seen) if "INSERT INTO changes " in text)
    outbox_at = next(i for i, (_, text) in enumerate(seen) if "INSERT INTO deliveries " in text)
    assert change_at < outbox_at
    assert seen[change_at][0] == seen[outbox_at][0]  # one connection
    assert all(text != "COMMIT" for _, text in seen[change_at:outbox_at])  # one transaction
    assert any(text == "COMMIT" for _, text in seen[outbox_at:])


def test_a_failing_outbox_write_stores_no_change_either(database: Database) -> None:
    run_checks(database, [page(BEFORE_HTML)])
    # A real failure of the outbox write: its table is gone.
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE delivery_attempts")
        connection.exec_driver_sql("DROP TABLE deliveries")

    with pytest.raises(StorageError, match="deliveries"):
        run_checks(database, [page(AFTER_HTML)])

    with database.reader() as repo:
        assert repo.list_changes() == []
        assert repo.count_snapshots() == 1
