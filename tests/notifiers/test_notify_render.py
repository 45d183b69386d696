"""Rendering per channel: titles, escaping, time, limits and truncation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from notifiers_testkit import make_alert, markdown_to_html, slack_url, telegram_url

from notifiers import (
    AlertFinding,
    Channel,
    Digest,
    Markup,
    Severity,
    channel_for_url,
    render_alert,
    render_digest,
    render_test_message,
)
from notifiers.text import utf16_len

CHANGE_URL = "http://127.0.0.1:8080/changes/42"
TRUNCATED_MARKDOWN = f"… (truncated) full diff: <{CHANGE_URL}>"


def many_findings(count: int, quote_words: int = 60) -> tuple[AlertFinding, ...]:
    quote = " ".join(["interactions"] * quote_words)
    return tuple(
        AlertFinding("data_use_expanded", Severity.MEDIUM, f"Section {n}", quote, quote + " ads")
        for n in range(count)
    )


@pytest.mark.parametrize(
    ("url", "markup", "max_body", "title_in_body"),
    [
        (telegram_url(), Markup.TELEGRAM_HTML, 4096, True),
        (slack_url(), Markup.MARKDOWN, 35000, False),
        (slack_url() + "?blocks=yes", Markup.MARKDOWN, 3000, False),
        ("mailtos://user:pw@mail.example.com?to=ops@example.org", Markup.EMAIL_HTML, 32768, False),
        ("discord://1234567890/Zq9WebhookTokenValue", Markup.MARKDOWN, 2000, False),
        ("ntfy://ntfy.example.com/privacy-alerts", Markup.TEXT, 7800, False),
    ],
)
def test_channel_follows_the_url_scheme(
    url: str, markup: Markup, max_body: int, title_in_body: bool
) -> None:
    channel = channel_for_url(url)
    assert channel.markup is markup
    assert channel.max_body == max_body
    assert channel.title_in_body is title_in_body


def test_https_slack_webhook_url_is_slack() -> None:
    channel = channel_for_url("https://hooks.slack.com/services/T01WORKSPC/B02SECRETBB/xq7Zp3Tail")
    assert channel.markup is Markup.MARKDOWN
    assert channel.service == "Slack"


def test_title_names_severity_kind_source_and_region() -> None:
    message = render_alert(make_alert(), Channel(Markup.MARKDOWN))
    assert message.title == (
        "[high] opt_out_changed — How Meta uses information for generative AI models (fr)"
    )
    assert message.body_format == "markdown"
    assert not message.truncated


def test_markdown_body_has_findings_quotes_time_diff_and_link() -> None:
    body = render_alert(make_alert(), Channel(Markup.MARKDOWN)).body

    assert "**1. opt\\_out\\_changed** (high) — _Vos droits › Vous opposer_" in body
    assert "> Vous pouvez vous opposer à cette utilisation via \\<ce formulaire\\>." in body
    assert "_(removed from the page)_" in body
    assert "> En vigueur le 27 mai 2025" in body
    assert "Detected: 2026-11-24T08:30:05Z (Tue 24 Nov 2026, 08:30 UTC)" in body
    assert "```diff\n@@ -3,2 +3,1 @@\n-Vous pouvez" in body
    assert "--- before" not in body
    assert body.endswith(f"Full change: <{CHANGE_URL}>")


def test_detection_time_is_told_in_utc() -> None:
    paris_winter = timezone(timedelta(hours=1))
    alert = make_alert(detected_at=datetime(2026, 11, 24, 10, 30, 5, tzinfo=paris_winter))
    body = render_alert(alert, Channel(Markup.TEXT)).body
    assert "2026-11-24T09:30:05Z (Tue 24 Nov 2026, 09:30 UTC)" in body


def test_quotes_cannot_inject_markup_in_any_format() -> None:
    hostile = AlertFinding(
        "new_data_category",
        Severity.HIGH,
        "<i>path</i>",
        "",
        "<script>alert(1)</script> **loud** [x](http://evil.example) <!channel>",
    )
    alert = make_alert(findings=(hostile,), source_title="Policy <b>& co</b>")

    email = render_alert(alert, Channel(Markup.EMAIL_HTML)).body
    assert "<script>" not in email and "&lt;script&gt;alert(1)&lt;/script&gt;" in email
    assert "&lt;i&gt;path&lt;/i&gt;" in email
    assert "Policy &lt;b&gt;&amp; co&lt;/b&gt;" in email

    telegram = render_alert(alert, Channel(Markup.TELEGRAM_HTML, max_title=0)).body
    assert "<script>" not in telegram and "<i>path</i>" not in telegram
    assert telegram.startswith(
        "<b>[high] new_data_category — Policy &lt;b&gt;&amp; co&lt;/b&gt; (fr)</b>"
    )

    markdown = render_alert(alert, Channel(Markup.MARKDOWN)).body
    html = markdown_to_html(markdown)
    assert "<script>" not in html and "<strong>loud" not in html
    assert 'href="http://evil.example"' not in html
    assert f'href="{CHANGE_URL}"' in html


def test_long_alert_first_shortens_quotes_keeping_every_finding() -> None:
    alert = make_alert(findings=many_findings(4, quote_words=150))
    channel = Channel(Markup.MARKDOWN, max_body=4000)

    message = render_alert(alert, channel)

    assert not message.truncated
    assert utf16_len(message.body) <= 4000
    assert all(f"**{n}. data\\_use\\_expanded**" in message.body for n in range(1, 5))
    assert "interactions…" in message.body


def test_too_long_alert_drops_trailing_blocks_and_ends_with_the_link() -> None:
    alert = make_alert(findings=many_findings(60))
    channel = Channel(Markup.MARKDOWN, max_body=3000)

    message = render_alert(alert, channel)

    assert message.truncated
    assert utf16_len(message.body) <= 3000
    assert message.body.endswith(TRUNCATED_MARKDOWN)
    assert "**1. data\\_use\\_expanded**" in message.body
    assert "**60. data\\_use\\_expanded**" not in message.body
    html = markdown_to_html(message.body)
    assert f'<a href="{CHANGE_URL}">{CHANGE_URL}</a>' in html


def test_truncation_without_a_change_page_still_says_so() -> None:
    alert = make_alert(findings=many_findings(60), change_url=None)
    message = render_alert(alert, Channel(Markup.TEXT, max_body=2000))
    assert message.truncated
    assert message.body.endswith("… (truncated)")


def test_tiny_limits_still_fit() -> None:
    alert = make_alert(findings=many_findings(3))
    for markup in (Markup.TEXT, Markup.MARKDOWN, Markup.TELEGRAM_HTML):
        message = render_alert(alert, Channel(markup, max_body=160, max_title=0))
        assert utf16_len(message.body) <= 160, markup
        assert message.truncated
        assert message.body.startswith(("[medium]", "\\[medium\\]", "<b>[medium]")), markup


def test_measure_decides_what_fits() -> None:
    # A service that doubles every character on the wire gets half the text.
    channel = Channel(Markup.TEXT, max_body=3000, measure=lambda body: 2 * len(body))
    message = render_alert(make_alert(findings=many_findings(20)), channel)
    assert 2 * len(message.body) <= 3000
    assert message.truncated


def test_digest_groups_alerts_and_counts_what_was_cut() -> None:
    base = datetime(2026, 11, 24, 6, tzinfo=UTC)
    alerts = tuple(
        make_alert(
            change_id=n, region_id=("fr", "de")[n % 2], detected_at=base + timedelta(minutes=n)
        )
        for n in range(30)
    )
    digest = Digest("daily digest 2026-11-24", alerts, changes_url="http://127.0.0.1:8080/changes")

    full = render_digest(digest, Channel(Markup.MARKDOWN, max_body=100_000))
    assert full.title == "[high] daily digest 2026-11-24 — 30 changes in 2 pages"
    assert full.body.count("**How Meta uses information for generative AI models (de)**") == 1
    assert full.body.index("(de)**") < full.body.index("(fr)**")
    assert "All changes: <http://127.0.0.1:8080/changes>" in full.body

    cut = render_digest(digest, Channel(Markup.MARKDOWN, max_body=2500))
    shown = cut.body.count("- [high] opt\\_out\\_changed")
    assert cut.truncated and 0 < shown < 30
    assert cut.body.endswith(
        f"… (truncated) {30 - shown} more changes: <http://127.0.0.1:8080/changes>"
    )


def test_test_message_names_the_service_and_time() -> None:
    now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    message = render_test_message(channel_for_url(telegram_url()), now=now)
    assert message.title == ""
    assert message.body.startswith("<b>watcher test notification</b>")
    assert "this Telegram channel" in message.body
    assert "2026-11-24T08:00:00Z" in message.body
