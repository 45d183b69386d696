"""What a channel accepts: markup, size limits, and how long a body is once on the wire.

The renderer is pure and only sees a `Channel`. Building one from an Apprise URL is the
one place that asks Apprise about its plugins (parsing only, no network): which markup the
plugin speaks, its body and title limits, and how it rewrites a body before sending
(Apprise turns CommonMark into Slack mrkdwn, reduces HTML to Telegram's tags, writes
Telegram line breaks as CRLF, ...). Measuring after that rewrite is what lets the
renderer promise that a message fits, instead of hoping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import apprise
from apprise.conversion import convert_between
from apprise.plugins.email import NotifyEmail
from apprise.plugins.slack import NotifySlack
from apprise.plugins.telegram import NotifyTelegram

from notifiers.apprise_log import capturing, private_values
from notifiers.redact import url_secrets
from notifiers.text import utf16_len


class Markup(StrEnum):
    """The markup a body is rendered in; each has its own templates and escaping."""

    EMAIL_HTML = "email_html"  # a full HTML document; Apprise adds a plain-text part
    TELEGRAM_HTML = "telegram_html"  # only the tags Telegram's HTML parse mode accepts
    MARKDOWN = "markdown"  # CommonMark; Apprise converts it for Slack, Discord, ...
    TEXT = "text"  # no markup at all (SMS-like services)

    @property
    def body_format(self) -> str:
        """The Apprise `body_format` this markup is declared as."""
        return _BODY_FORMATS[self]


_BODY_FORMATS = {
    Markup.EMAIL_HTML: "html",
    Markup.TELEGRAM_HTML: "html",
    Markup.MARKDOWN: "markdown",
    Markup.TEXT: "text",
}

# Telegram's own limit for one message (sendMessage `text`).
TELEGRAM_MAX_CHARS = 4096
# A Slack Block Kit section holds at most 3,000 characters; Apprise uses one section
# per message when the URL says `blocks=yes`.
SLACK_BLOCK_MAX_CHARS = 3000
# Used when a URL cannot be parsed (the send will fail anyway) or a plugin sets no limit.
DEFAULT_MAX_CHARS = 4000
DEFAULT_MAX_TITLE = 250


@dataclass(frozen=True)
class Channel:
    """How to render for one destination.

    `max_title == 0` means the service has no separate title, so the renderer puts the
    title at the top of the body. `measure` returns the length the service will count.
    """

    markup: Markup
    max_body: int = DEFAULT_MAX_CHARS
    max_title: int = DEFAULT_MAX_TITLE
    measure: Callable[[str], int] = field(default=utf16_len, compare=False)
    service: str = "notification"  # the service's name, e.g. "Telegram"; used in texts

    @property
    def title_in_body(self) -> bool:
        return self.max_title <= 0

    @property
    def body_format(self) -> str:
        return self.markup.body_format


def channel_for_url(url: str) -> Channel:
    """The channel an Apprise URL points at, e.g. Telegram HTML cut at 4,096 characters.

    E-mail gets an HTML document, Telegram its HTML subset, Slack and every other service
    that understands Markdown get CommonMark, services that only take text get text.
    """
    with capturing(url_secrets(url)) as capture:
        # Parsing logs what is wrong with a URL, possibly quoting its token: capture it
        # so it leaves redacted (the send of this URL reports the same problem).
        plugin = apprise.Apprise.instantiate(url.strip())
        if plugin is not None:
            capture.hide(private_values(plugin))
    if plugin is None:
        return Channel(markup=Markup.MARKDOWN, service="unusable URL")

    if isinstance(plugin, NotifyEmail):
        markup = Markup.EMAIL_HTML
    elif isinstance(plugin, NotifyTelegram):
        markup = Markup.TELEGRAM_HTML
    elif isinstance(plugin, NotifySlack):
        markup = Markup.MARKDOWN
    else:
        resolved = plugin.resolve_format(apprise.NotifyFormat.MARKDOWN)
        markup = Markup.TEXT if resolved == apprise.NotifyFormat.TEXT else Markup.MARKDOWN

    max_body = int(getattr(plugin, "body_maxlen", 0) or DEFAULT_MAX_CHARS)
    if isinstance(plugin, NotifyTelegram):
        max_body = min(max_body, TELEGRAM_MAX_CHARS)
    if isinstance(plugin, NotifySlack) and getattr(plugin, "use_blocks", False):
        max_body = min(max_body, SLACK_BLOCK_MAX_CHARS)
    max_title = int(getattr(plugin, "title_maxlen", DEFAULT_MAX_TITLE))

    return Channel(
        markup=markup,
        max_body=max_body,
        max_title=max(max_title, 0),
        measure=_wire_length(plugin, markup.body_format),
        service=str(plugin.service_name),
    )


def _wire_length(plugin: Any, body_format: str) -> Callable[[str], int]:
    """Length of a body after Apprise's conversion for this plugin, in UTF-16 units."""
    source = apprise.NotifyFormat(body_format)
    target = plugin.resolve_format(source)

    def measure(body: str) -> int:
        converted: str = convert_between(source, target, body)  # type: ignore[no-untyped-call]
        return utf16_len(plugin.dialect_convert(converted, target))

    return measure
