"""What a page says at one version, for one legal variant and language, before any noise.

The result is cached: it depends only on its arguments, and the server renders the same few
combinations over and over while only the noise differs per request.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass

from watcher.simsite.catalog import (
    FILLER,
    PAGE_CONTENT,
    BlockTemplate,
    PageSpec,
    page_spec,
)
from watcher.simsite.text import (
    EnglishStyle,
    Link,
    Part,
    expand_text,
    language_of,
    plain_text,
    to_british,
)


@dataclass(frozen=True)
class ResolvedField:
    name: str
    kind: str
    label: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResolvedBlock:
    """A block ready to render: h2 h3 p li note img form."""

    kind: str
    parts: tuple[Part, ...] = ()
    anchor: str | None = None
    image_id: str = ""
    fields: tuple[ResolvedField, ...] = ()
    submit: str = ""

    @property
    def text(self) -> str:
        if self.kind == "form":
            return " ".join([*(field.label for field in self.fields), self.submit])
        if self.kind == "img":
            return ""
        return plain_text(self.parts)

    @property
    def hrefs(self) -> tuple[str, ...]:
        return tuple(part.href for part in self.parts if isinstance(part, Link))


@dataclass(frozen=True)
class ResolvedPage:
    spec: PageSpec
    language: str
    style: EnglishStyle
    title: str
    blocks: tuple[ResolvedBlock, ...]
    published: bool

    def text(self) -> str:
        """Visible text of the main region, one block per line (title first)."""
        return "\n".join([self.title, *(block.text for block in self.blocks if block.text)])

    def outline(self) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        """(kind, text, link targets) per block: what a reader can see change."""
        return tuple((block.kind, block.text, block.hrefs) for block in self.blocks)


def page_language(spec: PageSpec, locale: str) -> str:
    """The language a page is served in: the locale's, or English when it is not translated."""
    content = PAGE_CONTENT[spec.content]
    language = language_of(locale)
    return language if language in content.languages else "en"


@functools.lru_cache(maxsize=1024)
def resolve_page(
    page_id: str, version: int, variant: str, language: str, style: EnglishStyle
) -> ResolvedPage:
    spec = page_spec(page_id)
    content = PAGE_CONTENT[spec.content]
    if language not in content.languages:
        language = "en"
    variables = {"app": spec.app}

    def expand(template: str) -> tuple[Part, ...]:
        return expand_text(template, language=language, style=style, variables=variables)

    title = plain_text(expand(content.title[language]))
    if version < spec.since_version:
        return ResolvedPage(spec, language, style, title, (), published=False)
    blocks: list[ResolvedBlock] = []
    filler_index = 0
    for index, template in enumerate(content.blocks):
        if not template.when.applies(version, variant):
            continue
        if template.kind == "filler":
            for _ in range(template.filler_sections):
                blocks.extend(_filler_section(spec.content, language, style, filler_index))
                filler_index += 1
            continue
        blocks.append(_resolve_block(template, index, language, expand))
    return ResolvedPage(spec, language, style, title, tuple(blocks), published=True)


def _resolve_block(
    template: BlockTemplate, index: int, language: str, expand: Callable[[str], tuple[Part, ...]]
) -> ResolvedBlock:
    if template.kind == "img":
        return ResolvedBlock(
            "img", (plain_text(expand(template.text[language])),), image_id=template.image_id
        )
    if template.kind == "form":
        fields = tuple(
            ResolvedField(
                name=field.name,
                kind=field.kind,
                label=plain_text(expand(field.label[language])),
                options=tuple(plain_text(expand(option[language])) for option in field.options),
            )
            for field in template.fields
        )
        return ResolvedBlock(
            "form", fields=fields, submit=plain_text(expand(template.submit[language]))
        )
    anchor = template.anchor
    if anchor is None and template.kind == "h2":
        # Anchors follow the block's place in the content file, so adding a section in a later
        # version does not renumber every heading after it.
        anchor = f"section-{index}"
    return ResolvedBlock(template.kind, expand(template.text[language]), anchor=anchor)


def _filler_section(
    content_name: str, language: str, style: EnglishStyle, index: int
) -> list[ResolvedBlock]:
    """A deterministic section of ordinary policy prose, identical in every version and region."""
    bank = FILLER[language]
    rng = random.Random(f"{content_name}:{language}:{index}")
    headings = list(bank.headings)
    random.Random(f"{content_name}:headings").shuffle(headings)
    heading = headings[index % len(headings)]
    if index >= len(headings):
        heading = f"{heading} ({index // len(headings) + 1})"

    def finish(text: str) -> str:
        return to_british(text) if language == "en" and style == "GB" else text

    blocks = [ResolvedBlock("h2", (finish(heading),), anchor=f"section-f{index}")]
    for _ in range(rng.randint(2, 4)):
        sentences = [
            f"{rng.choice(bank.openers)}, {rng.choice(bank.clauses)}{bank.joiner}"
            f"{rng.choice(bank.closers)}."
            for _ in range(rng.randint(3, 5))
        ]
        blocks.append(ResolvedBlock("p", (finish(" ".join(sentences)),)))
    if rng.random() < 0.5:
        for item in rng.sample(bank.items, 3):
            blocks.append(ResolvedBlock("li", (finish(item),)))
    return blocks
