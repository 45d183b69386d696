"""Alerts, digests and test messages rendered for one channel, cut to fit its limit.

Rendering is pure: values and a `Channel` in, a `RenderedMessage` out. Third-party text
is cleaned and shortened raw, then escaped by the templates, so a cut never lands inside
an escape, an entity or a tag. When a message is too long the renderer first tightens the
caps on quotes and the diff excerpt, then drops whole trailing blocks and ends the body
with "… (truncated) full diff: <link>".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup as SafeMarkup

from notifiers.alert import Alert, Digest
from notifiers.channels import Channel, Markup
from notifiers.escape import escape_markdown, markdown_autolink, markdown_code_block
from notifiers.text import ELLIPSIS, shorten
from notifiers.views import (
    CAP_LEVELS,
    TEST_TITLE,
    TITLE_CAP,
    ChannelCheckView,
    DiffLine,
    alert_title,
    alert_view,
    digest_title,
    digest_view,
    moment,
)

# Private separators written by the templates, never present in cleaned third-party
# text (text.clean_text drops control characters): BLOCK_MARK between blocks that may be
# dropped, REGION_MARK around the droppable region of a document (the e-mail wrapper).
BLOCK_MARK = "\x1e"
REGION_MARK = "\x1d"

_TEMPLATE_FILES = {
    Markup.EMAIL_HTML: "email.html.j2",
    Markup.TELEGRAM_HTML: "telegram.html.j2",
    Markup.MARKDOWN: "markdown.md.j2",
    Markup.TEXT: "text.txt.j2",
}
_EXTRA_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for `send`: title, body and the Apprise body format it is in.

    An empty title means the title is already the first line of the body (services
    without a separate title field, such as Telegram).
    """

    title: str
    body: str
    body_format: str
    truncated: bool = False


def render_alert(alert: Alert, channel: Channel) -> RenderedMessage:
    """One change told in full: findings with quoted evidence, diff excerpt, link."""
    title = alert_title(alert, _title_limit(channel))
    footer = _footer(channel, "truncated", alert.change_url)
    layouts = (_layout(channel, "alert", alert_view(alert, caps, title)) for caps in CAP_LEVELS)
    return _fit(channel, title, layouts, footer)


def render_digest(digest: Digest, channel: Channel) -> RenderedMessage:
    """Several changes in one message, grouped by source and region."""
    title = digest_title(digest, _title_limit(channel))
    layouts = (_layout(channel, "digest", digest_view(digest, caps, title)) for caps in CAP_LEVELS)

    def footer_for(kept_blocks: int) -> str:
        # Every block after the header holds exactly one change, so the blocks kept say
        # how many changes the footer must admit were left out.
        hidden = len(digest.alerts) - max(kept_blocks - 1, 0)
        return _footer(channel, "truncated_digest", hidden, digest.changes_url)

    return _fit(channel, title, layouts, footer_for)


def render_test_message(channel: Channel, *, now: datetime) -> RenderedMessage:
    """The message `watcher notify test URL` sends to prove a channel works."""
    title = shorten(TEST_TITLE, _title_limit(channel))
    view = ChannelCheckView(title=title, sent=moment(now), service=channel.service)
    return _fit(
        channel, title, [_layout(channel, "check", view)], _footer(channel, "truncated", None)
    )


@dataclass(frozen=True)
class _Layout:
    """A rendered body split into what must stay (prefix, suffix) and droppable blocks."""

    prefix: str
    blocks: tuple[str, ...]
    suffix: str


def _layout(channel: Channel, macro: str, view: Any) -> _Layout:
    rendered = str(_macro(channel.markup, macro)(view, channel.title_in_body))
    prefix, region, suffix = "", rendered, ""
    if rendered.count(REGION_MARK) == 2:
        prefix, region, suffix = rendered.split(REGION_MARK)
    blocks = tuple(
        block for block in (_tidy(channel, part) for part in region.split(BLOCK_MARK)) if block
    )
    return _Layout(prefix=prefix, blocks=blocks, suffix=suffix)


def _tidy(channel: Channel, block: str) -> str:
    block = block.strip("\n")
    if channel.markup is Markup.EMAIL_HTML:
        return block
    # Blank lines separate paragraphs; more than one only comes from template layout.
    return _EXTRA_BLANK_LINES.sub("\n\n", block)


