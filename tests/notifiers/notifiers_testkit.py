"""Helpers for the notifiers tests: sample alerts and real loopback transports.

Telegram and Slack are played by a `ThreadingHTTPServer` on 127.0.0.1 that Apprise's real
plugins are pointed at; e-mail goes to a real aiosmtpd SMTP server. Tests wait on events
set by these servers, never on time.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from apprise import NotifyFormat
from apprise.conversion import convert_between
from apprise.plugins.slack import NotifySlack
from apprise.plugins.telegram import NotifyTelegram

from notifiers.alert import Alert, AlertFinding, Severity

TELEGRAM_TOKEN = "123456789:AAHk9vQxT3sEcReTtOkEnZ2m7pL0wQ8rYbC"
TELEGRAM_CHAT = "987654321"
SLACK_TOKENS = ("T01WORKSPC", "B02SECRETBB", "xq7Zp3SecretWebhookTail9K")
SMTP_USER = "alerts"
SMTP_PASSWORD = "Sm7pPa55w0rdSecret"


def make_alert(**overrides: Any) -> Alert:
    """A realistic alert on the French generative-AI page, modelled on META.md's wording."""
    values: dict[str, Any] = {
        "change_id": 42,
        "target_id": "facebook-genai-fr",
        "source_id": "facebook-genai",
        "source_title": "How Meta uses information for generative AI models",
        "region_id": "fr",
        "url": "https://www.facebook.com/privacy/genai?locale=fr_FR",
        "detected_at": datetime(2026, 11, 24, 8, 30, 5, tzinfo=UTC),
        "findings": (
            AlertFinding(
                kind="opt_out_changed",
                severity=Severity.HIGH,
                path="Vos droits › Vous opposer",
                evidence_before="Vous pouvez vous opposer à cette utilisation via <ce formulaire>.",
                evidence_after="",
            ),
            AlertFinding(
                kind="effective_date",
                severity=Severity.LOW,
                path="En-tête",
                evidence_before="En vigueur le 26 juin 2024",
                evidence_after="En vigueur le 27 mai 2025",
            ),
        ),
        "summary": "The link to the objection form is gone from the page.",
        "diff_excerpt": (
            "--- before\n+++ after\n@@ -3,2 +3,1 @@\n"
            "-Vous pouvez vous opposer à cette utilisation via <ce formulaire>.\n"
            " Nous utilisons vos informations publiques."
        ),
        "change_url": "http://127.0.0.1:8080/changes/42",
    }
    values.update(overrides)
    return Alert(**values)


def markdown_to_html(markdown: str) -> str:
    """Markdown as Apprise renders it for services that want HTML."""
    html: str = convert_between(NotifyFormat.MARKDOWN, NotifyFormat.HTML, markdown)  # type: ignore[no-untyped-call]
    return html


@dataclass
class ReceivedRequest:
    method: str
    path: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeApi:
    """A loopback HTTP endpoint answering every POST with `status` and `reply`."""

    base_url: str
    status: int = 200
    reply: bytes = b"ok"
    requests: list[ReceivedRequest] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    hang: bool = False

    def last(self) -> ReceivedRequest:
        assert self.received.wait(5), "the fake API received nothing"
        return self.requests[-1]


def _handler_for(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            api.requests.append(ReceivedRequest("POST", self.path, self.rfile.read(length)))
            api.received.set()
            if api.hang:
                # Answer only when the test is over: the client must give up first.
                api.release.wait(30)
            self.send_response(api.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(api.reply)))
            self.end_headers()
            self.wfile.write(api.reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi(base_url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(api))
    server.daemon_threads = True
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll interval only makes shutdown() at teardown prompt.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def telegram_api(fake_api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    """Apprise's real Telegram plugin talking to the fake API (restored afterwards)."""
    monkeypatch.setattr(NotifyTelegram, "notify_url", f"{fake_api.base_url}/bot")
    monkeypatch.setattr(NotifyTelegram, "request_rate_per_sec", 0)
    fake_api.reply = json.dumps({"ok": True, "result": {"message_id": 1}}).encode()
    return fake_api


@pytest.fixture
def slack_api(fake_api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    """Apprise's real Slack plugin (webhook and bot modes) talking to the fake API."""
    monkeypatch.setattr(NotifySlack, "webhook_url", f"{fake_api.base_url}/services")
    monkeypatch.setattr(NotifySlack, "api_url", f"{fake_api.base_url}/api/{{}}")
    monkeypatch.setattr(NotifySlack, "request_rate_per_sec", 0)
    fake_api.reply = b"ok"
    return fake_api


def telegram_url() -> str:
    return f"tgram://{TELEGRAM_TOKEN}/{TELEGRAM_CHAT}"


def slack_url() -> str:
    return "slack://{}/{}/{}/#privacy-alerts".format(*SLACK_TOKENS)


def free_port() -> int:
    """A port nothing listens on (bound, then released), for refused connections."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class MailBox:
    """aiosmtpd handler keeping every accepted message."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.received = threading.Event()

    async def handle_DATA(  # noqa: N802 (aiosmtpd calls handlers by this name)
        self, server: Any, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.received.set()
        return "250 Message accepted for delivery"

    def last(self) -> EmailMessage:
        assert self.received.wait(5), "no mail arrived"
        return self.messages[-1]


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: MailBox


def _authenticate(
    server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def _start_smtp(*, authenticated: bool) -> tuple[Controller, SmtpServer]:
    mailbox = MailBox()
    options: dict[str, Any] = {}
    if authenticated:
        options = {"authenticator": _authenticate, "auth_require_tls": False, "auth_required": True}
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller, SmtpServer(host="127.0.0.1", port=controller.port, mailbox=mailbox)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    controller, server = _start_smtp(authenticated=False)
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpServer]:
    controller, server = _start_smtp(authenticated=True)
    try:
        yield server
    finally:
        controller.stop()
