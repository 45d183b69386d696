"""E-mail through Apprise's real SMTP plugin into a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from notifiers_testkit import SMTP_PASSWORD, SMTP_USER, SmtpServer, free_port, make_alert

from notifiers import Markup, channel_for_url, render_alert, render_test_message, send


def mail_url(server: SmtpServer, credentials: str = "") -> str:
    return (
        f"mailto://{credentials}{server.host}:{server.port}"
        "?from=alerts@example.com&to=ops@example.org"
    )


def test_alert_mail_arrives_as_html_with_a_plain_text_alternative(smtp_server: SmtpServer) -> None:
    alert = make_alert()
    url = mail_url(smtp_server)
    channel = channel_for_url(url)
    message = render_alert(alert, channel)

    result = send(url, message, timeout_s=5)

    assert result.ok, result.error
    mail = smtp_server.mailbox.last()
    assert channel.markup is Markup.EMAIL_HTML
    assert mail["Subject"] == message.title
    assert message.title == (
        "[high] opt_out_changed — How Meta uses information for generative AI models (fr)"
    )
    assert mail["To"].addresses[0].addr_spec == "ops@example.org"
    assert mail.get_content_type() == "multipart/alternative"
    html = mail.get_body(preferencelist=("html",))
    text = mail.get_body(preferencelist=("plain",))
    assert html is not None and text is not None
    html_content = html.get_content()
    # The page quote arrives escaped, never as markup of its own.
    assert "via &lt;ce formulaire&gt;." in html_content
    assert "<ce formulaire>" not in html_content
    assert "En vigueur le 27 mai 2025" in html_content
    assert 'href="http://127.0.0.1:8080/changes/42"' in html_content
    assert "2026-11-24T08:30:05Z" in html_content
    plain = text.get_content()
    assert "Vous pouvez vous opposer à cette utilisation via <ce formulaire>." in plain
    assert "Full change: http://127.0.0.1:8080/changes/42" in plain


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_test_message_reaches_an_authenticating_server(smtp_auth_server: SmtpServer) -> None:
    url = mail_url(smtp_auth_server, f"{SMTP_USER}:{SMTP_PASSWORD}@")
    message = render_test_message(channel_for_url(url), now=datetime(2026, 11, 24, tzinfo=UTC))

    result = send(url, message, timeout_s=5)

    assert result.ok, result.error
    mail = smtp_auth_server.mailbox.last()
    assert mail["Subject"] == "watcher test notification"
    plain = mail.get_body(preferencelist=("plain",))
    assert plain is not None
    assert "watcher can deliver alerts" in plain.get_content()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_wrong_smtp_password_fails_without_revealing_it(
    smtp_auth_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ngPa55wordGuess"
    url = mail_url(smtp_auth_server, f"{SMTP_USER}:{wrong}@")

    result = send(url, render_alert(make_alert(), channel_for_url(url)), timeout_s=5)

    assert not result.ok
    assert smtp_auth_server.mailbox.messages == []
    # aiosmtpd answers 535; Apprise only logs that code at DEBUG, which is on here.
    assert result.permanent
    assert result.error.startswith("E-Mail: delivery failed (SMTP server replied 535)")
    assert wrong not in result.error
    assert wrong not in caplog.text


def test_refused_smtp_connection_is_transient() -> None:
    url = f"mailto://127.0.0.1:{free_port()}?from=alerts@example.com&to=ops@example.org"

    result = send(url, render_alert(make_alert(), channel_for_url(url)), timeout_s=5)

    assert not result.ok
    assert not result.permanent
    assert "Connection error" in result.error
