"""`render_page`: one full HTML document of the simulated site, as a pure function.

The document is a shell whose `<div role="main">` is empty until the inline script inserts the
content (carried as JSON in a `<script nonce=...>`) after `render_delay_ms`, like Meta's pages.
Without JavaScript the main region stays empty.
"""

from __future__ import annotations

import calendar
import html
import json
import random
from typing import Any

from watcher.simsite.catalog import (
    CHROME,
    EPOCHS,
    LATEST_VERSION,
    RENDER_JS,
    STYLE_CSS,
    PageSpec,
    page_spec,
)
from watcher.simsite.dom import render_main
from watcher.simsite.modes import Mode
from watcher.simsite.noise import NoiseMaker, NoiseOptions
from watcher.simsite.resolve import ResolvedBlock, ResolvedPage, page_language, resolve_page
from watcher.simsite.text import (
    DEFAULT_LOCALE,
    Link,
    Part,
    legal_variant,
    normalize_locale,
    plain_text,
    to_british,
)
from watcher.simsite.walls import render_login_page

CONSENT_COOKIE = "sim_consent"
# The cookie dialog's accept button was reworded in April 2026; epoch 7 is the first after that.
CONSENT_WORDING_CHANGE_VERSION = 7
CONSENT_VARIANTS = frozenset({"eu", "uk"})
_TOC_KINDS = frozenset({"policy", "terms"})


def render_page(
    page_id: str,
    *,
    version: int,
    region: str,
    locale: str,
    rng: random.Random,
    noise: NoiseOptions = NoiseOptions(),  # noqa: B008 - frozen value object
    mode: Mode = Mode.NORMAL,
    consent_given: bool = False,
    base_url: str = "",
    render_delay_ms: int = 150,
    as_rendered: bool = False,
) -> str:
    """The full HTML document of `page_id` as served to a visitor from `region` in `locale`.

    With `as_rendered=True` the main region is already filled exactly as the page script fills
    it in a browser: the document `page.content()` returns after the script ran.

    `region` is a region id (`fr`, `uk`, `us`...) or a legal variant (`eu`, `uk`, `br`, `us`).
    Only the modes that change the document (empty, truncated, consent_stuck, wrong_region)
    have an effect here; the HTTP-level ones are the server's business. A version before the
    page existed renders the "isn't available" page (the server answers it with 404).
    """
    spec = page_spec(page_id)
    if not 0 <= version <= LATEST_VERSION:
        raise ValueError(f"version must be between 0 and {LATEST_VERSION}, got {version}")
    locale = normalize_locale(locale) or DEFAULT_LOCALE
    if spec.kind == "login":
        return render_login_page(locale=locale, next_url="")
    variant = "us" if mode == Mode.WRONG_REGION else legal_variant(region)
    maker = NoiseMaker(rng, noise)
    language = page_language(spec, locale)
    british = language == "en" and maker.english_flip(requested_gb=locale == "en_GB")
    page = resolve_page(page_id, version, variant, language, "GB" if british else "US")
    renderer = _Renderer(
        spec=spec, page=page, version=version, locale=locale, maker=maker, base_url=base_url
    )
    blocks = renderer.main_blocks(mode)
    show_dialog = variant in CONSENT_VARIANTS and not consent_given
    return renderer.document(
        blocks,
        show_dialog=show_dialog,
        consent_works=mode != Mode.CONSENT_STUCK,
        render_delay_ms=render_delay_ms,
        as_rendered=as_rendered,
    )


