"""One delivery attempt through Apprise, reported precisely.

`Apprise.notify()` never raises: it returns a falsy result and logs its reasons as
WARNING records on the `apprise` logger. `send` collects the records of its own call
(other threads sending at the same time keep theirs), turns them into one human error
text with every secret redacted, and decides whether retrying can help: a bad token, a
4xx answer other than 429, an unknown scheme or an unparsable URL are permanent; 5xx,
429, refused connections and timeouts are transient. Retries and backoff belong to the
caller (the outbox dispatcher).

Apprise is imported on first use (`_apprise`): this module is imported with the package, and
a command that only redacts a URL must not load Apprise's plugins.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from notifiers.apprise_log import Capture, capturing, private_values
from notifiers.redact import redact_url, url_secrets

if TYPE_CHECKING:
    # Only a type here: checking a URL (`validate_url`) must not load the templates' engine.
    from notifiers.render import RenderedMessage

# "..., error=401." is how nearly every Apprise HTTP plugin reports a status.
_HTTP_STATUS = re.compile(r"\berror\s*[=:]\s*(\d{3})\b", re.IGNORECASE)
# SMTP replies carry SMTP codes, where 5xx is permanent and 4xx temporary: refused
# recipients are logged at WARNING, login and data errors only at DEBUG.
_SMTP_REPLY = re.compile(r"(?:\bwas refused:\s*|Socket Exception: \()([45]\d\d)\b", re.IGNORECASE)
_TRANSIENT_HTTP = frozenset({408, 425, 429})
_CONNECTION_TROUBLE = re.compile(
    r"connection error|connect|timed? ?out|socket|temporar|unreachable|network",
    re.IGNORECASE,
)
# Problems with the URL or the message itself: sending again cannot succeed.
_CONFIGURATION_TROUBLE = re.compile(
    r"invalid|unsupported|unparseable|could not load|there were not|no \w+ recipients"
    r"|currently disabled|does not support|no message body",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SendResult:
    """What happened to one send.

    `permanent` only matters when `ok` is false: True means retrying the same URL and
    message cannot succeed (fix the subscription instead). `error` is for people and
    never contains a secret.
    """

    ok: bool
    permanent: bool
    error: str
    duration_ms: float


def send(url: str, message: RenderedMessage, *, timeout_s: float = 10) -> SendResult:
    """Deliver `message` to the Apprise `url` once, within about `timeout_s` seconds."""
    if not math.isfinite(timeout_s) or timeout_s <= 0:
        raise ValueError(f"timeout_s must be a positive number of seconds, not {timeout_s!r}")
    started = time.monotonic()
    with capturing(url_secrets(url)) as capture:
        ok, permanent, error = _deliver(url, message, timeout_s, capture)
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    return SendResult(ok=ok, permanent=permanent, error=error, duration_ms=duration_ms)


def validate_url(url: str) -> str | None:
    """None when Apprise can use `url`, else why not (secrets redacted)."""
    with capturing(url_secrets(url)) as capture:
        if _instantiate(url, _asset(timeout_s=10)) is not None:
            return None
        return capture.error_text(_invalid_url_text(url))


def _deliver(
    url: str, message: RenderedMessage, timeout_s: float, capture: Capture
) -> tuple[bool, bool, str]:
    asset = _asset(timeout_s)
    plugin = _instantiate(url, asset)
    if plugin is None:
        return False, True, capture.error_text(_invalid_url_text(url))
    capture.hide(private_values(plugin))
    _bound_socket_timeouts(plugin, timeout_s)
    service = str(plugin.service_name)

    notifier = _apprise().Apprise(asset=asset)
    notifier.add(plugin)
    try:
        result = notifier.notify(
            body=message.body,
            title=message.title,
            body_format=message.body_format,
            timeout=timeout_s,
        )
    except Exception as error:  # Apprise promises not to raise; if it does, report it.
        detail = capture.redact(f"{type(error).__name__}: {error}")
        return False, False, f"{service}: unexpected error in Apprise: {detail}"
    if result:
        return True, False, ""
    if getattr(result, "status", None) == _apprise().AppriseResultStatus.TIMEOUT:
        return False, False, f"{service}: no answer within {timeout_s:g} s"
    everything = capture.messages(min_level=logging.NOTSET)
    headline = f"{service}: delivery failed"
    smtp_codes = _SMTP_REPLY.findall("\n".join(everything))
    if smtp_codes:
        # Apprise words an SMTP login refusal as a "connection error"; the code is clearer.
        headline += f" (SMTP server replied {smtp_codes[-1]})"
    return False, is_permanent_failure(everything), capture.error_text(headline)


def is_permanent_failure(messages: Iterable[str]) -> bool:
    """Whether Apprise's reasons say the URL or message is wrong, not the moment.

    Unknown reasons count as transient: the dispatcher retries a bounded number of times,
    whereas a wrong "permanent" would silence a channel that works again in a minute.
    """
    text = "\n".join(messages)
    http = [int(code) for code in _HTTP_STATUS.findall(text)]
    smtp = [int(code) for code in _SMTP_REPLY.findall(text)]
    if any(code >= 500 or code in _TRANSIENT_HTTP for code in http):
        return False
    if any(400 <= code < 500 for code in http) or any(code >= 500 for code in smtp):
        return True
    if smtp or _CONNECTION_TROUBLE.search(text):
        return False
    return _CONFIGURATION_TROUBLE.search(text) is not None


def _invalid_url_text(url: str) -> str:
    return f"not a usable notification URL ({redact_url(url) or 'empty'})"


def _apprise() -> Any:
    import apprise  # noqa: PLC0415  (see the module's docstring)

    return apprise


def _instantiate(url: str, asset: Any) -> Any:
    return _apprise().Apprise.instantiate(url.strip(), asset=asset)


def _asset(timeout_s: float) -> Any:
    return _apprise().AppriseAsset(
        # Quotes must arrive as written: no ":smile:" or "\n" rewriting by Apprise.
        interpret_emojis=False,
        interpret_escapes=False,
        service_timeout=timeout_s,
    )


def _bound_socket_timeouts(plugin: Any, timeout_s: float) -> None:
    """Keep each connect and read within the send's budget (Apprise defaults to 4 s each)."""
    for name in ("socket_connect_timeout", "socket_read_timeout"):
        current = getattr(plugin, name, None)
        if isinstance(current, (int, float)):
            setattr(plugin, name, min(float(current), timeout_s))
