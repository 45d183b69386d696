"""The JSON API: the same fields as `watcher changes --json`, keyset pages, writes behind a
token, /healthz and /metrics."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from web_testkit import BASE_URL, FAILING_TARGET, SEEDED_CHANGES, History, context_for, seed

from storage import Database
from watcher.cli.main import main
from watcher.web import Runtime, create_app


def test_api_changes_have_the_fields_and_values_of_changes_json(
    client: TestClient, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["changes", "--db", database_url_of(database), "--json", "--limit", "5"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    served = client.get("/api/changes?limit=5").json()["items"]
    assert len(printed) == len(served) == 5
    for cli, api in zip(printed, served, strict=True):
        assert api == {**cli, "check": api["check"], "url": f"{BASE_URL}/changes/{cli['id']}"}
        assert client.get(f"/api/changes/{cli['id']}").json() == api


def database_url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def test_api_lists_are_keyset_pages(client: TestClient, history: History) -> None:
    seen: list[int] = []
    url: str | None = "/api/changes?limit=7"
    while url is not None:
        page = client.get(url).json()
        seen += [c["id"] for c in page["items"]]
        url = page["next"]
    assert seen == sorted(history.seeded.change_ids, reverse=True)
    checks = client.get("/api/checks?limit=3").json()
    assert len(checks["items"]) == 3 and "before=" in checks["next"]
    assert client.get(checks["next"]).json()["items"][0]["id"] < checks["items"][-1]["id"]
    one = client.get(f"/api/checks?target={FAILING_TARGET}&limit=1").json()["items"][0]
    assert one["outcome"] == "failed" and one["failure_kind"] == "rate_limited"
    assert client.get(f"/api/checks/{one['id']}").json() == one


def test_api_targets_snapshots_and_compare(client: TestClient, history: History) -> None:
    targets = {t["id"]: t for t in client.get("/api/targets").json()}
    assert set(targets) == set(history.seeded.target_ids)
    assert targets[FAILING_TARGET]["state"] == "failing"
    assert client.get(f"/api/targets/{FAILING_TARGET}").json() == targets[FAILING_TARGET]
    versions = client.get("/api/snapshots?target=genai@fr&limit=2").json()
    newest = client.get(f"/api/snapshots/{versions['items'][0]['id']}").json()
    assert newest["previous"] == versions["items"][1]["id"] and newest["next"] is None
    assert newest["canonical_text"].startswith("# genai (fr)")
    compared = client.get("/api/compare/genai?a=uk&b=us").json()
    assert compared["source"] == "genai" and compared["same_language"] is True
    for url in ("/api/changes/999999", "/api/snapshots/999999", "/api/targets/x@y"):
        response = client.get(url)
        assert response.status_code == 404 and "detail" in response.json()
    wrong_kind = client.get("/api/changes?kind=nope")
    assert wrong_kind.status_code == 400
    assert wrong_kind.json()["detail"].startswith("kind: Input should be 'new_data_category'")


def test_writes_need_the_token(database: Database, history: History) -> None:
    asked: list[str] = []

    def trigger(target_id: str) -> bool:
        asked.append(target_id)
        return target_id in history.seeded.target_ids

    ids = history.seeded.target_ids
    closed = create_app(context_for(database, ids))
    with TestClient(closed) as client:
        assert client.post("/api/deliveries/retry-failed").status_code == 403
    context = context_for(database, ids, write_token="s3cret", runtime=Runtime(trigger=trigger))
    with TestClient(create_app(context)) as client:
        assert client.post("/api/checks?target=genai@fr").status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert client.post("/api/checks?target=genai@fr", headers=wrong).status_code == 401
        good = {"Authorization": "Bearer s3cret"}
        response = client.post("/api/checks?target=genai@fr", headers=good)
        assert response.status_code == 202 and response.json() == {
            "target": "genai@fr",
            "queued": True,
        }
        assert client.post("/api/checks?target=no@where", headers=good).status_code == 404
        assert asked == ["genai@fr", "no@where"]
        assert "s3cret" not in client.get("/status").text


def test_retry_failed_queues_failed_deliveries_again(fresh_database: Database) -> None:
    history = seed(fresh_database, 3)
    context = context_for(fresh_database, history.seeded.target_ids, write_token="t")
    with TestClient(create_app(context)) as client:
        good = {"Authorization": "Bearer t"}
        assert client.post("/api/deliveries/retry-failed", headers=good).json() == {"queued": 1}
        assert client.post("/api/deliveries/retry-failed", headers=good).json() == {"queued": 0}
        serve_alone = client.post("/api/checks?target=genai@fr", headers=good)
        assert serve_alone.status_code == 503
    with fresh_database.reader() as repo:
        assert repo.count_deliveries_by_status() == {"pending": 1}


# The distributed workers' part of /healthz in a history no worker has taken part in.
NO_WORKERS = {"workers_seen": [], "refused_regions": {}, "overdue_targets": [], "backing_off": []}


def test_healthz_reports_database_scheduler_and_dispatcher(
    database: Database, history: History
) -> None:
    ids = history.seeded.target_ids
    with TestClient(create_app(context_for(database, ids))) as client:
        assert client.get("/healthz").json() == {
            "status": "ok",
            "database": "ok",
            "workers": "ok",
            **NO_WORKERS,
        }
    runtime = Runtime(scheduler_alive=lambda: True, dispatcher_alive=lambda: False)
    with TestClient(create_app(context_for(database, ids, runtime=runtime))) as client:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "failing",
            "database": "ok",
            "workers": "ok",
            "scheduler": "ok",
            "dispatcher": "stopped",
            **NO_WORKERS,
        }
    gone = Database("postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=2")
    try:
        with TestClient(create_app(context_for(gone, ids))) as client:
            response = client.get("/healthz")
            assert response.status_code == 503
            assert response.json()["database"] == "unreachable"
            page = client.get("/changes")
            assert page.status_code == 503 and "cannot be read" in page.text
    finally:
        gone.dispose()


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples: dict[str, float] = {}
    for line in response.text.splitlines():
        if line.startswith("#"):
            assert line.split()[1] in ("HELP", "TYPE")
            continue
        name, value = line.rsplit(" ", 1)
        samples[name] = float(value)
    assert samples['watcher_checks_total{outcome="changed"}'] == SEEDED_CHANGES
    assert samples['watcher_checks_total{outcome="failed"}'] == 1
    assert samples['watcher_check_failures_total{kind="rate_limited"}'] == 1
    assert sum(v for k, v in samples.items() if k.startswith("watcher_findings_total")) == 40
    assert samples['watcher_deliveries{status="failed_permanent"}'] == 1
    assert samples["watcher_outbox_backlog"] == 0
    assert samples["watcher_fetch_duration_seconds_count"] == SEEDED_CHANGES + 4
    assert 0.9 <= samples['watcher_fetch_duration_seconds{quantile="0.5"}'] <= 3.0


def test_openapi_document_is_served_and_interactive_docs_are_not(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    assert {"/api/changes", "/api/changes/{change_id}", "/api/targets", "/api/checks"} <= set(
        document["paths"]
    )
    assert client.get("/docs").status_code == 404
