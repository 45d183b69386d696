"""The objection forms a page links to, checked as a target of their own (`SOURCE@REGION/opt-out`).

Each link is loaded through the same step as a watched page, in the page's region context
(locale, proxy, cookies). A login wall or an HTTP error is the form's state and is reported as
such; anything else that stops a load (network, timeout, block, rate limit) says nothing about
the form, so it is a failed check, never a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from watcher.config import Target
from watcher.diff.volatile import Mask, apply_masks
from watcher.fetch.base import FailureKind, Fetcher, FetchFailure, FetchResult
from watcher.health import ContentLimits
from watcher.optout import (
    OPT_OUT_SUFFIX,
    FormState,
    OptOutLink,
    inspect_form,
    opt_out_document,
)
from watcher.pipeline.analysis import Analysis
from watcher.pipeline.page import Page, PageRules, load_page

_STATE_KINDS = {FailureKind.LOGIN_WALL, FailureKind.HTTP_ERROR, FailureKind.NOT_FOUND}
# Tags (sources.yaml) of pages whose loss takes a way to object away.
OBJECTION_TAGS = frozenset({"objection", "opt-out", "opt_out", "form"})


def opt_out_target(target: Target, links: Sequence[OptOutLink]) -> Target:
    """The derived target that keeps the state of `target`'s objection forms."""
    return replace(
        target,
        id=f"{target.id}{OPT_OUT_SUFFIX}",
        title=f"{target.title}: objection forms",
        url=links[0].href,
        select=(),
        remove=(),
        wait_for=None,
    )


def is_objection_page(target: Target) -> bool:
    """A page whose loss takes a way to object away: the forms' own target, or a page tagged so."""
    return target.id.endswith(OPT_OUT_SUFFIX) or bool(OBJECTION_TAGS.intersection(target.tags))


async def load_forms(
    fetcher: Fetcher,
    analysis: Analysis,
    target: Target,
    links: Sequence[OptOutLink],
    masks: tuple[Mask, ...] = (),
) -> Page | FetchFailure:
    """The states of the forms behind `links`, as the derived target's page: its canonical text
    lists each form's state; its fetch record is the first form page's."""
    rules = PageRules(
        expected_variant=target.region.legal_variant,
        limits=ContentLimits(),
        judge_content=False,
    )
    derived_id = f"{target.id}{OPT_OUT_SUFFIX}"
    states: list[FormState] = []
    first: Page | FetchFailure | None = None
    for link in links:
        request = replace(
            target.to_fetch_request(), target_id=derived_id, url=link.href, wait_for=None
        )
        loaded = await load_page(fetcher, analysis, request, rules)
        if isinstance(loaded, FetchFailure) and loaded.kind not in _STATE_KINDS:
            return replace(loaded, detail=f"objection link {link.href}: {loaded.detail}")
        first = first or loaded
        states.append(_state(link, loaded))
    document = opt_out_document(states)
    canonical = document.canonical_text()
    masked = apply_masks(canonical, masks)
    # Every form may be behind a wall or an error page: then there is no page to keep.
    assert first is not None
    result = first.result if isinstance(first, Page) else _empty_result(first, derived_id)
    return Page(result, canonical, document.text_length, masked_text=masked)


def _state(link: OptOutLink, loaded: Page | FetchFailure) -> FormState:
    if isinstance(loaded, Page):
        return inspect_form(
            link.text,
            link.href,
            final_url=loaded.result.final_url,
            document=loaded.document,
            status=loaded.result.status,
            login_wall=False,
        )
    return inspect_form(
        link.text,
        link.href,
        final_url=loaded.final_url or link.href,
        document=None,
        status=loaded.status or 0,
        login_wall=loaded.kind is FailureKind.LOGIN_WALL,
    )


def _empty_result(failure: FetchFailure, derived_id: str) -> FetchResult:
    return FetchResult(
        target_id=derived_id,
        url=failure.url,
        final_url=failure.final_url or failure.url,
        status=failure.status or 0,
        html="",
        timings=failure.timings,
    )
