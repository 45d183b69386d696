"""An archived Markdown version served as Meta serves its pages: the text inside a page shell
that carries fresh per-load noise, drawn from the simulated site's own noise generators.

What each load changes (none of it is a policy change): script and style nonces, hashed asset
URLs, form tokens, `__spin_t` and request ids, generated class names on every element,
whitespace in text and markup, the "Updated N hours ago" line, tracking parameters on internal
links (`__cft__[0]`, `__tn__`, `fbclid`, `locale2`, `entry_point`, `back_id`), outbound links
behind `l.php?u=…&h=…` redirects or, on the printable policy, behind the printable page's
percent-encoded wrapper decorated with `?__cft__[0]=…&__tn__=…`, same-page links as
`#fragment` or as full URLs with an entry point, re-signed CDN parameters on video and image
links, a "Related articles" box that comes and goes on help pages, and the en-US/en-GB flip on
the documents where the archive shows Meta doing it.
"""

from __future__ import annotations

import html
import random
import re
import string
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import markdown  # type: ignore[import-untyped]  # no type information shipped
from lxml import html as lxml_html

from watcher.simsite.catalog import CHROME
from watcher.simsite.noise import NoiseMaker, NoiseOptions
from watcher.simsite.text import to_british

# Hosts whose pages wrap outbound links and decorate internal ones (WhatsApp's do neither).
_META_HOSTS = ("facebook.com", "instagram.com", "threads.net", "meta.com", "messenger.com")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_US_DATE = re.compile(rf"\b({_MONTHS}) (\d{{1,2}}), (\d{{4}})\b")
# Signed parameters of Meta's CDN links, plain or percent-encoded inside a redirect's `src=`.
_SEPARATOR = r"([?&]|%3F|%26|%253F|%2526)"
_CDN_TOKEN = re.compile(_SEPARATOR + r"(_nc_ohc|_nc_gid|oh)(=|%3D|%253D)([\w.-]+)")
_CDN_EXPIRY = re.compile(_SEPARATOR + r"(oe)(=|%3D|%253D)([0-9A-F]{8})\b")
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"


@dataclass(frozen=True)
class PageStyle:
    """How the real site serves one archived document."""

    url: str
    language: str
    # The archive shows this page alternating en-US and en-GB renderings of the same text.
    flips_english: bool = False

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def is_meta_site(self) -> bool:
        return any(self.host == h or self.host.endswith("." + h) for h in _META_HOSTS)

    @property
    def is_printable(self) -> bool:
        return "/printable" in urlsplit(self.url).path

    @property
    def is_help_page(self) -> bool:
        return self.host.startswith("help.") or "/help/" in urlsplit(self.url).path


def markdown_body(text: str) -> str:
    """The archived Markdown as HTML (tables kept as tables)."""
    return str(markdown.markdown(text, extensions=["tables"]))


def plain_page(text: str, style: PageStyle) -> str:
    """The version with no noise and no shell: the benchmark's offline comparison mode."""
    return f'<html lang="{style.language}"><body>{markdown_body(text)}</body></html>'


def british_dates(text: str) -> str:
    """ "December 16, 2025" → "16 December 2025", as the en-GB rendering writes dates."""
    return _US_DATE.sub(lambda m: f"{m.group(2)} {m.group(1)} {m.group(3)}", text)


