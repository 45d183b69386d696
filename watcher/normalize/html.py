"""`normalize_html`: a rendered page → its `Document` (visible content only, noise removed)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import soupsieve
from bs4 import BeautifulSoup, Tag

from watcher.errors import WatcherError
from watcher.normalize.document import Document
from watcher.normalize.extract import blocks_of
from watcher.normalize.markup import DEAD_TAGS, heading_level, is_control, is_hidden
from watcher.normalize.rules import ChromeRules, NormalizeRules, TextRules, default_rules
from watcher.normalize.text import normalize_text
from watcher.normalize.urls import LinkContext


class SelectorMatchedNothing(WatcherError):  # noqa: N818 -- the name the pipeline uses
    """None of a source's content selectors matched the page (the page changed its layout,
    or what was served is not the page)."""

    def __init__(self, selectors: Sequence[str]) -> None:
        self.selectors = tuple(selectors)
        shown = ", ".join(repr(s) for s in self.selectors)
        super().__init__(f"no element matched the content selector(s) {shown}")


def selector_problem(selector: str) -> str | None:
    """Why a CSS selector cannot be used (for config validation), or None when it can."""
    try:
        soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, ValueError, TypeError) as error:
        return str(error).splitlines()[0]
    return None


def normalize_html(
    html: str,
    *,
    base_url: str,
    select: Sequence[str] = (),
    remove: Sequence[str] = (),
    rules: NormalizeRules | None = None,
) -> Document:
    """The visible content of a page as a `Document`.

    `select` names the content root(s) (all matches, in page order; raises
    `SelectorMatchedNothing` when given and nothing matches); `remove` names elements that are
    never content. Site chrome (dialogs, navigation, header, footer, help-page extras) is
    removed inside the roots, but a root a selector matched is kept even if it is chrome.
    """
    rules = rules or default_rules()
    soup = BeautifulSoup(html, "lxml")
    _drop_invisible(soup)
    _decompose_all(select_all(soup, remove))
    roots = _roots(soup, select)
    for root in roots:
        _drop_chrome(root, rules.chrome, rules.text)
    labels = _labels_by_control_id(soup)
    links = LinkContext.of(base_url, rules.urls)
    english = _is_english(soup, roots)
    return Document(blocks_of(roots, rules.text, links, labels, english=english))


def _is_english(soup: BeautifulSoup, roots: Sequence[Tag]) -> bool:
    """The page's language from `<html lang>`, else a guess from its commonest words."""
    declared = soup.html.get("lang") if soup.html is not None else None
    if isinstance(declared, str) and declared.strip():
        return declared.strip().lower().startswith("en")
    sample = " ".join(root.get_text(" ")[:5000] for root in roots).lower().split()
    english = sum(1 for word in sample if word in _ENGLISH_WORDS)
    # These ten words make up a sixth of ordinary English prose and next to nothing elsewhere.
    return not sample or english >= 0.05 * len(sample)


_ENGLISH_WORDS = frozenset({"the", "and", "of", "to", "you", "your", "we", "is", "for", "with"})


def _drop_invisible(soup: BeautifulSoup) -> None:
    dead = [
        tag
        for tag in soup.find_all(True)
        if isinstance(tag, Tag) and (tag.name in DEAD_TAGS or is_hidden(tag))
    ]
    _decompose_all(dead)


def _decompose_all(tags: Sequence[Tag]) -> None:
    for tag in tags:
        if not tag.decomposed:
            tag.decompose()


def _roots(soup: BeautifulSoup, select: Sequence[str]) -> list[Tag]:
    if not select:
        body = soup.body
        return [body if body is not None else soup]
    matched = select_all(soup, select)
    if not matched:
        raise SelectorMatchedNothing(select)
    chosen = set()
    roots: list[Tag] = []
    for tag in matched:  # page order; an element inside an earlier root is already read
        if not any(id(parent) in chosen for parent in tag.parents):
            chosen.add(id(tag))
            roots.append(tag)
    return roots


def _drop_chrome(root: Tag, chrome: ChromeRules, text_rules: TextRules) -> None:
    _decompose_all([tag for tag in select_all(root, chrome.selectors) if tag is not root])
    headings = [t for t in root.find_all(True) if isinstance(t, Tag) and heading_level(t)]
    for heading in headings:
        if heading.decomposed:
            continue
        title = normalize_text(heading.get_text(" "), text_rules).strip().casefold()
        if title in chrome.section_headings:
            _drop_section(heading, root)
    _drop_consent_prompts(root, chrome, text_rules)


_SIMPLE_SELECTOR = re.compile(r'([a-z][a-z0-9]*)?(?:\[([a-z][a-z-]*)="([^"\\]*)"\])?')


