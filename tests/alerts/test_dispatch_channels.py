"""The dispatcher through real transports: SMTP (aiosmtpd), Telegram and Slack (Apprise's real
plugins against a loopback API), JSON webhooks; immediate alerts and digests."""

from __future__ import annotations

from datetime import timedelta

from alerts_testkit import (
    T0,
    Endpoint,
    ManualClock,
    SmtpServer,
    config_with,
    register_targets,
    store_change,
    subscriptions_of,
)

from storage import Database
from watcher.alerts import Dispatcher, DispatchSettings

TELEGRAM_TOKEN = "123456789:AAHk9vQxT3sEcReTtOkEnZ2m7pL0wQ8rYbC"
SLACK_SECRET = "xq7Zp3SecretWebhookTail9K"
BASE_URL = "https://watcher.example.org"


def dispatcher_for(database: Database, subscriptions_yaml: str, clock: ManualClock) -> Dispatcher:
    config = config_with(subscriptions_yaml)
    register_targets(database, config)
    return Dispatcher(
        database,
        subscriptions_of(config),
        settings=DispatchSettings(base_url=BASE_URL),
        clock=clock,
        jitter=lambda: 0.0,
    )


def test_email_arrives_with_the_evidence_and_a_link(
    sqlite_database: Database, smtp: SmtpServer, clock: ManualClock
) -> None:
    url = f"mailto://127.0.0.1:{smtp.port}?from=alerts@example.com&to=dpo@example.org"
    dispatcher = dispatcher_for(
        sqlite_database, f"subscriptions:\n  - id: dpo\n    urls: '{url}'\n", clock
    )
    change_id = store_change(sqlite_database, dispatcher.subscriptions)

    stats = dispatcher.run_once()

    assert stats.delivered == 1
    (mail,) = smtp.mailbox.wait_for(1)
    assert "opt_out_changed" in mail["Subject"] and "Generative AI at Meta" in mail["Subject"]
    assert mail["To"] == "dpo@example.org"
    html = mail.get_body(("html",))
    plain = mail.get_body(("plain",))
    assert html is not None and plain is not None
    for part in (html.get_content(), plain.get_content()):
        flat = " ".join(part.split())
        assert "the right to object" in flat  # the quoted evidence, before
        assert "interactions with our AI features" in flat  # and after
        assert f"{BASE_URL}/changes/{change_id}" in part
    with sqlite_database.reader() as repo:
        (delivery,) = repo.list_deliveries()
        attempts = repo.delivery_attempts(delivery.id)
    assert delivery.status == "delivered"
    assert [(a.ok, a.error) for a in attempts] == [(True, "")]


def test_telegram_gets_one_message_within_its_limit(
    sqlite_database: Database, chat_apis: Endpoint, clock: ManualClock
) -> None:
    dispatcher = dispatcher_for(
        sqlite_database,
        f"subscriptions:\n  - id: tg\n    urls: 'tgram://{TELEGRAM_TOKEN}/987654321'\n",
        clock,
    )
    change_id = store_change(sqlite_database, dispatcher.subscriptions)

    assert dispatcher.run_once().delivered == 1

    (request,) = chat_apis.wait_for(1)
    assert request.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    payload = request.json()
    assert str(payload["chat_id"]) == "987654321"
    text = payload["text"]
    assert len(text) <= 4096
    assert "opt_out_changed" in text
    assert "right to object" in text and f"/changes/{change_id}" in text


def test_slack_gets_markdown_with_the_evidence(
    sqlite_database: Database, chat_apis: Endpoint, clock: ManualClock
) -> None:
    chat_apis.reply = b"ok"  # what Slack's webhooks answer
    url = f"slack://T01WORKSPC/B02SECRETBB/{SLACK_SECRET}/#privacy-alerts"
    dispatcher = dispatcher_for(
        sqlite_database, f"subscriptions:\n  - id: newsroom\n    urls: '{url}'\n", clock
    )
    store_change(sqlite_database, dispatcher.subscriptions)

    assert dispatcher.run_once().delivered == 1

    (request,) = chat_apis.wait_for(1)
    assert request.path == f"/services/T01WORKSPC/B02SECRETBB/{SLACK_SECRET}"
    payload = request.json()
    assert payload["channel"] == "#privacy-alerts"
    text = json_text(payload)
    assert "right to object" in text and "interactions with our AI features" in text


