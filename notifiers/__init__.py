"""Alert values rendered per channel and delivered through Apprise, with secrets redacted.

Typical use by the dispatcher::

    channel = channel_for_url(url)
    result = send(url, render_alert(alert, channel))
    if not result.ok and result.permanent: ...  # stop retrying this subscription

This package knows nothing of `watcher` or `storage`.

Names are imported on first use: Apprise (its plugin registry) and jinja2 cost a few tenths of a
second, which a command that only redacts a URL, or prints its help, must not pay.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

# Imported now, not on first use: the function `send` has the name of its module, and importing
# the module `notifiers.send` later would bind the package attribute `send` to the module.
# (`notifiers.send` imports Apprise only when it sends or checks a URL.)
from notifiers.send import SendResult, send, validate_url

if TYPE_CHECKING:
    from notifiers.alert import (
        Alert,
        AlertFinding,
        Digest,
        DigestGroup,
        Severity,
        most_severe_finding,
    )
    from notifiers.apprise_log import redacting_filter
    from notifiers.channels import Channel, Markup, channel_for_url
    from notifiers.config_text import AppriseConfigTextError, urls_from_config_text
    from notifiers.redact import RedactingFilter, redact_text, redact_url, url_secrets
    from notifiers.render import (
        RenderedMessage,
        render_alert,
        render_digest,
        render_test_message,
    )
    from notifiers.views import alert_title, digest_title

_WHERE = {
    "Alert": "alert",
    "AlertFinding": "alert",
    "Digest": "alert",
    "DigestGroup": "alert",
    "Severity": "alert",
    "most_severe_finding": "alert",
    "redacting_filter": "apprise_log",
    "Channel": "channels",
    "Markup": "channels",
    "channel_for_url": "channels",
    "AppriseConfigTextError": "config_text",
    "urls_from_config_text": "config_text",
    "RedactingFilter": "redact",
    "redact_text": "redact",
    "redact_url": "redact",
    "url_secrets": "redact",
    "RenderedMessage": "render",
    "render_alert": "render",
    "render_digest": "render",
    "render_test_message": "render",
    "alert_title": "views",
    "digest_title": "views",
}

__all__ = [
    "Alert",
    "AlertFinding",
    "AppriseConfigTextError",
    "Channel",
    "Digest",
    "DigestGroup",
    "Markup",
    "RedactingFilter",
    "RenderedMessage",
    "SendResult",
    "Severity",
    "alert_title",
    "channel_for_url",
    "digest_title",
    "most_severe_finding",
    "redact_text",
    "redact_url",
    "redacting_filter",
    "render_alert",
    "render_digest",
    "render_test_message",
    "send",
    "url_secrets",
    "urls_from_config_text",
    "validate_url",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'notifiers' has no attribute {name!r}")
    value = getattr(import_module(f"notifiers.{module}"), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