def select_all(node: Tag, selectors: Sequence[str]) -> list[Tag]:
    """The elements under `node` any selector matches. Tag and attribute selectors are matched
    in one walk of the tree; soupsieve, which walks the whole tree once per call and costs
    more per element, is left the others (on a long policy this halves normalization)."""
    simple = [parsed for parsed in map(_simple_selector, selectors) if parsed is not None]
    others = [selector for selector in selectors if _simple_selector(selector) is None]
    found = [
        tag
        for tag in node.find_all(True)
        if isinstance(tag, Tag) and any(_matches(tag, parsed) for parsed in simple)
    ]
    if not others:
        return found
    seen = {id(tag) for tag in found}
    extra = [tag for tag in node.select(", ".join(others)) if id(tag) not in seen]
    if not extra:
        return found
    order = {id(tag): index for index, tag in enumerate(node.find_all(True))}
    return sorted([*found, *extra], key=lambda tag: order[id(tag)])


def _simple_selector(selector: str) -> tuple[str | None, str | None, str | None] | None:
    """`tag`, `[attribute="value"]` or both, as (tag, attribute, value); None for any other."""
    found = _SIMPLE_SELECTOR.fullmatch(selector.strip())
    if found is None or not any(found.groups()):
        return None
    name, attribute, value = found.groups()
    return name, attribute, value


def _matches(tag: Tag, selector: tuple[str | None, str | None, str | None]) -> bool:
    name, attribute, value = selector
    if name is not None and tag.name != name:
        return False
    return attribute is None or tag.get(attribute) == value


def _drop_consent_prompts(root: Tag, chrome: ChromeRules, text_rules: TextRules) -> None:
    """A cookie prompt left in the content: its buttons and what its box says about cookies.

    Only text nodes are read to find the buttons (reading every element's whole text would
    cost as much as the rest of the normalization on a long policy)."""

    def text_of(tag: Tag) -> str:
        return normalize_text(tag.get_text(" "), text_rules).strip().casefold()

    buttons: list[Tag] = []
    for string in root.find_all(string=True):
        words = " ".join(str(string).split()).casefold()
        if words not in chrome.consent_buttons or not isinstance(string.parent, Tag):
            continue
        button = string.parent
        while button.parent is not None and button.parent is not root:
            if text_of(button.parent) != words:
                break
            button = button.parent
        buttons.append(button)
    for button in buttons:
        box = button.parent
        if button.decomposed or not isinstance(box, Tag) or box.decomposed:
            continue
        _decompose_all(_prompt_around(button, box, chrome, text_of))


def _prompt_around(
    button: Tag, box: Tag, chrome: ChromeRules, text_of: Callable[[Tag], str]
) -> list[Tag]:
    """The button and the siblings next to it, on both sides, that are consent buttons or
    speak of cookies: the prompt. Only the run around the button, never every child of its
    box that mentions cookies: when the prompt sits loose in the page's body, the policy's
    own sections on cookies are children of the same box."""
    siblings = box.find_all(True, recursive=False)
    # By identity: bs4 tags compare equal by their markup, and prompts repeat their buttons.
    at = next((index for index, tag in enumerate(siblings) if tag is button), None)
    if at is None:
        return [button]

    def in_prompt(tag: Tag) -> bool:
        text = text_of(tag)
        return text in chrome.consent_buttons or chrome.consent_topic in text

    start = at
    while start > 0 and in_prompt(siblings[start - 1]):
        start -= 1
    end = at + 1
    while end < len(siblings) and in_prompt(siblings[end]):
        end += 1
    return siblings[start:end]


def _drop_section(heading: Tag, root: Tag) -> None:
    """Remove a chrome heading with what belongs to it: the box it opens, or else the
    siblings that follow it up to the next heading of the same or a higher level."""
    box = heading.parent
    level = heading_level(heading)
    if isinstance(box, Tag) and box is not root and _first_element(box) is heading:
        rivals = [
            t for t in box.find_all(True) if t is not heading and 0 < heading_level(t) <= level
        ]
        if not rivals:
            box.decompose()
            return
    following: list[Tag] = []
    for sibling in heading.find_next_siblings():
        if isinstance(sibling, Tag):
            sibling_level = heading_level(sibling)
            if sibling_level and sibling_level <= level:
                break
            following.append(sibling)
    heading.decompose()
    _decompose_all(following)


def _first_element(box: Tag) -> Tag | None:
    for child in box.children:
        if isinstance(child, Tag):
            return child
        if str(child).strip():
            return None
    return None


def _labels_by_control_id(soup: BeautifulSoup) -> dict[str, Tag]:
    labels: dict[str, Tag] = {}
    for label in soup.find_all("label"):
        target = label.get("for") if isinstance(label, Tag) else None
        if isinstance(target, str) and target and target not in labels:
            control = soup.find(id=target)
            if isinstance(control, Tag) and is_control(control):
                labels[target] = label
    return labels
