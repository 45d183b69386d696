"""Helpers for the alerts tests: a stored change with real diff JSON, real loopback transports,
and a clock the test moves by hand (backoff is tested by moving it, never by waiting).

Page text here is our own, modelled on how META.md describes Meta's real wording.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from storage import Database, TargetSpec
from watcher.alerts import Subscription, resolve_subscriptions
from watcher.classify import Finding, FindingKind, Severity
from watcher.config import Config, parse_config
from watcher.diff import diff_documents
from watcher.normalize import normalize_html
from watcher.pipeline.record import NewVersion
from watcher.pipeline.record import store_change as pipeline_store_change

T0 = datetime(2026, 5, 27, 9, 30, tzinfo=UTC)
WAIT_S = 30.0  # the longest any test waits for an event from a server or a process

SOURCES_YAML = """\
regions:
  fr:
    locale: fr-FR
    timezone: Europe/Paris
    accept_language: "fr-FR,fr;q=0.9"
  de:
    locale: de-DE
    timezone: Europe/Berlin
    accept_language: "de-DE,de;q=0.9"
sources:
  - id: fb-genai
    title: Generative AI at Meta
    url: "https://www.facebook.com/privacy/genai/"
    regions: [fr, de]
  - id: fb-policy
    title: Privacy Policy
    url: "https://www.facebook.com/privacy/policy/"
    regions: [fr, de]
"""

BEFORE_HTML = """<main>
<h1>Generative AI at Meta</h1>
<h2>Your rights</h2>
<p>If you live in the European Region, you have the right to object to the use of your public
posts for training our AI models. <a href="https://www.facebook.com/help/contact/712876720715583">
Use this form</a> to object.</p>
<p>We rely on legitimate interests to process this information.</p>
</main>"""

AFTER_HTML = """<main>
<h1>Generative AI at Meta</h1>
<h2>Your rights</h2>
<p>We rely on legitimate interests to process this information, including your interactions
with our AI features.</p>
</main>"""

OBJECTION_BEFORE = (
    "If you live in the European Region, you have the right to object to the use of your "
    "public posts for training our AI models."
)
AI_AFTER = (
    "We rely on legitimate interests to process this information, including your interactions "
    "with our AI features."
)


def config_with(subscriptions_yaml: str, file: str = "sources.yaml") -> Config:
    return parse_config(SOURCES_YAML + subscriptions_yaml, file=file)


def subscriptions_of(config: Config) -> tuple[Subscription, ...]:
    return resolve_subscriptions(config)


def register_targets(database: Database, config: Config) -> None:
    with database.transaction() as repo:
        repo.upsert_targets(
            [
                TargetSpec(
                    id=t.id, source_id=t.source_id, region_id=t.region_id, url=t.url, title=t.title
                )
                for t in config.targets()
            ],
            T0,
        )


def store_change(
    database: Database,
    subscriptions: Sequence[Subscription],
    *,
    target_id: str = "fb-genai@fr",
    at: datetime = T0,
    serial: int = 0,
) -> int:
    """A change with real diff JSON and two findings, queued for `subscriptions` in the same
    transaction, the way the pipeline stores one. Returns the change id."""
    source_id, region_id = target_id.split("@")
    before = normalize_html(BEFORE_HTML, base_url="https://www.facebook.com/privacy/genai/")
    after = normalize_html(AFTER_HTML, base_url="https://www.facebook.com/privacy/genai/")
    change = diff_documents(before, after)
    findings = [
        Finding(
            FindingKind.OPT_OUT_CHANGED,
            Severity.HIGH,
            evidence_before=OBJECTION_BEFORE,
            evidence_after="",
            path="Generative AI at Meta › Your rights",
            region=region_id,
        ),
        Finding(
            FindingKind.NEW_DATA_CATEGORY,
            Severity.MEDIUM,
            evidence_before="",
            evidence_after=AI_AFTER,
            path="Generative AI at Meta › Your rights",
            region=region_id,
        ),
    ]
    with database.transaction() as repo:
        previous = repo.save_snapshot(
            target_id,
            canonical_text=f"{before.canonical_text()}\n{serial}",
            raw_html=None,
            taken_at=at,
            final_url=None,
            http_status=200,
        )
        _, stored = pipeline_store_change(
            repo,
            target_id=target_id,
            source_id=source_id,
            region_id=region_id,
            after=previous.id,
            version=NewVersion(f"{after.canonical_text()}\n{serial}", http_status=200),
            change=change,
            findings=findings,
            subscriptions=subscriptions,
            detected_at=at,
        )
    return stored.id


@dataclass
class ManualClock:
    """The dispatcher's clock; tests move it to make retries due."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- a loopback HTTP endpoint ---------------------------------------------------------------------

_CHANGE_LINK = re.compile(r"/changes/(\d+)")


@dataclass
class Received:
    path: str
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)

    def change_ids(self) -> list[int]:
        return [int(found) for found in _CHANGE_LINK.findall(self.body.decode("utf-8", "replace"))]

    def basic_auth(self) -> str:
        value = self.headers.get("Authorization", "")
        return base64.b64decode(value.removeprefix("Basic ")).decode() if value else ""


@dataclass
class Endpoint:
    """Answers each POST with `status` (or holds request number `hold_at` until `release`)."""

    port: int = 0
    status: int = 200
    reply: bytes = b"{}"
    hold_at: int | None = None
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    _arrived: threading.Condition = field(default_factory=threading.Condition)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Endpoint:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(WAIT_S)

    def wait_for(self, count: int) -> list[Received]:
        """Blocks until `count` requests have arrived (fails the test after WAIT_S)."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.requests) >= count, WAIT_S)
        assert arrived, f"expected {count} requests, got {len(self.requests)}"
        return list(self.requests)

    def _record(self, received: Received) -> int:
        with self._arrived:
            self.requests.append(received)
            self._arrived.notify_all()
            return len(self.requests)


def _handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            received = Received(self.path, self.rfile.read(length), dict(self.headers.items()))
            number = endpoint._record(received)
            if endpoint.hold_at == number:
                endpoint.release.wait(WAIT_S)
            self.send_response(endpoint.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(endpoint.reply)))
            self.end_headers()
            self.wfile.write(endpoint.reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# --- a real SMTP server ---------------------------------------------------------------------------


class MailBox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(  # noqa: N802 (aiosmtpd's name)
        self, server: Any, session: Session, envelope: Envelope
    ) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._arrived:
            self.messages.append(parsed)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int) -> list[EmailMessage]:
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.messages) >= count, WAIT_S)
        assert arrived, f"expected {count} mails, got {len(self.messages)}"
        return list(self.messages)


@dataclass
class SmtpServer:
    port: int
    mailbox: MailBox


def running_smtp() -> Iterator[SmtpServer]:
    mailbox = MailBox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(port=controller.port, mailbox=mailbox)
    finally:
        controller.stop()


def write_config(folder: Path, subscriptions_yaml: str) -> Path:
    path = folder / "sources.yaml"
    path.write_text(SOURCES_YAML + subscriptions_yaml, encoding="utf-8")
    return path
