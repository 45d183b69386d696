"""The distributed workers in the web app: /healthz fails while a worker refuses a region and
says why, /metrics carries their gauges, and a target's page shows its backoff and its host's
politeness; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from lxml import html
from web_testkit import BASE_URL, context_for

from benchmarks.web_history import seed_history
from storage import Database
from watcher.config import PolitenessConfig
from watcher.web import create_app

WORKER = "worker-host:7:fr"
REFUSAL = "genai@fr served the us text, expected eu"


@pytest.fixture
def workers_client(fresh_database: Database) -> Iterator[tuple[TestClient, list[str]]]:
    seeded = seed_history(fresh_database, 2)
    politeness = PolitenessConfig.model_validate(
        {"hosts": {"www.example.org": {"max_concurrent": 1, "min_spacing": "10s"}}}
    )
    context = context_for(fresh_database, seeded.target_ids, politeness=politeness)
    with TestClient(create_app(context), base_url=BASE_URL) as client:
        yield client, seeded.target_ids


def _report(database: Database, refused: dict[str, str]) -> None:
    with database.transaction() as repo:
        repo.report_worker(
            WORKER, regions=["fr", "de"], refused=refused, checks_done=4, now=datetime.now(UTC)
        )


def test_healthz_fails_while_a_worker_refuses_a_region_and_says_why(
    fresh_database: Database, workers_client: tuple[TestClient, list[str]]
) -> None:
    client, _ = workers_client
    _report(fresh_database, {})
    healthy = client.get("/healthz")
    assert healthy.status_code == 200
    body = healthy.json()
    assert body["workers"] == "ok"
    assert [w["worker"] for w in body["workers_seen"]] == [WORKER]
    assert body["workers_seen"][0]["regions"] == ["fr", "de"]

    _report(fresh_database, {"fr": REFUSAL})
    failing = client.get("/healthz")
    assert failing.status_code == 503
    body = failing.json()
    assert body["status"] == "failing" and body["workers"] == "region refused"
    assert body["refused_regions"] == {WORKER: {"fr": REFUSAL}}


def test_metrics_carry_the_workers_gauges(
    fresh_database: Database, workers_client: tuple[TestClient, list[str]]
) -> None:
    client, _ = workers_client
    _report(fresh_database, {"fr": REFUSAL})
    text = client.get("/metrics").text
    assert f'watcher_worker_region_refused{{worker="{WORKER}",region="fr"}} 1' in text
    assert f'watcher_worker_up{{worker="{WORKER}",region="de"}} 1' in text
    assert f'watcher_worker_checks_total{{worker="{WORKER}"}} 4' in text
    assert "watcher_checks_total" in text  # the app's own families are still there
    families = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert len(families) == len(set(families))  # each family declared once


def test_the_target_page_shows_its_backoff_and_its_hosts_politeness(
    fresh_database: Database, workers_client: tuple[TestClient, list[str]]
) -> None:
    client, target_ids = workers_client
    target = target_ids[0]
    due = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    with fresh_database.transaction() as repo:
        repo.set_schedule(
            target,
            next_due_at=due,
            failures=3,
            last_failure_kind="rate_limited",
            now=due - timedelta(hours=8),
        )
    section = _schedule_section(client, target)
    assert "3 failures in a row" in section
    assert "rate_limited" in section and "asked us to slow down" in section
    assert due.isoformat() in section
    assert "www.example.org" in section
    assert "at most 1 page at once, starts 10.0 s apart" in section

    quiet = _schedule_section(client, target_ids[1])
    assert "not in the shared schedule" in quiet


def test_a_target_page_without_configuration_says_its_host_is_not_known(
    fresh_database: Database, workers_client: tuple[TestClient, list[str]]
) -> None:
    _, target_ids = workers_client
    with TestClient(create_app(context_for(fresh_database, target_ids))) as client:
        assert "not known here" in _schedule_section(client, target_ids[0])


def _schedule_section(client: TestClient, target_id: str) -> str:
    page = client.get(f"/targets/{target_id}")
    assert page.status_code == 200
    sections = html.fromstring(page.text).xpath("//section[@class='schedule']")
    assert len(sections) == 1
    return " ".join(sections[0].text_content().split())
