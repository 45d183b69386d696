"""Health rules on plain HTML: walls, blocks and thin content become named failures."""

from __future__ import annotations

import pytest

from watcher.fetch.base import FailureKind, FetchFailure, FetchResult
from watcher.health import ContentLimits, assess_content, assess_page

ARTICLE = "<html><body><div role='main'><h1>Privacy</h1><p>{}</p></div></body></html>".format(
    "We explain how information is used. " * 20
)


def page(
    html: str, *, status: int = 200, final_url: str = "https://example.org/privacy/"
) -> FetchResult:
    return FetchResult(
        target_id="t@fr",
        url="https://example.org/privacy/",
        final_url=final_url,
        status=status,
        html=html,
    )


def page_failure(result: FetchResult, expected_variant: str | None = None) -> FetchFailure | None:
    """The failure `assess_page` finds on a page judged without content selectors."""
    health = assess_page(result, expected_variant=expected_variant)
    assert health.notes == ()
    return health.failure


def test_a_normal_page_passes() -> None:
    assert page_failure(page(ARTICLE)) is None


@pytest.mark.parametrize(
    ("html", "status", "final_url", "kind"),
    [
        (ARTICLE, 429, "https://example.org/privacy/", FailureKind.RATE_LIMITED),
        (
            "<body><h1>You’re Temporarily Blocked</h1>"
            "<p>It looks like you were going too fast.</p></body>",
            200,
            "https://example.org/privacy/",
            FailureKind.BLOCKED,
        ),
        (
            "<body><p>Vous êtes temporairement bloqué.</p></body>",
            200,
            "https://example.org/privacy/",
            FailureKind.BLOCKED,
        ),
        (ARTICLE, 200, "https://example.org/login/?next=%2Fprivacy%2F", FailureKind.LOGIN_WALL),
        (
            "<body><form><p>Log in to continue</p>"
            "<input name=email><input type=password></form></body>",
            200,
            "https://example.org/privacy/",
            FailureKind.LOGIN_WALL,
        ),
        (ARTICLE, 500, "https://example.org/privacy/", FailureKind.HTTP_ERROR),
        (ARTICLE, 404, "https://example.org/privacy/", FailureKind.NOT_FOUND),
        (ARTICLE, 410, "https://example.org/privacy/", FailureKind.NOT_FOUND),
        (
            ARTICLE.replace(
                "</body>",
                "<div role='dialog'><p>Allow the use of cookies by Meta?</p>"
                "<button>Allow all cookies</button></div></body>",
            ),
            200,
            "https://example.org/privacy/",
            FailureKind.CONSENT_WALL,
        ),
    ],
)
def test_walls_and_errors_are_named(
    html: str, status: int, final_url: str, kind: FailureKind
) -> None:
    failure = page_failure(page(html, status=status, final_url=final_url))
    assert failure is not None
    assert failure.kind is kind
    assert failure.detail


def test_a_login_link_in_chrome_is_not_a_wall() -> None:
    html = ARTICLE.replace("</body>", "<nav><a href='/login/'>Log in to continue</a></nav></body>")
    assert page_failure(page(html)) is None


def test_a_dialog_without_cookie_words_is_not_a_consent_wall() -> None:
    html = ARTICLE.replace("</body>", "<div role='dialog'><p>Share this page</p></div></body>")
    assert page_failure(page(html)) is None


def test_region_mismatch_uses_the_controller_line() -> None:
    us_text = ARTICLE.replace("We explain", "Meta Platforms, Inc. explains")
    eu_text = ARTICLE.replace("We explain", "Meta Platforms Ireland Limited explains")
    mismatch = page_failure(page(us_text), expected_variant="eu")
    assert mismatch is not None and mismatch.kind is FailureKind.REGION_MISMATCH
    assert "expected eu" in mismatch.detail
    assert page_failure(page(eu_text), expected_variant="eu") is None
    assert page_failure(page(eu_text), expected_variant="uk") is None
    brazil = ARTICLE.replace(
        "We explain",
        "Meta Platforms, Inc. is responsible; Facebook Serviços Online do Brasil represents it",
    )
    assert page_failure(page(brazil), expected_variant="br") is None
    # A page that names no controller says nothing about its variant.
    assert page_failure(page(ARTICLE), expected_variant="eu") is None


def test_a_minified_page_is_read_block_by_block() -> None:
    # No space between `</h1><p>`: the heading's last word and the controller's first must not
    # run together, or the controller line is missed.
    minified = (
        "<html><body><main><h1>Privacy Policy</h1><p>Meta Platforms, Inc. provides these "
        "services.</p><div>{}</div></main></body></html>".format("We explain how it works. " * 20)
    )
    mismatch = page_failure(page(minified), expected_variant="eu")
    assert mismatch is not None and mismatch.kind is FailureKind.REGION_MISMATCH


def test_an_eea_page_naming_a_us_company_in_passing_is_not_a_mismatch() -> None:
    eea = ARTICLE.replace(
        "We explain",
        "Northwind uses it. WhatsApp Ireland Limited is the controller; it shares information "
        "with Meta Platforms, Inc. under its legitimate interests, and you have the right to "
        "object. We explain",
        1,
    )
    assert page_failure(page(eea), expected_variant="eu") is None
    mismatch = page_failure(page(eea), expected_variant="us")
    assert mismatch is not None and mismatch.kind is FailureKind.REGION_MISMATCH
    # Without any controller line, the legal-basis and objection marks still say EU/UK.
    eea_only = ARTICLE.replace(
        "We explain",
        "The legal bases we rely on include legitimate interests; you have the right to object "
        "and to lodge a complaint with a supervisory authority. We explain",
        1,
    )
    mismatch = page_failure(page(eea_only), expected_variant="us")
    assert mismatch is not None and "eu/uk variant" in mismatch.detail


