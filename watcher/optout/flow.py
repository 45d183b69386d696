"""Following objection links with the target's own region context (locale, proxy, cookies)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from watcher.config import Target
from watcher.fetch.base import FailureKind, Fetcher, FetchFailure, FetchResult
from watcher.health import assess_page
from watcher.normalize import Document, normalize_html
from watcher.optout.form import FormState, inspect_form
from watcher.optout.links import OptOutLink
from watcher.optout.report import OPT_OUT_SUFFIX

# States a form page can be in: a wall or an HTTP error is the form's state, reported as such.
# Anything else that stops a fetch (network, timeout, block, rate limit) says nothing about the
# form, so it is a failed check, never a change.
_STATE_KINDS = {FailureKind.LOGIN_WALL, FailureKind.HTTP_ERROR}


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


async def follow_links(
    fetcher: Fetcher, target: Target, links: Sequence[OptOutLink]
) -> tuple[list[FormState], FetchResult] | FetchFailure:
    """The state of each link's form page, and the first page fetched (kept as raw HTML)."""
    states: list[FormState] = []
    first: FetchResult | None = None
    derived_id = f"{target.id}{OPT_OUT_SUFFIX}"
    for link in links:
        request = replace(
            target.to_fetch_request(), target_id=derived_id, url=link.href, wait_for=None
        )
        outcome = await fetcher.fetch(request)
        if isinstance(outcome, FetchFailure):
            return outcome
        first = first or outcome
        unhealthy = assess_page(outcome, expected_variant=target.region.legal_variant)
        if unhealthy is not None and unhealthy.kind not in _STATE_KINDS:
            return replace(unhealthy, detail=f"objection link {link.href}: {unhealthy.detail}")
        login_wall = unhealthy is not None and unhealthy.kind is FailureKind.LOGIN_WALL
        document: Document | None = None
        if unhealthy is None:
            document = normalize_html(outcome.html, base_url=outcome.final_url)
        states.append(
            inspect_form(
                link.text,
                link.href,
                final_url=outcome.final_url,
                document=document,
                status=outcome.status,
                login_wall=login_wall,
            )
        )
    assert first is not None
    return states, first
