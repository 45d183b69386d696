"""The rules that turn a rendered page into a failure kind, or let it through."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

import yaml
from lxml import html as lxml_html

from watcher.classify.variant import VariantReading, read_variant
from watcher.fetch.base import FailureKind, FetchFailure, FetchResult
from watcher.health.consent import judge_consent_dialogs
from watcher.normalize.markup import INLINE_TAGS

# 404 Not Found and 410 Gone: the page does not exist (removed once confirmed, see pipeline).
_GONE_STATUSES = frozenset({404, 410})
# A "this page isn't available" answer with status 200 is short; a policy quoting such words is not.
_SOFT_NOT_FOUND_MAX_CHARS = 1500
_LOGIN_PATH = re.compile(r"^/(login|login\.php|checkpoint)(/|$)", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Markers:
    blocked: tuple[str, ...]
    login: tuple[str, ...]
    consent: tuple[str, ...]
    not_found: tuple[str, ...]


@cache
def load_markers() -> Markers:
    raw = yaml.safe_load(resources.files("watcher.health").joinpath("markers.yaml").read_text())
    return Markers(
        blocked=tuple(s.lower() for s in raw["blocked"]),
        login=tuple(s.lower() for s in raw["login"]),
        consent=tuple(s.lower() for s in raw["consent"]),
        not_found=tuple(s.lower() for s in raw["not_found"]),
    )


@dataclass(frozen=True)
class ContentLimits:
    """Below `min_chars` of visible content a page is empty; a page that lost more than
    `max_shrink` of its previous length is a partial render until a re-fetch confirms it."""

    min_chars: int = 200
    max_shrink: float = 0.6


@dataclass(frozen=True)
class PageHealth:
    """The verdict on a rendered page: a failure, or None with what is worth knowing anyway
    (e.g. a cookie dialog that stayed open beside the content)."""

    failure: FetchFailure | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _PageView:
    text: str
    dialog_text: str
    has_password_field: bool


def _elements(root: lxml_html.HtmlElement, xpath: str) -> list[lxml_html.HtmlElement]:
    found = root.xpath(xpath)
    if not isinstance(found, list):
        return []
    return [e for e in found if isinstance(e, lxml_html.HtmlElement)]


def _view(page_html: str) -> _PageView:
    if not page_html.strip():
        return _PageView("", "", False)
    root = lxml_html.document_fromstring(page_html)
    assert isinstance(root, lxml_html.HtmlElement)
    for dead in _elements(root, "//script|//style|//noscript|//template"):
        dead.drop_tree()
    # Minified pages put no space between `</h1><p>`: the text of elements that are not inline
    # (normalize's own division) must not run together ("Privacy PolicyMeta Platforms…"), or
    # a controller's name that starts a block is no longer a whole word.
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag not in INLINE_TAGS:
            element.text = " " + (element.text or "")
            element.tail = " " + (element.tail or "")
    dialogs = _elements(root, "//*[@role='dialog' or @role='alertdialog' or @aria-modal='true']")
    dialog_text = " ".join(_SPACES.sub(" ", d.text_content()) for d in dialogs)
    password = bool(_elements(root, "//input[@type='password']"))
    text = _SPACES.sub(" ", root.text_content()).strip()
    return _PageView(text.lower(), dialog_text.lower(), has_password_field=password)


def declared_variants(text: str) -> frozenset[str]:
    """The legal variants (`eu`, `uk`, `br`, `us`) a page's text reads as, from several marks
    (controllers, legal-basis sections, the regulator; see `classify.variant`): empty when it
    names too few, as help pages do."""
    return read_variant(text).declared


def page_variant(page_html: str) -> VariantReading:
    """How a rendered page's text reads as each legal variant: what the check's
    `region_mismatch` rule reads (`VariantReading.contradicts`), for other callers to ask the
    same question the same way."""
    return read_variant(_view(page_html).text)


def failed_check(result: FetchResult, kind: FailureKind, detail: str) -> FetchFailure:
    """The failed check a rendered page amounts to, keeping what the fetch knew."""
    return FetchFailure(
        target_id=result.target_id,
        kind=kind,
        detail=detail,
        url=result.url,
        final_url=result.final_url,
        status=result.status,
        timings=result.timings,
    )


def assess_page(
    result: FetchResult,
    *,
    expected_variant: str | None = None,
    select: Sequence[str] = (),
    remove: Sequence[str] = (),
    min_content_chars: int = ContentLimits.min_chars,
) -> PageHealth:
    """Walls, blocks, HTTP errors and region mismatches, judged on the whole rendered page.

    `select` and `remove` are the source's content and never-content selectors: a consent
    dialog left open fails the check only when it hides the content they name.
    """
    view = _view(result.html)
    failure = _page_failure(result, view, expected_variant)
    if failure is None or failure.kind is not FailureKind.CONSENT_WALL:
        return PageHealth(failure)
    consent = judge_consent_dialogs(
        result.html,
        select=select,
        remove=remove,
        consent_words=load_markers().consent,
        min_content_chars=min_content_chars,
    )
    if consent.hides_content:
        return PageHealth(failure)
    # The rest of the checks, judged on the page as if the dialog were not there.
    rest = _page_failure(result, view, expected_variant, consent_checked=True)
    return PageHealth(rest, notes=(consent.note,) if consent.note else ())


def _page_failure(
    result: FetchResult,
    view: _PageView,
    expected_variant: str | None,
    *,
    consent_checked: bool = False,
) -> FetchFailure | None:
    markers = load_markers()
    if result.status == 429:
        return failed_check(result, FailureKind.RATE_LIMITED, "HTTP 429 Too Many Requests")
    blocked = next((m for m in markers.blocked if m in view.text), None)
    if blocked:
        return failed_check(result, FailureKind.BLOCKED, f"block page ({blocked!r})")
    login_path = bool(_LOGIN_PATH.match(urlsplit(result.final_url).path))
    login_phrase = next((m for m in markers.login if m in view.text), None)
    if login_path or (view.has_password_field and login_phrase):
        where = "redirected to the login page" if login_path else f"login prompt ({login_phrase!r})"
        return failed_check(result, FailureKind.LOGIN_WALL, where)
    if result.status in _GONE_STATUSES:
        detail = f"HTTP {result.status}: the page does not exist"
        return failed_check(result, FailureKind.NOT_FOUND, detail)
    if result.status >= 400:
        return failed_check(result, FailureKind.HTTP_ERROR, f"HTTP {result.status}")
    not_found = next((m for m in markers.not_found if m in view.text), None)
    if not_found and len(view.text) < _SOFT_NOT_FOUND_MAX_CHARS:
        detail = f"the page says it is not available ({not_found!r})"
        return failed_check(result, FailureKind.NOT_FOUND, detail)
    consent_open = view.dialog_text and any(m in view.dialog_text for m in markers.consent)
    if consent_open and not consent_checked:
        detail = "a cookie-consent dialog is still open"
        return failed_check(result, FailureKind.CONSENT_WALL, detail)
    if result.action_error:
        return failed_check(result, FailureKind.ACTION_FAILED, result.action_error)
    if expected_variant:
        # Read from several marks (controllers, legal-basis sections, the regulator), never
        # one: a page names other Meta companies in passing, and the Brazilian text names
        # Meta Platforms, Inc. beside its Brazilian representative.
        reading = read_variant(view.text)
        if reading.contradicts(expected_variant):
            shown = "/".join(sorted(reading.declared))
            return failed_check(
                result,
                FailureKind.REGION_MISMATCH,
                f"served the {shown} variant, expected {expected_variant}",
            )
    return None


def assess_content(
    result: FetchResult,
    *,
    text_length: int,
    previous_length: int | None,
    limits: ContentLimits = ContentLimits(),
) -> FetchFailure | None:
    """Empty or suddenly much shorter extracted content: a partial render, not a deletion.

    Judged before a failed `wait_for`, which is reported (as a timeout) only for a page whose
    content looks whole: "the page rendered nothing" says more than "h1 never appeared".
    """
    if text_length == 0:
        return failed_check(result, FailureKind.EMPTY_CONTENT, "the page rendered no content")
    if previous_length and text_length < previous_length * (1 - limits.max_shrink):
        return failed_check(
            result,
            FailureKind.TRUNCATED,
            f"content shrank from {previous_length} to {text_length} characters",
        )
    if text_length < limits.min_chars:
        return failed_check(
            result,
            FailureKind.EMPTY_CONTENT,
            f"only {text_length} characters of content (minimum {limits.min_chars})",
        )
    if result.wait_error:
        return failed_check(result, FailureKind.TIMEOUT, result.wait_error)
    return None