def test_one_change_reaches_each_channel_of_each_matching_subscription_once(
    sqlite_database: Database, endpoint: Endpoint, clock: ManualClock
) -> None:
    yaml = (
        "subscriptions:\n"
        f"  - id: both\n    urls: [json://127.0.0.1:{endpoint.port}/a, "
        f"json://127.0.0.1:{endpoint.port}/b]\n"
        f"  - id: de-only\n    urls: json://127.0.0.1:{endpoint.port}/c\n    regions: [de]\n"
        f"  - id: fr-high\n    urls: json://127.0.0.1:{endpoint.port}/d\n"
        "    regions: [fr]\n    min_severity: high\n"
    )
    dispatcher = dispatcher_for(sqlite_database, yaml, clock)
    store_change(sqlite_database, dispatcher.subscriptions, target_id="fb-genai@fr")

    assert dispatcher.run_once().delivered == 3
    assert dispatcher.run_once().delivered == 0  # nothing is sent twice
    assert sorted(r.path for r in endpoint.requests) == ["/a", "/b", "/d"]


def test_a_digest_waits_for_its_period_and_groups_by_source_and_region(
    sqlite_database: Database, endpoint: Endpoint, clock: ManualClock
) -> None:
    yaml = (
        "subscriptions:\n"
        f"  - id: hourly\n    urls: json://127.0.0.1:{endpoint.port}/digest\n"
        "    mode: digest\n    digest: hourly\n"
    )
    dispatcher = dispatcher_for(sqlite_database, yaml, clock)
    subscriptions = dispatcher.subscriptions
    changes = [
        store_change(sqlite_database, subscriptions, target_id=target, at=T0 + minutes, serial=n)
        for n, (target, minutes) in enumerate(
            [
                ("fb-genai@fr", timedelta(minutes=1)),
                ("fb-genai@de", timedelta(minutes=5)),
                ("fb-genai@fr", timedelta(minutes=20)),
            ]
        )
    ]

    clock.now = T0 + timedelta(minutes=29)  # 09:59, the hour is not over
    assert dispatcher.run_once().digests == 0
    clock.now = T0 + timedelta(minutes=30)  # 10:00
    stats = dispatcher.run_once()

    assert (stats.digests, stats.delivered) == (1, 3)
    (request,) = endpoint.wait_for(1)
    payload = request.json()
    assert "hourly digest 2026-05-27 09:00–10:00 UTC" in payload["title"]
    assert "3 changes in 2 pages" in payload["title"]
    assert sorted(set(request.change_ids())) == sorted(changes)
    with sqlite_database.reader() as repo:
        assert {d.status for d in repo.list_deliveries()} == {"delivered"}


def test_a_subscription_removed_from_the_config_fails_its_rows_instead_of_retrying(
    sqlite_database: Database, endpoint: Endpoint, clock: ManualClock
) -> None:
    yaml = f"subscriptions:\n  - id: old\n    urls: json://127.0.0.1:{endpoint.port}/x\n"
    old = dispatcher_for(sqlite_database, yaml, clock)
    store_change(sqlite_database, old.subscriptions)
    now_without = Dispatcher(sqlite_database, [], clock=clock)

    assert now_without.run_once().failed == 1
    with sqlite_database.reader() as repo:
        (delivery,) = repo.list_deliveries(failed_only=True)
    assert "no longer sends to json://127.0.0.1" in delivery.last_error
    assert endpoint.requests == []


def json_text(payload: object) -> str:
    """Every string inside a JSON payload, joined (Slack nests text in attachments/blocks)."""
    if isinstance(payload, str):
        return payload
    if isinstance(payload, dict):
        return " ".join(json_text(v) for v in payload.values())
    if isinstance(payload, list):
        return " ".join(json_text(v) for v in payload)
    return ""
