"""Apprise's log records, captured per call and redacted before anyone sees them.

Apprise explains failures only through its `apprise` logger, and HTTP libraries below
it log request paths that can hold a bot token. Two pieces are installed once per
process: a `RedactingFilter` on the loggers that create those records (so every handler,
ours or the application's, receives redacted text) and a handler that hands each
`apprise` record to the call that caused it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from notifiers.redact import RedactingFilter, redact_text

APPRISE_LOGGER = "apprise"
# urllib3 logs each request line ("POST /bot<token>/sendMessage") at DEBUG.
_REDACTED_LOGGERS = (APPRISE_LOGGER, "urllib3.connectionpool")
MAX_ERROR_CHARS = 600


@dataclass(frozen=True)
class LogLine:
    level: int
    message: str


class Capture:
    """The Apprise log records of one call, and the secrets to remove from them."""

    def __init__(self, secrets: Iterable[str], log_filter: RedactingFilter) -> None:
        self._lock = threading.Lock()
        self._lines: list[LogLine] = []
        self._secrets = set(secrets)
        self._filter = log_filter
        self._added: list[frozenset[str]] = []

    def add(self, level: int, message: str) -> None:
        with self._lock:
            self._lines.append(LogLine(level, message))

    def hide(self, secrets: Iterable[str]) -> None:
        """Also redact `secrets` (learnt after parsing the URL) here and in the logs."""
        with self._lock:
            held = frozenset(secrets) - self._secrets
            if not held:
                return
            self._secrets |= held
            self._added.append(held)
        self._filter.add_secrets(held)

    def release(self) -> None:
        with self._lock:
            added, self._added = self._added, []
        for held in added:
            self._filter.remove_secrets(held)

    def redact(self, text: str) -> str:
        with self._lock:
            secrets = frozenset(self._secrets)
        return redact_text(text, secrets)

    def messages(self, min_level: int = logging.WARNING) -> list[str]:
        """Distinct redacted messages at or above `min_level`, in the order logged."""
        with self._lock:
            lines = list(self._lines)
        texts = (self.redact(line.message.strip()) for line in lines if line.level >= min_level)
        return list(dict.fromkeys(text for text in texts if text))

    def error_text(self, headline: str) -> str:
        """`headline` plus Apprise's reasons, e.g. "Telegram: ...: Unauthorized, error=401."."""
        reasons = self.messages()
        if not reasons and not logging.getLogger(APPRISE_LOGGER).isEnabledFor(logging.WARNING):
            reasons = ["no reason recorded: the 'apprise' logger is disabled or set above WARNING"]
        text = self.redact(f"{headline}: {'; '.join(reasons)}" if reasons else headline)
        return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


_current_capture: ContextVar[Capture | None] = ContextVar("notifiers_capture", default=None)


class _CaptureHandler(logging.Handler):
    """Routes each `apprise` record to the call it belongs to.

    Apprise runs a service in a worker thread with a copy of the caller's context, so a
    context variable names the right call even across threads, and concurrent sends
    never see each other's records. Records logged outside any call are ignored.
    """

    def emit(self, record: logging.LogRecord) -> None:
        capture = _current_capture.get()
        if capture is None:
            return
        try:
            capture.add(record.levelno, record.getMessage())
        except Exception:  # a logging handler must never raise into the code that logs
            self.handleError(record)


@dataclass(frozen=True)
class _Tap:
    log_filter: RedactingFilter
    handler: _CaptureHandler


_tap_lock = threading.Lock()
# Holds the one installed tap; a list so installation needs no `global` statement.
_installed: list[_Tap] = []


def _tap() -> _Tap:
    """The filter and handler, installed on first use and then kept.

    Kept for the life of the process rather than added per call: adding and removing
    filters or handlers while other threads log through the same logger can make those
    threads skip one for a record, and a skipped redaction filter would leak a token.
    """
    with _tap_lock:
        if not _installed:
            tap = _Tap(log_filter=RedactingFilter(), handler=_CaptureHandler())
            for name in _REDACTED_LOGGERS:
                logging.getLogger(name).addFilter(tap.log_filter)
            logging.getLogger(APPRISE_LOGGER).addHandler(tap.handler)
            _installed.append(tap)
        return _installed[0]


def redacting_filter() -> RedactingFilter:
    """The process-wide filter, e.g. to add to the application's own log handlers."""
    return _tap().log_filter


@contextmanager
def capturing(secrets: Iterable[str]) -> Iterator[Capture]:
    """Collect the Apprise records of the calls made inside the block, redacting `secrets`."""
    tap = _tap()
    held = frozenset(secrets)
    capture = Capture(held, tap.log_filter)
    token = _current_capture.set(capture)
    try:
        with tap.log_filter.watching(held):
            try:
                yield capture
            finally:
                capture.release()
    finally:
        _current_capture.reset(token)


def private_values(plugin: Any) -> set[str]:
    """The values Apprise itself marks private for a plugin (tokens, keys, passwords)."""
    values: set[str] = set()
    declared = {**getattr(plugin, "template_tokens", {}), **getattr(plugin, "template_args", {})}
    for name, meta in declared.items():
        if isinstance(meta, dict) and meta.get("private"):
            values.update(_strings(getattr(plugin, meta.get("map_to", name), None)))
    # HTTP headers given in the URL (`+X-Api-Key=...`) usually carry credentials.
    headers = getattr(plugin, "headers", None)
    if isinstance(headers, dict):
        values.update(_strings(list(headers.values())))
    return values


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple, set, frozenset)):
        yield from (item for item in value if isinstance(item, str))