class _Renderer:
    """Turns a resolved page into the shell and the JSON the page script renders."""

    def __init__(
        self,
        *,
        spec: PageSpec,
        page: ResolvedPage,
        version: int,
        locale: str,
        maker: NoiseMaker,
        base_url: str,
    ) -> None:
        self.spec = spec
        self.page = page
        self.version = version
        self.locale = locale
        self.noise = maker
        self.base_url = base_url
        self.language = page.language

    def chrome(self, key: str) -> str:
        text = CHROME.get(self.language, key)
        return to_british(text) if self.page.style == "GB" else text

    # ---- the JSON rendered into the main region -------------------------------------------

    def main_blocks(self, mode: Mode) -> list[dict[str, Any]]:
        if mode == Mode.EMPTY:
            return []
        if not self.page.published:
            return [
                self.text_block("h1", (self.chrome("not_available_title"),)),
                self.text_block("p", (self.chrome("not_available_body"),)),
            ]
        blocks = [self.text_block("h1", (self.page.title,))]
        age = self.noise.relative_age()
        if age is not None:
            unit, count = age
            updated = self.chrome(f"updated_{unit}").format(n=count)
            blocks.append({"k": "meta", "c": self.noise.class_names("meta"), "p": [updated]})
        toc = self.toc()
        if mode == Mode.TRUNCATED:
            # What a partial render leaves: the title and the table of contents, no body text.
            return [*blocks, toc or self.forced_toc()]
        if toc is not None:
            blocks.append(toc)
        blocks.extend(self.block(block) for block in self.page.blocks)
        if self.spec.kind == "help" and self.noise.show_related_articles():
            blocks.extend(self.related_articles())
        blocks.append({"k": "sep", "c": self.noise.class_names("sep")})
        return blocks

    def toc(self) -> dict[str, Any] | None:
        if self.spec.kind not in _TOC_KINDS:
            return None
        return self.forced_toc()

    def forced_toc(self) -> dict[str, Any]:
        items = [
            {
                "h": f"#{block.anchor}",
                "t": block.text,
                "c": self.noise.class_names("toc-link"),
            }
            for block in self.page.blocks
            if block.kind == "h2" and block.anchor
        ]
        return {
            "k": "toc",
            "c": self.noise.class_names("toc"),
            "t": self.chrome("toc_title"),
            "items": items,
        }

    def block(self, block: ResolvedBlock) -> dict[str, Any]:
        if block.kind == "img":
            return {
                "k": "img",
                "c": self.noise.class_names("img"),
                "src": self.noise.image_url(block.image_id),
                "alt": plain_text(block.parts),
            }
        if block.kind == "form":
            return {
                "k": "form",
                "c": self.noise.class_names("form"),
                "action": self.spec.path,
                "fields": [
                    {
                        "n": field.name,
                        "t": field.kind,
                        "l": field.label,
                        "o": list(field.options),
                        "c": self.noise.class_names("field"),
                    }
                    for field in block.fields
                ],
                "s": block.submit,
                "hidden": self.noise.form_tokens(),
            }
        rendered = self.text_block(block.kind, block.parts)
        if block.anchor:
            rendered["a"] = block.anchor
        if block.kind == "li":
            rendered["uc"] = self.noise.class_names("ul")
        return rendered

    def text_block(self, kind: str, parts: tuple[Part, ...]) -> dict[str, Any]:
        return {"k": kind, "c": self.noise.class_names(kind), "p": self.parts(parts)}

    def parts(self, parts: tuple[Part, ...]) -> list[Any]:
        rendered: list[Any] = []
        for part in parts:
            if isinstance(part, Link):
                link: dict[str, Any] = {
                    "h": self.href(part.href),
                    "t": part.text,
                    "c": self.noise.class_names("a"),
                }
                if part.href.startswith("http"):
                    link["x"] = 1
                rendered.append(link)
            else:
                rendered.append(self.noise.text(part))
        return rendered

    def href(self, href: str) -> str:
        if href.startswith("#"):
            return self.noise.annotation_href(href, self.base_url, self.spec.path)
        if href.startswith(("http://", "https://")):
            return self.noise.outbound_href(href)
        return self.noise.internal_href(href, self.locale)

    def related_articles(self) -> list[dict[str, Any]]:
        candidates = [item for item in CHROME.related_articles if item[0] not in self.spec.path]
        chosen = self.noise.rng.sample(candidates, min(3, len(candidates)))
        blocks: list[dict[str, Any]] = [self.text_block("h3", (self.chrome("related_articles"),))]
        for article_id, titles in chosen:
            title = titles.get(self.language, titles["en"])
            item = self.text_block("li", (Link(title, f"/help/{article_id}"),))
            item["uc"] = self.noise.class_names("ul")
            blocks.append(item)
        return blocks

    # ---- the HTML shell ---------------------------------------------------------------------

    def document(
        self,
        blocks: list[dict[str, Any]],
        *,
        show_dialog: bool,
        consent_works: bool,
        render_delay_ms: int,
        as_rendered: bool,
    ) -> str:
        nonce = self.noise.nonce()
        gap = self.noise.indent
        cls = self.noise.class_names
        epoch_seconds = calendar.timegm(EPOCHS[self.version].date.timetuple()) + 43_200
        environment = {"hsi": self.noise.request_id(), **self.noise.spin(epoch_seconds)}
        payload = {
            "delay": max(0, render_delay_ms),
            "consentWorks": consent_works,
            "consentCookie": CONSENT_COOKIE,
            "blocks": blocks,
        }
        title = _text(f"{self.page.title} | {self.spec.app}")
        main = render_main(blocks) if as_rendered else ""
        pieces = [
            "<!DOCTYPE html>",
            f'<html lang="{self.language}" id="facebook" class="{cls("html")}" dir="ltr">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="origin-when-crossorigin" id="meta_referrer">',
            f"<title>{title}</title>",
            f'<link type="text/css" rel="stylesheet" href="{self.noise.asset_url("css", 1)}" '
            f'nonce="{nonce}">',
            f'<style nonce="{nonce}">{STYLE_CSS}</style>',
            f'<script src="{self.noise.asset_url("js", 2)}" nonce="{nonce}" async></script>',
            "</head>",
            f'<body class="{cls("body")}" dir="ltr">',
            f'<div id="mount_0_0" class="{cls("mount")}">',
            gap() + self.banner(),
            gap() + self.navigation(),
            gap() + f'<div role="main" class="{cls("main")}">{main}</div>',
            gap() + self.footer(),
            "</div>",
        ]
        if show_dialog:
            pieces.append(self.consent_dialog())
        tokens = self.noise.form_tokens()
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}" autocomplete="off">'
            for name, value in tokens.items()
        )
        pieces += [
            f'<form method="post" action="/ajax/bz" id="sim_tokens" hidden>{hidden}</form>',
            f'<script nonce="{nonce}">window.__sim_env={_script_json(environment)};</script>',
            f'<script type="application/json" id="__sim_data" nonce="{nonce}">'
            f"{_script_json(payload)}</script>",
            f'<script nonce="{nonce}">{RENDER_JS}</script>',
            "</body>",
            "</html>",
        ]
        return gap().join(pieces) + "\n"

    def link(self, href: str, text: str, kind: str = "a") -> str:
        target = html.escape(self.noise.internal_href(href, self.locale))
        return f'<a href="{target}" class="{self.noise.class_names(kind)}">{_text(text)}</a>'

    def banner(self) -> str:
        home = self.link("/", self.spec.app)
        return f'<div role="banner" class="{self.noise.class_names("banner")}">{home}</div>'

    def navigation(self) -> str:
        links = [
            self.link("/privacy/center/", self.chrome("nav_center")),
            self.link("/privacy/policy/", self.chrome("nav_policy")),
            self.link("/privacy/genai/", self.chrome("nav_genai")),
            self.link("/help/2069235856423257", self.chrome("nav_help")),
        ]
        label = html.escape(self.chrome("nav_label"))
        return (
            f'<div role="navigation" aria-label="{label}" class="{self.noise.class_names("nav")}">'
            + "".join(links)
            + "</div>"
        )

    def footer(self) -> str:
        links = [
            self.link("/privacy/policy/", self.chrome("nav_policy")),
            self.link("/legal/ai-terms", self.chrome("footer_terms")),
            self.link("/privacy/policy/cookies/", self.chrome("footer_cookies")),
        ]
        copyright_line = _text(self.chrome("footer_copyright"))
        return (
            f'<div role="contentinfo" class="{self.noise.class_names("footer")}">'
            + "".join(links)
            + f"<span>{copyright_line}</span></div>"
        )

    def consent_dialog(self) -> str:
        cls = self.noise.class_names
        accept_key = (
            "consent_accept_after"
            if self.version >= CONSENT_WORDING_CHANGE_VERSION
            else "consent_accept_before"
        )
        accept = self.chrome(accept_key)
        decline = self.chrome("consent_decline")
        title = self.chrome("consent_title")
        body = self.chrome("consent_body")
        return (
            f'<div role="dialog" aria-modal="true" aria-label="{html.escape(title)}" '
            f'data-sim-consent="1" class="{cls("dialog")}">'
            f'<h2 class="{cls("h2")}">{_text(title)}</h2><p class="{cls("p")}">{_text(body)}</p>'
            f'<div class="{cls("buttons")}">'
            f'<div role="button" tabindex="0" aria-label="{html.escape(decline)}" '
            f'data-cookiebanner="accept_only_essential_button" class="{cls("button")}">'
            f"<span>{_text(decline)}</span></div>"
            f'<div role="button" tabindex="0" aria-label="{html.escape(accept)}" '
            f'data-cookiebanner="accept_button" class="{cls("button")}">'
            f"<span>{_text(accept)}</span></div>"
            "</div></div>"
        )


def _text(text: str) -> str:
    """Escape for a text node: quotes stay readable ("You're"), only <, > and & are escaped."""
    return html.escape(text, quote=False)


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element: no "</script>" or "<!--" can appear in it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
