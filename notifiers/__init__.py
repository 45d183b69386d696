"""Alert values rendered per channel and delivered through Apprise, with secrets redacted.

Typical use by the dispatcher::

    channel = channel_for_url(url)
    result = send(url, render_alert(alert, channel))
    if not result.ok and result.permanent: ...  # stop retrying this subscription

This package knows nothing of `watcher` or `storage`.
"""

from notifiers.alert import Alert, AlertFinding, Digest, DigestGroup, Severity, most_severe_finding
from notifiers.apprise_log import redacting_filter
from notifiers.channels import Channel, Markup, channel_for_url
from notifiers.redact import RedactingFilter, redact_text, redact_url, url_secrets
from notifiers.render import RenderedMessage, render_alert, render_digest, render_test_message
from notifiers.send import SendResult, send, validate_url
from notifiers.views import alert_title, digest_title

__all__ = [
    "Alert",
    "AlertFinding",
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
    "validate_url",
]