def test_wait_and_action_errors_come_after_walls() -> None:
    waited = FetchResult(
        "t@fr", "u", "https://example.org/x", 200, ARTICLE, wait_error="wait_for 'h1'"
    )
    assert page_failure(waited) is None  # judged after the content: empty says more than timeout
    failure = assess_content(waited, text_length=2_000, previous_length=None)
    assert failure is not None and failure.kind is FailureKind.TIMEOUT
    empty = assess_content(waited, text_length=10, previous_length=None)
    assert empty is not None and empty.kind is FailureKind.EMPTY_CONTENT
    acted = FetchResult("t@fr", "u", "https://example.org/x", 200, ARTICLE, action_error="click")
    failure = page_failure(acted)
    assert failure is not None and failure.kind is FailureKind.ACTION_FAILED


def test_thin_and_shrunken_content() -> None:
    result = page(ARTICLE)
    empty = assess_content(result, text_length=40, previous_length=None)
    assert empty is not None and empty.kind is FailureKind.EMPTY_CONTENT
    shrunk = assess_content(result, text_length=1_000, previous_length=10_000)
    assert shrunk is not None and shrunk.kind is FailureKind.TRUNCATED
    title_only = assess_content(result, text_length=14, previous_length=10_000)
    assert title_only is not None and title_only.kind is FailureKind.TRUNCATED
    nothing = assess_content(result, text_length=0, previous_length=10_000)
    assert nothing is not None and nothing.kind is FailureKind.EMPTY_CONTENT
    assert assess_content(result, text_length=9_000, previous_length=10_000) is None
    limits = ContentLimits(min_chars=10, max_shrink=0.95)
    assert assess_content(result, text_length=1_000, previous_length=10_000, limits=limits) is None


# --- a cookie dialog left open: a failure only when it hides the content ------------------------

COOKIE_DIALOG = (
    "<div role='dialog' aria-modal='true'><h2>Allow the use of cookies by Meta?</h2>"
    "<button>Allow all cookies</button></div>"
)
MAIN = "<div role='main'><h1>Privacy</h1><p>{}</p></div>".format(
    "We explain how information is used. " * 20
)


def with_dialog(body: str) -> FetchResult:
    return page(f"<html><body><div role='banner'>Meta</div>{body}</body></html>")


def test_a_dialog_outside_the_selected_content_is_noted_not_failed() -> None:
    health = assess_page(with_dialog(MAIN + COOKIE_DIALOG), select=["[role='main']"])
    assert health.failure is None
    assert health.notes == ("a cookie-consent dialog stayed open (outside the selected content)",)


def test_a_dialog_named_in_remove_is_noted_not_failed() -> None:
    # No `select`: the content is the whole body, and the dialog is taken out of it.
    health = assess_page(with_dialog(MAIN + COOKIE_DIALOG), remove=["[role=dialog]"])
    assert health.failure is None
    assert len(health.notes) == 1 and "remove" in health.notes[0]
    inside = MAIN.replace("</div>", COOKIE_DIALOG + "</div>", 1)
    health = assess_page(with_dialog(inside), select=['[role="main"]'], remove=["[role=dialog]"])
    assert health.failure is None and health.notes


@pytest.mark.parametrize(
    ("body", "select", "remove"),
    [
        # Inside the selected content and not removed: it would be read as the content.
        (MAIN.replace("</div>", COOKIE_DIALOG + "</div>", 1), ["[role='main']"], []),
        # The content is gone, only the dialog is left where it was.
        (f"<div role='main'>{COOKIE_DIALOG}</div>", ["[role='main']"], ["[role=dialog]"]),
        # The content has not rendered (it waits for an answer): too little text beside it.
        ("<div role='main'><h1>Privacy</h1></div>" + COOKIE_DIALOG, ["[role='main']"], []),
        # `select` matches nothing: the content is not there at all.
        (MAIN + COOKIE_DIALOG, ["#policy"], ["[role=dialog]"]),
        # The selected content is inside the dialog.
        (f"<div role='dialog'><p>Cookies</p>{MAIN}</div>", ["[role='main']"], []),
        # Neither selectors: the dialog is part of the page read as content.
        (MAIN + COOKIE_DIALOG, [], []),
    ],
)
def test_a_dialog_that_hides_the_content_is_still_a_consent_wall(
    body: str, select: list[str], remove: list[str]
) -> None:
    health = assess_page(with_dialog(body), select=select, remove=remove)
    assert health.failure is not None
    assert health.failure.kind is FailureKind.CONSENT_WALL
    assert health.notes == ()


def test_the_other_checks_still_apply_beside_an_open_dialog() -> None:
    us_text = MAIN.replace("We explain", "Meta Platforms, Inc. explains") + COOKIE_DIALOG
    health = assess_page(with_dialog(us_text), expected_variant="eu", select=["[role='main']"])
    assert health.failure is not None and health.failure.kind is FailureKind.REGION_MISMATCH
    assert health.notes  # the dialog is still worth saying, beside the failure
    hidden = with_dialog(MAIN + COOKIE_DIALOG.replace("<div role", "<div hidden role"))
    assert assess_page(hidden) == assess_page(with_dialog(MAIN))
