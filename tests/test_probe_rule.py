"""The worker's region probe and a check judge a page's legal variant by one rule: a region is
refused exactly when its checks would fail as `region_mismatch`."""

from __future__ import annotations

import pytest

from watcher.distributed.probe import Served, served
from watcher.fetch.base import FailureKind, FetchResult
from watcher.health import assess_page, page_variant

FILLER = "This page explains how information about you is handled and shared. " * 12


def _html(text: str) -> str:
    body = f"<h1>Privacy Policy</h1><p>{text}</p><p>{FILLER}</p>"
    return f"<html><body><main>{body}</main></body></html>"


PAGES = {
    "eu text": _html(
        "Meta Platforms Ireland Limited is the controller. We rely on legitimate interests."
    ),
    "us text naming the European Region in passing": _html(
        "Meta Platforms, Inc. provides this service. Users in the European Region see another "
        "policy."
    ),
    "us text": _html("Meta Platforms, Inc. provides this service to you."),
    "eu marks without a controller": _html(
        "We rely on legitimate interests and you have the right to object."
    ),
    # The Brazilian marks lead the European one by less than the margin and no company is
    # named: not a clear contradiction, so neither the check nor the probe refuses it.
    "br marks one ahead, no controller": _html(
        "Under the LGPD you may contact the ANPD. Our GDPR page is elsewhere."
    ),
    "help page": _html("Tap the menu, then choose Settings."),
}


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("expected", ["eu", "uk", "us", "br"])
def test_the_probe_refuses_a_region_exactly_when_its_check_fails_as_region_mismatch(
    name: str, expected: str
) -> None:
    html = PAGES[name]
    result = FetchResult(
        target_id="policy@x",
        url="https://example.org/",
        final_url="https://example.org/",
        status=200,
        html=html,
    )
    failure = assess_page(result, expected_variant=expected).failure
    mismatch = failure is not None and failure.kind is FailureKind.REGION_MISMATCH
    verdict = served(page_variant(html), expected)
    assert (verdict is Served.WRONG) == mismatch
    if not page_variant(html).declared:
        assert verdict is None


def test_the_cases_above_cover_both_verdicts_and_the_margin() -> None:
    # Guards the test above: it must see refusals, acceptances and an unreadable page.
    verdicts = {
        (name, expected): served(page_variant(html), expected)
        for name, html in PAGES.items()
        for expected in ("eu", "us")
    }
    assert verdicts[("us text naming the European Region in passing", "eu")] is Served.WRONG
    assert verdicts[("eu text", "eu")] is Served.RIGHT
    assert verdicts[("eu text", "us")] is Served.WRONG
    assert verdicts[("br marks one ahead, no controller", "eu")] is Served.RIGHT
    assert verdicts[("help page", "eu")] is None
