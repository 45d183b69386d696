"""Telegram and Slack through Apprise's real plugins, pointed at a loopback fake API."""

from __future__ import annotations

import logging
import re
import threading
from html.parser import HTMLParser

import pytest
from apprise.plugins.telegram import NotifyTelegram
from notifiers_testkit import (
    SLACK_TOKENS,
    TELEGRAM_CHAT,
    TELEGRAM_TOKEN,
    FakeApi,
    free_port,
    make_alert,
    slack_url,
    telegram_url,
)

from notifiers import (
    AlertFinding,
    Markup,
    SendResult,
    Severity,
    channel_for_url,
    render_alert,
    render_digest,
    send,
    validate_url,
)
from notifiers.alert import Alert, Digest
from notifiers.text import utf16_len

CHANGE_URL = "http://127.0.0.1:8080/changes/42"
SECRETS = (TELEGRAM_TOKEN, *SLACK_TOKENS[1:])


class _TagBalance(HTMLParser):
    """Fails on any tag closed out of order or left open (Telegram rejects both)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(telegram_html: str) -> str:
    parser = _TagBalance()
    parser.feed(telegram_html)
    parser.close()
    assert parser.open == [], f"unclosed tags: {parser.open}"
    return "".join(parser.text)


def long_alert() -> Alert:
    """Many findings with long quotes mixing accents, flags and joined emoji."""
    quote = "Nous utilisons vos interactions avec l'IA 🇫🇷 & <les métadonnées> 👩‍👩‍👧 " * 12
    findings = tuple(
        AlertFinding(
            kind="data_use_expanded",
            severity=Severity.MEDIUM,
            path=f"Comment nous utilisons vos informations › Section {number}",
            evidence_before=quote,
            evidence_after=quote + "pour la publicité.",
        )
        for number in range(40)
    )
    return make_alert(findings=findings, diff_excerpt="\n".join(f"+ligne {i}" for i in range(200)))


def test_telegram_gets_an_html_message_with_escaped_quotes(telegram_api: FakeApi) -> None:
    url = telegram_url()
    message = render_alert(make_alert(), channel_for_url(url))

    result = send(url, message, timeout_s=5)

    assert result.ok, result.error
    request = telegram_api.last()
    assert request.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    payload = request.json()
    assert str(payload["chat_id"]) == TELEGRAM_CHAT
    assert payload["parse_mode"] == "HTML"
    text = payload["text"]
    # Telegram has no title field: the title is the first, bold line of the text.
    assert text.startswith(
        "<b>[high] opt_out_changed — How Meta uses information for generative AI models (fr)</b>"
    )
    assert (
        "<blockquote>Vous pouvez vous opposer à cette utilisation via &lt;ce formulaire&gt;."
        in text
    )
    assert f'<a href="{CHANGE_URL}">' in text
    assert "via <ce formulaire>." in visible_text(text)


def test_telegram_message_is_cut_to_4096_and_ends_with_the_link(telegram_api: FakeApi) -> None:
    url = telegram_url()
    message = render_alert(long_alert(), channel_for_url(url))

    result = send(url, message, timeout_s=5)

    assert result.ok, result.error
    assert message.truncated
    text = telegram_api.last().json()["text"]
    assert utf16_len(text) <= 4096
    assert len(text) > 3000, "the cut should keep most of the room"
    shown = visible_text(text)
    assert shown.endswith(f"… (truncated) full diff: {CHANGE_URL}")
    # No half entity, half flag or half family emoji anywhere.
    assert not re.search(r"&[a-z#0-9]*$", text.split("…")[0])
    for line in shown.splitlines():
        flags = re.findall("[\U0001f1e6-\U0001f1ff]+", line)
        assert all(len(run) % 2 == 0 for run in flags), line
        assert not line.endswith("\u200d")


def test_slack_webhook_gets_mrkdwn_with_page_text_neutralised(slack_api: FakeApi) -> None:
    hostile = AlertFinding(
        kind="new_data_category",
        severity=Severity.HIGH,
        path="Information we collect",
        evidence_before="",
        evidence_after="Ping <!channel> & see [this](http://evil.example) *now* _or_ `never`",
    )
    url = slack_url()
    alert = make_alert(findings=(hostile,))
    message = render_alert(alert, channel_for_url(url))

    result = send(url, message, timeout_s=5)

    assert result.ok, result.error
    request = slack_api.last()
    assert request.path == "/services/{}/{}/{}".format(*SLACK_TOKENS)
    payload = request.json()
    assert payload["mrkdwn"] is True
    attachment = payload["attachments"][0]
    assert attachment["title"] == message.title
    text = attachment["text"]
    assert "<!channel>" not in text
    assert "&lt;!channel&gt; &amp; see" in text
    assert "<http://evil.example" not in text
    assert r"\*now\*" in text
    assert f"<{CHANGE_URL}>" in text


def test_slack_blocks_mode_is_cut_to_one_section(slack_api: FakeApi) -> None:
    url = slack_url() + "?blocks=yes"
    channel = channel_for_url(url)
    message = render_alert(long_alert(), channel)

    result = send(url, message, timeout_s=5)

    assert result.ok, result.error
    assert channel.markup is Markup.MARKDOWN and channel.max_body == 3000
    blocks = slack_api.last().json()["attachments"][0]["blocks"]
    section = next(block for block in blocks if block["type"] == "section")
    assert utf16_len(section["text"]["text"]) <= 3000
    assert section["text"]["text"].endswith(f"… (truncated) full diff: <{CHANGE_URL}>")


def test_slack_bot_mode_posts_to_the_api(slack_api: FakeApi) -> None:
    slack_api.reply = b'{"ok": true, "channel": "C1", "ts": "1.2"}'
    url = "slack://xoxb-1234-5678-Zq9SecretBotToken/#privacy-alerts"
    digest = Digest("daily digest", (make_alert(), make_alert(change_id=43, region_id="de")))

    result = send(url, render_digest(digest, channel_for_url(url)), timeout_s=5)

    assert result.ok, result.error
    request = slack_api.last()
    assert request.path == "/api/chat.postMessage"
    assert request.json()["channel"] == "#privacy-alerts"


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(500, False), (502, False), (429, False), (400, True), (401, True), (403, True)],
)
def test_telegram_failures_are_classified(
    telegram_api: FakeApi, status: int, permanent: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    telegram_api.status = status
    telegram_api.reply = b'{"ok": false, "description": "Unauthorized"}'
    url = telegram_url()

    result = send(url, render_alert(make_alert(), channel_for_url(url)), timeout_s=5)

    assert not result.ok
    assert result.permanent is permanent
    assert f"error={status}" in result.error
    assert_no_secrets(result, caplog)


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (403, True), (404, True)])
def test_slack_failures_are_classified(
    slack_api: FakeApi, status: int, permanent: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack_api.status = status
    slack_api.reply = b"invalid_token"
    url = slack_url()

    result = send(url, render_alert(make_alert(), channel_for_url(url)), timeout_s=5)

    assert not result.ok
    assert result.permanent is permanent
    assert f"error={status}" in result.error
    assert_no_secrets(result, caplog)


def test_refused_connection_is_transient(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(NotifyTelegram, "notify_url", f"http://127.0.0.1:{free_port()}/bot")
    monkeypatch.setattr(NotifyTelegram, "request_rate_per_sec", 0)
    url = telegram_url()

    result = send(url, render_alert(make_alert(), channel_for_url(url)), timeout_s=5)

    assert not result.ok
    assert not result.permanent
    assert "connection error" in result.error.lower()
    assert_no_secrets(result, caplog)


def test_an_endpoint_that_never_answers_is_a_transient_timeout(telegram_api: FakeApi) -> None:
    telegram_api.hang = True
    url = telegram_url()

    result = send(url, render_alert(make_alert(), channel_for_url(url)), timeout_s=0.5)

    assert telegram_api.received.is_set()
    assert not result.ok
    assert not result.permanent
    assert result.duration_ms < 4000
    assert TELEGRAM_TOKEN not in result.error


@pytest.mark.parametrize(
    "url",
    ["", "tgram://", "nosuchservice://host/path", "slack://T01WORKSPC/B02SECRETBB", "not a url"],
)
def test_unusable_urls_fail_permanently_without_network(url: str) -> None:
    message = render_alert(make_alert(), channel_for_url(url))

    result = send(url, message, timeout_s=5)

    assert not result.ok
    assert result.permanent
    assert result.error.startswith("not a usable notification URL")
    assert "B02SECRETBB" not in result.error
    assert validate_url(url) is not None


def test_validate_url_accepts_good_urls_and_explains_bad_ones() -> None:
    assert validate_url(telegram_url()) is None
    assert validate_url(slack_url()) is None
    assert (
        validate_url("mailto://127.0.0.1:2525?from=alerts@example.com&to=ops@example.org") is None
    )
    error = validate_url("slack://T01WORKSPC/B02SECRETBB")
    assert error is not None
    assert "slack://T...C/***" in error and "T01WORKSPC" not in error
    assert "B02SECRETBB" not in error


def test_concurrent_sends_keep_their_own_reasons(telegram_api: FakeApi) -> None:
    telegram_api.status = 401
    telegram_api.reply = b'{"ok": false, "description": "Unauthorized"}'
    refused_url = f"json://127.0.0.1:{free_port()}/hook"
    start = threading.Barrier(2)
    results: dict[str, SendResult] = {}

    def deliver(name: str, url: str) -> None:
        message = render_alert(make_alert(), channel_for_url(url))
        start.wait(5)
        results[name] = send(url, message, timeout_s=5)

    threads = [
        threading.Thread(target=deliver, args=("telegram", telegram_url())),
        threading.Thread(target=deliver, args=("json", refused_url)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert "error=401" in results["telegram"].error
    assert "onnection error" not in results["telegram"].error
    assert results["telegram"].permanent
    assert "onnection error" in results["json"].error
    assert "401" not in results["json"].error
    assert not results["json"].permanent


def assert_no_secrets(result: SendResult, caplog: pytest.LogCaptureFixture) -> None:
    logged = caplog.text + "\n".join(str(record.args) for record in caplog.records)
    for secret in SECRETS:
        assert secret not in result.error
        assert secret not in logged


def test_a_silenced_apprise_logger_still_gives_an_honest_error(
    telegram_api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # dictConfig(disable_existing_loggers=True) does this to every logger it does not name.
    monkeypatch.setattr(logging.getLogger("apprise"), "disabled", True)
    telegram_api.status = 500
    url = telegram_url()

    result = send(url, render_alert(make_alert(), channel_for_url(url)), timeout_s=5)

    assert not result.ok
    assert not result.permanent
    assert result.error == (
        "Telegram: delivery failed: no reason recorded: "
        "the 'apprise' logger is disabled or set above WARNING"
    )