class _LoadNoise:
    """The noise of one load of one page."""

    def __init__(self, style: PageStyle, rng: random.Random, options: NoiseOptions) -> None:
        self.style = style
        self.rng = rng
        self.maker = NoiseMaker(rng, options)
        self.options = options
        parts = urlsplit(style.url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.page_path = parts.path
        self.locale = "en_US" if style.language == "en" else f"{style.language}_XX"
        self.british = (
            style.flips_english and style.language == "en" and self.maker.english_flip(False)
        )

    def token(self, length: int) -> str:
        return "".join(self.rng.choice(_TOKEN_ALPHABET) for _ in range(length))

    def words(self, value: str) -> str:
        """The text as this load's English variant writes it."""
        return british_dates(to_british(value)) if self.british else value

    def text(self, value: str) -> str:
        """The text as this load writes it, with its whitespace noise: only where a browser
        shows no difference (a space added where the text touched a link would show)."""
        words = self.words(value)
        noisy = self.maker.text(words)
        if not words[-1:].isspace():
            noisy = noisy.rstrip()
        if not words[:1].isspace():
            noisy = noisy.lstrip()
        return noisy

    def href(self, href: str) -> str:
        if self.options.cdn_signatures and "fbcdn" in href:
            href = self.resigned(href)
        if href.startswith("#"):
            return self.maker.annotation_href(href, self.origin, self.page_path)
        if not href.startswith(("http://", "https://")) or not self.style.is_meta_site:
            return href
        host = urlsplit(href).hostname or ""
        if any(host == h or host.endswith("." + h) for h in _META_HOSTS):
            return self.maker.internal_href(href, self.locale)
        return self.outbound(href)

    def outbound(self, target: str) -> str:
        if not self.options.outbound_wrapping:
            return target
        signature = f"AT{self.token(30)}"
        if self.style.is_printable and self.rng.random() < 0.5:
            # Meta's printable policy: the redirect's address percent-encoded after the
            # printable page's path, `u=` left as it is, then decorated like an internal link:
            # …/printable/https%3A%2F%2Flm.facebook.com%2Fl.php%3Fu=<target>?__cft__[0]=…
            redirect = quote("https://lm.facebook.com/l.php?", safe="")
            decorated = f"__cft__[0]=AZ{self.token(24)}&__tn__=-UK-R"
            page = self.page_path.rstrip("/")
            return f"{self.origin}{page}/{redirect}u={quote(target, safe='')}?{decorated}"
        return f"https://l.facebook.com/l.php?u={quote(target, safe='')}&h={signature}"

    def resigned(self, href: str) -> str:
        href = _CDN_TOKEN.sub(lambda m: f"{m[1]}{m[2]}{m[3]}{self.token(24)}", href)
        return _CDN_EXPIRY.sub(
            lambda m: f"{m[1]}{m[2]}{m[3]}{self.rng.randint(0x67000000, 0x6FFFFFFF):X}", href
        )


def _noisy_content(body: str, noise: _LoadNoise) -> str:
    """The converted Markdown with per-load class names, link parameters and whitespace."""
    root = lxml_html.fragment_fromstring(body or "<p></p>", create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element is not root:
            element.set("class", noise.maker.class_names(element.tag))
        if element.tag == "a" and element.get("href") is not None:
            element.set("href", noise.href(element.get("href") or ""))
        if element.text and element.text.strip():
            # A link's own words keep their spacing, as on the simulated site: a space added
            # inside a link that touches the next one would be a visible change, not noise.
            element.text = (
                noise.words(element.text) if element.tag == "a" else noise.text(element.text)
            )
        if element is not root and element.tail and element.tail.strip():
            element.tail = noise.text(element.tail)
    inner = (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )
    return inner


def _related_articles(noise: _LoadNoise) -> str:
    if not noise.style.is_help_page or not noise.maker.show_related_articles():
        return ""
    language = noise.style.language
    chosen = noise.rng.sample(list(CHROME.related_articles), min(3, len(CHROME.related_articles)))
    items = "".join(
        f'<li class="{noise.maker.class_names("li")}"><a class="{noise.maker.class_names("a")}"'
        f' href="{html.escape(noise.maker.internal_href(f"/help/{article_id}", noise.locale))}">'
        f"{html.escape(titles.get(language, titles['en']), quote=False)}</a></li>"
        for article_id, titles in chosen
    )
    heading = html.escape(CHROME.get(language, "related_articles"), quote=False)
    return f'<h3 class="{noise.maker.class_names("h3")}">{heading}</h3><ul>{items}</ul>'


def _updated_line(noise: _LoadNoise) -> str:
    age = noise.maker.relative_age()
    if age is None:
        return ""
    unit, count = age
    line = CHROME.get(noise.style.language, f"updated_{unit}").format(n=count)
    return f'<div class="{noise.maker.class_names("meta")}">{html.escape(line, quote=False)}</div>'


def noisy_page(
    text: str,
    style: PageStyle,
    rng: random.Random,
    options: NoiseOptions = NoiseOptions(),  # noqa: B008 - frozen value object
) -> str:
    """One load of the page carrying `text`: the document `page.content()` would return after
    the page script ran and the cookie dialog was accepted, with this load's noise."""
    noise = _LoadNoise(style, rng, options)
    maker, cls, gap = noise.maker, noise.maker.class_names, noise.maker.indent
    nonce = maker.nonce()
    main = (
        _updated_line(noise)
        + _noisy_content(markdown_body(text), noise)
        + _related_articles(noise)
        + f'<div role="separator" class="{cls("sep")}"></div>'
    )
    links = "".join(
        f'<a class="{cls("a")}" href="{html.escape(maker.internal_href(path, noise.locale))}">'
        f"{html.escape(CHROME.get(style.language, key), quote=False)}</a>"
        for path, key in (("/privacy/center/", "nav_center"), ("/privacy/policy/", "nav_policy"))
    )
    tokens = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
        for name, value in maker.form_tokens().items()
    )
    environment = (
        f'{{"hsi":"{maker.request_id()}","__spin_t":{maker.spin(1_700_000_000)["__spin_t"]}}}'
    )
    pieces = [
        "<!DOCTYPE html>",
        f'<html lang="{style.language}" class="{cls("html")}" dir="ltr">',
        f'<head><meta charset="utf-8"><title>{html.escape(style.host)}</title>',
        f'<link rel="stylesheet" href="{maker.asset_url("css", 1)}" nonce="{nonce}">',
        f'<script src="{maker.asset_url("js", 2)}" nonce="{nonce}" async></script></head>',
        f'<body class="{cls("body")}">',
        f'<div role="banner" class="{cls("banner")}">{links}</div>',
        f'<div role="navigation" aria-label="Menu" class="{cls("nav")}">{links}</div>',
        f'<div role="main" class="{cls("main")}">{main}</div>',
        f'<div role="contentinfo" class="{cls("footer")}">{links}</div>',
        f'<form method="post" action="/ajax/bz" hidden>{tokens}</form>',
        f'<script nonce="{nonce}">window.__env={environment};</script>',
        "</body></html>",
    ]
    return gap().join(pieces) + "\n"
