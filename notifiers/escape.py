"""Escaping third-party text (page quotes, titles) for Markdown targets.

HTML targets use Jinja's autoescaping (markupsafe); this module covers CommonMark, which
Apprise then rewrites for Slack (mrkdwn), Discord and the rest. Escaping is done with
CommonMark backslash escapes so the quote reads the same after conversion, and so page
text can never become a link, a mention (`<!channel>` on Slack) or formatting.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import Markup

# Characters that start or end inline formatting anywhere in a line. `<` and `>` also
# matter because Slack reads `<...>` as links and mentions.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>~])")
# An ampersand only matters when it would start an entity such as `&copy;` or `&#169;`;
# a bare "&" is left alone because Apprise already writes it as `&amp;` for Slack.
# Converters disagree on `\&` (Slack shows the backslash, Python-Markdown ignores it),
# so an invisible word joiner after the "&" is what keeps such text literal everywhere.
_ENTITY_START = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_WORD_JOINER = "\u2060"
# Line starts that would become a heading, list, quote or setext underline.
_LINE_START_MARK = re.compile(r"^([ \t]*)([#+=>-])", re.MULTILINE)
_LINE_START_NUMBER = re.compile(r"^([ \t]*\d{1,9})([.)])", re.MULTILINE)
_FENCE_RUN = re.compile(r"`{3,}|~{3,}")

_ZERO_WIDTH_SPACE = "\u200b"


def escape_markdown(text: str) -> str:
    """`text` with every CommonMark construct neutralised, reading the same once rendered."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY_START.sub("&" + _WORD_JOINER, text)
    text = _LINE_START_MARK.sub(r"\1\\\2", text)
    return _LINE_START_NUMBER.sub(r"\1\\\2", text)


def markdown_url(url: str) -> str:
    """`url` made safe inside `<...>` (autolinks and link destinations).

    Spaces, angle brackets and `|` would end the link early (`|` separates the label in
    Slack's `<url|label>`), so they are percent-encoded; everything else is kept.
    """
    return quote(url.strip(), safe="/:?#[]@!$&'()*+,;=%~-._")


def markdown_code_block(text: str, language: str = "") -> Markup:
    """A fenced code block holding `text` literally.

    Slack cannot lengthen a fence, so runs of backticks or tildes inside the text are
    broken with zero-width spaces instead; the block then always closes where we say.
    """
    body = _FENCE_RUN.sub(lambda match: _ZERO_WIDTH_SPACE.join(match.group()), text)
    return Markup(f"```{language}\n{body}\n```")


def markdown_link(label: str, url: str) -> Markup:
    """A CommonMark link with an escaped label and a safe destination."""
    return Markup(f"[{escape_markdown(label)}](<{markdown_url(url)}>)")


def markdown_autolink(url: str) -> Markup:
    """The URL itself, clickable: `<https://...>`."""
    return Markup(f"<{markdown_url(url)}>")