def _joiner(channel: Channel) -> str:
    return "\n" if channel.markup is Markup.EMAIL_HTML else "\n\n"


def _assemble(channel: Channel, layout: _Layout, blocks: Sequence[str]) -> str:
    return layout.prefix + _joiner(channel).join(blocks) + layout.suffix


def _fit(
    channel: Channel,
    title: str,
    layouts: Iterable[_Layout],
    footer: str | Callable[[int], str],
) -> RenderedMessage:
    """The first layout that fits, else the last (tightest) one with trailing blocks dropped."""
    message_title = "" if channel.title_in_body else title
    tightest: _Layout | None = None
    for layout in layouts:  # built lazily: most messages fit at the first, roomiest level
        tightest = layout
        body = _assemble(channel, layout, layout.blocks)
        if channel.measure(body) <= channel.max_body:
            return RenderedMessage(message_title, body, channel.body_format)
    assert tightest is not None, "at least one layout is rendered"

    def cut_after(kept: int) -> str:
        ending = footer(kept) if callable(footer) else footer
        return _assemble(channel, tightest, [*tightest.blocks[:kept], ending])

    # Binary search for the most leading blocks that fit with the footer: a body only
    # grows with each block, and measuring can mean converting the whole body.
    low, high = 0, len(tightest.blocks) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if channel.measure(cut_after(middle)) <= channel.max_body:
            low = middle
        else:
            high = middle - 1
    if low >= 1:
        return RenderedMessage(message_title, cut_after(low), channel.body_format, True)

    ending = footer(0) if callable(footer) else footer
    return RenderedMessage(
        message_title, _last_resort(channel, tightest, title, ending), channel.body_format, True
    )


def _last_resort(channel: Channel, layout: _Layout, title: str, footer: str) -> str:
    """For tiny limits (SMS-sized): the title as far as it fits, then the footer."""
    escape = _escaper(channel.markup)
    length = len(title)
    while length > 0:
        body = _assemble(channel, layout, [escape(shorten(title, length)), footer])
        if channel.measure(body) <= channel.max_body:
            return body
        length = length * 3 // 4 if length > 8 else length - 1
    for parts in ([footer], [escape(ELLIPSIS)]):
        body = _assemble(channel, layout, parts)
        if channel.measure(body) <= channel.max_body:
            return body
    return ""


def _title_limit(channel: Channel) -> int:
    return channel.max_title if channel.max_title > 0 else TITLE_CAP


def _footer(channel: Channel, macro: str, *args: Any) -> str:
    return _tidy(channel, str(_macro(channel.markup, macro)(*args)))


def _escaper(markup: Markup) -> Callable[[str], str]:
    if markup is Markup.MARKDOWN:
        return escape_markdown
    if markup is Markup.TEXT:
        return str
    return lambda text: str(SafeMarkup.escape(text))


def _macro(markup: Markup, name: str) -> Callable[..., Any]:
    macro: Callable[..., Any] = getattr(
        _environment(markup).get_template(_TEMPLATE_FILES[markup]).module, name
    )
    return macro


@cache
def _environment(markup: Markup) -> Environment:
    """One Jinja environment per markup, built once (templates are read from the package)."""
    html = markup in (Markup.EMAIL_HTML, Markup.TELEGRAM_HTML)
    environment = Environment(
        loader=PackageLoader("notifiers", "templates"),
        autoescape=html,
        finalize=_markdown_finalize if markup is Markup.MARKDOWN else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    environment.globals.update(cut=SafeMarkup(BLOCK_MARK), mark=SafeMarkup(REGION_MARK))
    environment.filters.update(
        autolink=markdown_autolink,
        diff_block=_markdown_diff_block,
        quote=_markdown_quote if markup is Markup.MARKDOWN else _text_quote,
    )
    return environment


def _markdown_finalize(value: object) -> object:
    """Escape every value printed into a Markdown template unless a filter built markup."""
    if isinstance(value, SafeMarkup) or value is None:
        return value
    return escape_markdown(str(value))


def _markdown_quote(text: str) -> SafeMarkup:
    return SafeMarkup("\n".join(f"> {escape_markdown(line)}" for line in text.split("\n")))


def _text_quote(text: str) -> str:
    return "“" + text.replace("\n", "\n  ") + "”"


def _markdown_diff_block(lines: Sequence[DiffLine]) -> SafeMarkup:
    return markdown_code_block("\n".join(line.text for line in lines), "diff")
