"""Secrets in Apprise URLs never reach error texts or logs."""

from __future__ import annotations

import io
import logging
import threading

import pytest

from notifiers import RedactingFilter, redact_text, redact_url, url_secrets


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("tgram://123456:AAHk9vQxT3sEcReT/123456", "tgram://***/123456"),
        ("tgram://1234:ab/42", "tgram://***/42"),
        ("mailto://user:s3cretpw@mail.example.com", "mailto://user:***@mail.example.com"),
        # Slack's workspace token (TokenA) as Apprise's privacy mode shows it: `T...1`.
        ("slack://T1/B2/C3", "slack://T...1/***/***"),
        ("slack://T01WORKSPC/B02SECRETBB/xq7Zp3Tail/#alerts", "slack://T...C/***/***/#alerts"),
        ("slack://T0000/B0000/XXXXXXXX/#privacy", "slack://T...0/***/***/#privacy"),
        ("slack://watcher@T01WORKSPC/B02SECRETBB/xq7Zp3Tail", "slack://watcher@T...C/***/***"),
        ("slack://xoxb-1234-5678-Zq9Secret/#alerts", "slack://***/#alerts"),
        ("json://host/path?token=abc", "json://host/path?token=***"),
        (
            "json://user:pw@localhost:8080/hook?+X-Api-Key=k3y&format=markdown",
            "json://user:***@localhost:8080/hook?+X-Api-Key=***&format=markdown",
        ),
        (
            "https://hooks.slack.com/services/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K",
            "https://hooks.slack.com/services/T...C/***/***",
        ),
        # Short or all-digit tokens are tokens too where the service puts them.
        (
            "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX",
            "https://hooks.slack.com/services/T...0/***/***",
        ),
        (
            "https://hooks.slack-gov.com/workflows/T01/A02/123/Xyz",
            "https://hooks.slack-gov.com/workflows/***/***/***/***",
        ),
        ("discord://1234567890/DiscordTokWq81zzLmNp", "discord://***/***"),
        ("discord://watcher@1234567890/DiscordTokWq81zzLmNp", "discord://watcher@***/***"),
        (
            "https://discord.com/api/webhooks/1234567890/DiscordTok",
            "https://discord.com/api/webhooks/***/***",
        ),
        ("fluxers://chat.example.org/987654/FluxTok", "fluxers://chat.example.org/***/***"),
        ("whatsapp://WaTok1234abcd@1234567890/+15551234567", "whatsapp://***@***/+15551234567"),
        ("tgram://123456789:AAHk9vQxT3sEcReT/-1001234567/42", "tgram://***/-1001234567/42"),
        (
            "jsons://watcher:Pw0rd@hooks.example.org/alerts",
            "jsons://watcher:***@hooks.example.org/alerts",
        ),
        (
            "mailtos://alerts:Sm7pPa55w0rd@mail.example.org?to=dpo@example.org",
            "mailtos://alerts:***@mail.example.org?to=dpo@example.org",
        ),
        (
            "mailtos://mail.example.org?user=alerts&pass=Sm7pPa55w0rd",
            "mailtos://mail.example.org?user=alerts&pass=***",
        ),
        (
            "ntfys://ntfy.example.org/topic?token=tk_Ntfy41",
            "ntfys://ntfy.example.org/topic?token=***",
        ),
        (
            "matrixs://MatrixTokQq77zzLm@matrix.example.org/#room",
            "matrixs://***@matrix.example.org/#room",
        ),
        ("pover://UserKeyZz21abcdefgh@AppTokZz11abcdefgh", "pover://***@***"),
        (
            "mailtos://alerts@mail.example.com?to=ops@example.org&pass=hunter22",
            "mailtos://alerts@mail.example.com?to=ops@example.org&pass=***",
        ),
        ("not a url at all", "***"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_url_secrets_lists_the_hidden_pieces_raw_and_decoded() -> None:
    secrets = url_secrets("mailto://user:p%40ss%2Fword@mail.example.com?to=ops@example.org")
    assert {"p%40ss%2Fword", "p@ss/word"} <= secrets
    assert "user" not in secrets and "ops@example.org" not in secrets


def test_redact_text_removes_known_secrets_and_any_url() -> None:
    token = "123456:AAHk9vQxT3sEcReT"
    text = (
        f"POST http://127.0.0.1:9999/bot{token}/sendMessage failed; token {token} rejected; "
        "see slack://T01WORKSPC/B02SECRETBB/xq7Zp3Tail."
    )

    redacted = redact_text(text, url_secrets(f"tgram://{token}/42"))

    assert token not in redacted
    assert "B02SECRETBB" not in redacted and "xq7Zp3Tail" not in redacted
    assert "http://127.0.0.1:9999/bot***/sendMessage" in redacted
    assert redacted.endswith("see slack://T...C/***/***.")
    assert "T01WORKSPC" not in redacted


def test_short_secrets_do_not_shred_ordinary_words() -> None:
    assert redact_text("Sending email to ops", {"pw", "to"}) == "Sending email to ops"


def make_logger(name: str, log_filter: RedactingFilter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(log_filter)
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_filter_redacts_messages_args_and_tracebacks() -> None:
    url = "tgram://123456:AAHk9vQxT3sEcReT/42"
    log_filter = RedactingFilter([url])
    logger, stream = make_logger("tests.notifiers.redact", log_filter)

    logger.warning("delivery to %s failed with %s", "bot123456:AAHk9vQxT3sEcReT", url)
    try:
        raise RuntimeError("bad token 123456:AAHk9vQxT3sEcReT")
    except RuntimeError:
        logger.exception("crashed")

    output = stream.getvalue()
    assert "AAHk9vQxT3sEcReT" not in output
    assert "delivery to bot*** failed with tgram://***/42" in output
    assert "RuntimeError: bad token ***" in output


def test_filter_forgets_a_url_only_when_every_holder_released_it() -> None:
    url = "slack://T01WORKSPC/B02SECRETBB/xq7Zp3Tail"
    log_filter = RedactingFilter()
    log_filter.add_url(url)
    with log_filter.watching(url_secrets(url)):
        pass
    assert "B02SECRETBB" in log_filter.known_secrets()
    log_filter.remove_url(url)
    assert "B02SECRETBB" not in log_filter.known_secrets()


def test_filter_is_safe_while_other_threads_register_urls() -> None:
    log_filter = RedactingFilter()
    logger, stream = make_logger("tests.notifiers.redact.threads", log_filter)
    stop = threading.Event()
    secret = "Zq9StaticSecretToken"
    log_filter.add_secrets({secret})

    def churn() -> None:
        number = 0
        while not stop.is_set():
            with log_filter.watching({f"Churn{number}SecretValue"}):
                number += 1

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        for _ in range(300):
            logger.warning("token=%s", secret)
    finally:
        stop.set()
        worker.join(5)

    assert secret not in stream.getvalue()
    assert stream.getvalue().count("token=***") == 300
