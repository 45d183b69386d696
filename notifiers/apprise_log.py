"""Apprise's log records, captured per call and redacted before anyone sees them.

Apprise explains failures only through its `apprise` logger, and HTTP libraries below
it log request paths that can hold a bot token. Three pieces are installed once per
process: a `RedactingFilter` on the loggers that create those records (so every handler,
ours or the application's, receives redacted text), a handler that hands each `apprise`
record to the call that caused it, and a gate that keeps every `apprise` record away from
all handlers while configuration text is being parsed (`silenced`).

Why the gate: Apprise logs the whole text it is given at DEBUG ("Loading raw configuration:
..."), quotes lines it cannot parse at ERROR, and plugins quote rejected tokens. Passwords
written as YAML keys (`pass: ...`) are not URL-shaped, so no redaction could find them; a
file that is not an Apprise configuration at all (`/etc/shadow`) would be printed line by
line. Nothing read from a configuration file is ever logged raw, so those records are
dropped, and the caller gets them back to explain the failure in words of its own.
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
# The records held back by `silenced` in this context (None: not parsing configuration).
_held_back: ContextVar[list[LogLine] | None] = ContextVar("notifiers_held_back", default=None)


def is_apprise_record(record: logging.LogRecord) -> bool:
    return record.name == APPRISE_LOGGER or record.name.startswith(f"{APPRISE_LOGGER}.")


class _DebugWindow:
    """Lowers the `apprise` logger to DEBUG while any `silenced` block runs.

    Apprise says which line or entry it skipped only at DEBUG ("Unparseable URL ... on line 2"),
    and a logger below its level never even creates the record. While the window is open,
    records of other threads and contexts below the level the logger had are dropped by
    `SilencingFilter`, so nobody else's output changes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0
        self._saved_level = logging.NOTSET
        # The effective level before the window opened; 0 (let all through) while closed.
        self.threshold = logging.NOTSET

    def open(self) -> None:
        logger = logging.getLogger(APPRISE_LOGGER)
        with self._lock:
            if self._open == 0:
                self._saved_level = logger.level
                self.threshold = logger.getEffectiveLevel()
                logger.setLevel(logging.DEBUG)
            self._open += 1

    def close(self) -> None:
        logger = logging.getLogger(APPRISE_LOGGER)
        with self._lock:
            self._open -= 1
            if self._open == 0:
                logger.setLevel(self._saved_level)
                self.threshold = logging.NOTSET


_debug_window = _DebugWindow()


class SilencingFilter(logging.Filter):
    """Drops `apprise` records created while `silenced` is active in the same context.

    Installed on the `apprise` logger, where Apprise creates its records; `guard_handler`
    also puts it on handlers, which see records of any `apprise.*` child logger too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not is_apprise_record(record):
            return True
        held = _held_back.get()
        if held is None:
            return record.levelno >= _debug_window.threshold
        try:
            held.append(LogLine(record.levelno, record.getMessage()))
        except (TypeError, ValueError):
            held.append(LogLine(record.levelno, ""))
        return False


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
    gate: SilencingFilter


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
            tap = _Tap(
                log_filter=RedactingFilter(), handler=_CaptureHandler(), gate=SilencingFilter()
            )
            # First, so a held-back record is not even redacted (or captured) first.
            logging.getLogger(APPRISE_LOGGER).addFilter(tap.gate)
            for name in _REDACTED_LOGGERS:
                logging.getLogger(name).addFilter(tap.log_filter)
            logging.getLogger(APPRISE_LOGGER).addHandler(tap.handler)
            _installed.append(tap)
        return _installed[0]


def redacting_filter() -> RedactingFilter:
    """The process-wide filter, e.g. to add to the application's own log handlers."""
    return _tap().log_filter


def guard_handler(handler: logging.Handler) -> None:
    """Make `handler` safe for secrets: the silencing gate, then the redacting filter.

    For the application's own handlers (the CLI's stderr handler): they also receive records
    of loggers the per-logger filters do not sit on (`apprise.*` children, asyncio, ...).
    """
    tap = _tap()
    for log_filter in (tap.gate, tap.log_filter):
        if log_filter not in handler.filters:
            handler.addFilter(log_filter)


@contextmanager
def silenced() -> Iterator[list[LogLine]]:
    """Hold back every `apprise` record logged inside the block (in this context) from all
    handlers; the list yielded receives them, DEBUG ones included and unredacted, for the
    caller to interpret."""
    _tap()
    held: list[LogLine] = []
    token = _held_back.set(held)
    _debug_window.open()
    try:
        yield held
    finally:
        _debug_window.close()
        _held_back.reset(token)


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
