"""The simulated site's content, loaded once from the YAML files in `content/`.

Everything here is an immutable value: the timeline of epochs, the page manifest (`PAGES`) and,
per page, the blocks with the versions and legal variants they appear in, plus the ground-truth
changes written next to them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from watcher.simsite.text import LANGUAGES, LEGAL_VARIANTS, SUPPORTED_LOCALES, template_names

CHANGE_KINDS: tuple[str, ...] = (
    "new_data_category",
    "data_use_expanded",
    "opt_out_changed",
    "region_restriction",
    "effective_date_changed",
    "legal_basis_changed",
    "cosmetic",
)
PAGE_KINDS: tuple[str, ...] = ("policy", "genai", "hub", "terms", "help", "form", "login")
TEXT_BLOCK_KINDS: tuple[str, ...] = ("h2", "h3", "p", "li", "note")
_OPEN_END = 10_000


class ContentError(ValueError):
    """A content file of the simulated site is malformed (a bug in the shipped data)."""


@dataclass(frozen=True)
class Epoch:
    """One step of the scripted history, e.g. 4 = 14 Apr 2025, EU restart."""

    version: int
    date: datetime.date
    label: str


@dataclass(frozen=True)
class PageSpec:
    """One page of the simulated site, as listed in the manifest.

    `regions` are the region ids where watching the page makes sense (the page answers in every
    region); `languages` the locales it is translated into (others get English);
    `since_version` the first version where it exists (before that it answers 404).
    """

    page_id: str
    path: str
    title: str
    kind: str
    app: str
    regions: tuple[str, ...]
    languages: tuple[str, ...]
    since_version: int
    description: str
    content: str


@dataclass(frozen=True)
class When:
    """Which versions (inclusive range) and legal variants a block or change applies to."""

    first_version: int = 0
    last_version: int = _OPEN_END
    variants: frozenset[str] = frozenset(LEGAL_VARIANTS)

    def applies(self, version: int, variant: str) -> bool:
        return self.first_version <= version <= self.last_version and variant in self.variants


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str  # "select" | "email" | "textarea"
    label: Mapping[str, str]
    options: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class BlockTemplate:
    """One block of a page before localisation: text per language plus when it shows."""

    kind: str  # h2 h3 p li note img form filler
    when: When
    text: Mapping[str, str]
    anchor: str | None = None
    filler_sections: int = 0
    image_id: str = ""
    fields: tuple[FormField, ...] = ()
    submit: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangeTemplate:
    """A ground-truth change: at `version`, for `variants`, with evidence per language."""

    version: int
    variants: frozenset[str]
    kind: str
    evidence: Mapping[str, str]
    link: str | None
    removed: bool


@dataclass(frozen=True)
class PageContent:
    title: Mapping[str, str]
    languages: tuple[str, ...]
    blocks: tuple[BlockTemplate, ...]
    changes: tuple[ChangeTemplate, ...]


@dataclass(frozen=True)
class Chrome:
    """Page furniture strings per language (dialog, navigation, walls), from chrome.yaml."""

    strings: Mapping[str, Mapping[str, str]]
    # (help article id, title per language) for the "Related articles" block that comes and goes.
    related_articles: tuple[tuple[str, Mapping[str, str]], ...]

    def get(self, language: str, key: str) -> str:
        by_language = self.strings.get(language) or self.strings["en"]
        return by_language.get(key) or self.strings["en"][key]


@dataclass(frozen=True)
class FillerBank:
    """Sentence parts per language that filler sections are assembled from."""

    joiner: str
    headings: tuple[str, ...]
    openers: tuple[str, ...]
    clauses: tuple[str, ...]
    closers: tuple[str, ...]
    items: tuple[str, ...]


def _content_text(name: str) -> str:
    path = resources.files("watcher.simsite") / "content"
    for segment in name.split("/"):
        path = path / segment
    return path.read_text("utf-8")


def _content_file(name: str) -> Any:
    text = _content_text(name)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def _parse_versions(value: Any, where: str) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    text = str(value).strip()
    low, dash, high = text.partition("-")
    try:
        first = int(low) if low else 0
        last = (int(high) if high else _OPEN_END) if dash else first
    except ValueError as error:
        message = f"{where}: versions must look like 3, '1-3' or '4-': {value!r}"
        raise ContentError(message) from error
    return first, last


def _parse_when(raw: Any, where: str) -> When:
    if raw is None:
        return When()
    if not isinstance(raw, dict) or set(raw) - {"versions", "variants"}:
        raise ContentError(f"{where}: 'when' takes only versions and variants: {raw!r}")
    first, last = _parse_versions(raw.get("versions", "0-"), where)
    variants = frozenset(raw.get("variants", LEGAL_VARIANTS))
    if not variants <= set(LEGAL_VARIANTS):
        raise ContentError(f"{where}: unknown variants {sorted(variants - set(LEGAL_VARIANTS))}")
    return When(first, last, variants)


def _localized(raw: Any, languages: tuple[str, ...], where: str) -> Mapping[str, str]:
    if isinstance(raw, str):
        raw = {"en": raw}
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: expected a mapping language → text, got {raw!r}")
    missing = [language for language in languages if language not in raw]
    if missing:
        raise ContentError(f"{where}: missing translations {missing}")
    return MappingProxyType({str(key): str(value) for key, value in raw.items()})


def _parse_field(raw: dict[str, Any], languages: tuple[str, ...], where: str) -> FormField:
    options = tuple(
        _localized(option, languages, f"{where}.options") for option in raw.get("options", ())
    )
    return FormField(
        name=str(raw["name"]),
        kind=str(raw["kind"]),
        label=_localized(raw["label"], languages, f"{where}.label"),
        options=options,
    )


def _parse_block(raw: dict[str, Any], languages: tuple[str, ...], where: str) -> BlockTemplate:
    when = _parse_when(raw.get("when"), where)
    anchor = raw.get("anchor")
    for kind in TEXT_BLOCK_KINDS:
        if kind in raw:
            return BlockTemplate(kind, when, _localized(raw[kind], languages, where), anchor)
    if "filler" in raw:
        return BlockTemplate("filler", when, {}, filler_sections=int(raw["filler"]))
    if "img" in raw:
        image = raw["img"]
        return BlockTemplate(
            "img", when, _localized(image["alt"], languages, where), image_id=str(image["id"])
        )
    if "form" in raw:
        form = raw["form"]
        fields = tuple(
            _parse_field(field, languages, f"{where}.fields[{index}]")
            for index, field in enumerate(form["fields"])
        )
        submit = _localized(form["submit"], languages, f"{where}.submit")
        return BlockTemplate("form", when, {}, fields=fields, submit=submit)
    raise ContentError(f"{where}: a block needs one of h2 h3 p li note img form filler: {raw!r}")


def _parse_change(raw: dict[str, Any], languages: tuple[str, ...], where: str) -> ChangeTemplate:
    kind = str(raw["kind"])
    if kind not in CHANGE_KINDS:
        raise ContentError(f"{where}: unknown change kind {kind!r}")
    variants = frozenset(raw.get("variants", LEGAL_VARIANTS))
    if not variants <= set(LEGAL_VARIANTS):
        raise ContentError(f"{where}: unknown variants {sorted(variants)}")
    return ChangeTemplate(
        version=int(raw["version"]),
        variants=variants,
        kind=kind,
        evidence=_localized(raw["evidence"], languages, f"{where}.evidence"),
        link=raw.get("link"),
        removed=bool(raw.get("removed", False)),
    )


def _parse_page_content(name: str, variables: set[str]) -> PageContent:
    raw = _content_file(f"pages/{name}.yaml")
    languages = tuple(raw.get("languages", LANGUAGES))
    if "en" not in languages or not set(languages) <= set(LANGUAGES):
        raise ContentError(f"pages/{name}.yaml: languages must include en: {languages}")
    blocks = tuple(
        _parse_block(block, languages, f"pages/{name}.yaml: blocks[{index}]")
        for index, block in enumerate(raw["blocks"])
    )
    changes = tuple(
        _parse_change(change, languages, f"pages/{name}.yaml: changes[{index}]")
        for index, change in enumerate(raw.get("changes", ()))
    )
    content = PageContent(
        title=_localized(raw["title"], languages, f"pages/{name}.yaml: title"),
        languages=languages,
        blocks=blocks,
        changes=changes,
    )
    _check_variables(name, content, variables)
    return content


def _check_variables(name: str, content: PageContent, variables: set[str]) -> None:
    templates: list[str] = list(content.title.values())
    for block in content.blocks:
        templates.extend(block.text.values())
    for change in content.changes:
        templates.extend(change.evidence.values())
    for template in templates:
        unknown = template_names(template) - variables
        if unknown:
            raise ContentError(f"pages/{name}.yaml: unknown variables {sorted(unknown)}")


def _parse_site() -> tuple[tuple[Epoch, ...], Mapping[str, PageSpec]]:
    raw = _content_file("site.yaml")
    epochs = tuple(
        Epoch(int(item["version"]), datetime.date.fromisoformat(str(item["date"])), item["label"])
        for item in raw["epochs"]
    )
    if [epoch.version for epoch in epochs] != list(range(len(epochs))):
        raise ContentError("site.yaml: epochs must be numbered 0, 1, 2, ... in order")
    pages: dict[str, PageSpec] = {}
    for page_id, item in raw["pages"].items():
        spec = PageSpec(
            page_id=page_id,
            path=item["path"],
            title=item["title"],
            kind=item["kind"],
            app=item.get("app", "Facebook"),
            regions=tuple(item.get("regions", ("fr", "de", "uk", "us", "br"))),
            languages=tuple(item.get("languages", SUPPORTED_LOCALES)),
            since_version=int(item.get("since_version", 0)),
            description=item["description"],
            content=item.get("content", page_id),
        )
        if spec.kind not in PAGE_KINDS:
            raise ContentError(f"site.yaml: pages.{page_id}: unknown kind {spec.kind!r}")
        pages[page_id] = spec
    return epochs, MappingProxyType(pages)


def _parse_filler() -> Mapping[str, FillerBank]:
    raw = _content_file("filler.yaml")
    return MappingProxyType(
        {
            language: FillerBank(
                joiner=str(bank["joiner"]),
                headings=tuple(bank["headings"]),
                openers=tuple(bank["openers"]),
                clauses=tuple(bank["clauses"]),
                closers=tuple(bank["closers"]),
                items=tuple(bank["items"]),
            )
            for language, bank in raw.items()
        }
    )


EPOCHS, PAGES = _parse_site()
LATEST_VERSION = len(EPOCHS) - 1


def _parse_chrome() -> Chrome:
    raw = _content_file("chrome.yaml")
    strings = raw["strings"]
    for language in LANGUAGES:
        missing = set(strings["en"]) - set(strings[language])
        if missing:
            raise ContentError(f"chrome.yaml: strings.{language} lacks {sorted(missing)}")
    related = tuple(
        (str(item["id"]), _localized(item["title"], LANGUAGES, "chrome.yaml: related_articles"))
        for item in raw["related_articles"]
    )
    return Chrome(MappingProxyType(strings), related)


CHROME = _parse_chrome()
FILLER = _parse_filler()
PAGE_CONTENT: Mapping[str, PageContent] = MappingProxyType(
    {
        name: _parse_page_content(name, {"app"})
        for name in sorted({spec.content for spec in PAGES.values()})
    }
)


def page_spec(page_id: str) -> PageSpec:
    try:
        return PAGES[page_id]
    except KeyError:
        raise KeyError(f"unknown page {page_id!r} (known: {', '.join(PAGES)})") from None


def page_for_path(path: str) -> PageSpec | None:
    """The page served at `path`, accepting it with or without the trailing slash."""
    wanted = path.rstrip("/") or "/"
    for spec in PAGES.values():
        if (spec.path.rstrip("/") or "/") == wanted:
            return spec
    return None


RENDER_JS = _content_text("render.js")
STYLE_CSS = _content_text("style.css")
