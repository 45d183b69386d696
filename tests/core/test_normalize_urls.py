"""Links nested in links: tracking parameters go at every level, whatever the order in which
Meta wraps, encodes and decorates them; what chooses the content stays; hostile links stay cheap.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watcher.normalize import normalize_html
from watcher.normalize.rules import default_rules
from watcher.normalize.url_nesting import MAX_LINK_LENGTH
from watcher.normalize.urls import clean_url

RULES = default_rules().urls
TARGET = "https://help.instagram.com/195069860617299?helpref=related"
PRINTABLE = "https://mbasic.facebook.com/privacy/policy/printable/"
WRAPPER = "https://lm.facebook.com/l.php?u="
DECORATION = "__cft__[0]=AZXmBq1x2y&__tn__=-R"


def encoded(url: str, times: int = 1, safe: str = "") -> str:
    for _ in range(times):
        url = quote(url, safe=safe)
    return url


def clean(url: str) -> str | None:
    return clean_url(url, RULES)


# Every shape below is TARGET, wrapped and decorated as Meta's pages do.
NESTED_SHAPES = {
    # As archived printable policies show it: the target written as is in `u=`, the wrapper
    # encoded once with `u=`'s equals sign left.
    "printable, as archived": PRINTABLE + encoded(WRAPPER + TARGET, safe="="),
    "printable, decoration outside": PRINTABLE
    + encoded(WRAPPER + TARGET, safe="=")
    + "?"
    + DECORATION,
    "printable, encoded decoration names outside": PRINTABLE
    + encoded(WRAPPER + TARGET, safe="=")
    + "?__tn__=%2CO%2CP-R&__cft__%5B0%5D=AZq&__xts__%5B0%5D=68.ARb",
    "printable, decoration on the target before encoding": PRINTABLE
    + encoded(WRAPPER + encoded(TARGET + "&" + DECORATION) + "&h=AT1"),
    "printable, decoration on the wrapper after encoding": PRINTABLE
    + encoded(WRAPPER + encoded(TARGET) + "&h=AT1&" + DECORATION),
    "printable, decoration inside and outside": PRINTABLE
    + encoded(WRAPPER + encoded(TARGET + "&fbclid=IwAR0") + "&__tn__=*F")
    + "?__cft__%5B0%5D=AZb&eid=ARc",
    "printable, decoration on a target written as is, then outside": PRINTABLE
    + encoded(WRAPPER + TARGET + "&" + DECORATION + "&h=AT2")
    + "?__xts__[0]=68.x",
    "printable, encoded twice": PRINTABLE + encoded(WRAPPER + encoded(TARGET) + "&h=AT3", 2),
    "printable, encoded twice, decoration everywhere": PRINTABLE
    + encoded(WRAPPER + encoded(TARGET + "&__tn__=-R") + "&h=AT3&fbclid=IwAR9", 2)
    + "?__cft__[0]=AZd",
    "printable, encoded three times": PRINTABLE + encoded(WRAPPER + encoded(TARGET), 3),
    "printable of the target, no click wrapper": PRINTABLE + encoded(TARGET + "&ref=bookmarks"),
    "wrapper in a wrapper": "https://l.facebook.com/l.php?u="
    + encoded(WRAPPER + encoded(TARGET + "&locale2=en_GB") + "&h=AT4")
    + "&h=AT5&__tn__=-R",
    "click logger inside the wrapper": WRAPPER
    + encoded(
        "https://www.facebook.com/privacy/policy/logging/?containing_element_id=POLICY_SECTION:7"
        "&redirect_uri=" + encoded(TARGET + "&entry_point=POLICY_SECTION") + "&target=LINK"
    )
    + "&h=AT6",
    "Instagram's wrapper": "https://l.instagram.com/?u="
    + encoded(TARGET + "&igshid=MzRl")
    + "&e=AT7",
}


@pytest.mark.parametrize("shape", NESTED_SHAPES)
def test_every_nesting_of_a_link_cleans_to_its_target(shape: str) -> None:
    assert clean(NESTED_SHAPES[shape]) == TARGET


@pytest.mark.parametrize(
    "order",
    [
        "__cft__[0]=AZ1&__tn__=-R&fbclid=IwAR1",
        "__tn__=-R&fbclid=IwAR1&__cft__[0]=AZ1",
        "fbclid=IwAR1&__cft__%5B0%5D=AZ1&__tn__=%2CO%2CP-R",
        "__cft__%255B0%255D=AZ1&__xts__[0]=68.x&eid=AR1",
    ],
)
def test_decoration_in_any_order_at_any_level_gives_one_link(order: str) -> None:
    outside = PRINTABLE + encoded(WRAPPER + TARGET, safe="=") + "?" + order
    before_encoding = PRINTABLE + encoded(WRAPPER + encoded(TARGET + "&" + order))
    after_encoding = PRINTABLE + encoded(WRAPPER + encoded(TARGET) + "&" + order)
    assert {clean(outside), clean(before_encoding), clean(after_encoding)} == {TARGET}


def test_the_decoration_that_used_to_end_up_inside_the_target_is_gone() -> None:
    """Appending `?__cft__[0]=…` to the printable link once landed inside the value of the
    target's own parameter (`helpref=related?__cft__[0]=…`), different on every load."""
    archived = PRINTABLE + encoded(WRAPPER + TARGET, safe="=")
    first = clean(archived + "?__cft__[0]=AZfirst&__tn__=-R")
    second = clean(archived + "?__cft__[0]=AZsecond&__tn__=*F")
    assert first == second == TARGET


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        # `locale=` chooses the language of the page; `locale2=` is Meta's copy on every link.
        (
            "https://www.facebook.com/privacy/policy/?locale=fr_FR&locale2=fr_FR",
            "https://www.facebook.com/privacy/policy/?locale=fr_FR",
        ),
        (
            "https://www.facebook.com/permalink.php?story_fbid=1234&id=4&__tn__=K-R",
            "https://www.facebook.com/permalink.php?id=4&story_fbid=1234",
        ),
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&fbclid=IwAR2",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        (
            "https://www.meta.com/help/artificial-intelligence/1457099185405523/#delete-your-selfie",
            "https://www.meta.com/help/artificial-intelligence/1457099185405523/#delete-your-selfie",
        ),
        (
            "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX%3A32011D0061",
            "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32011D0061",
        ),
        # A target written as is: its own `&status=` is read as the wrapper's, and is its own.
        (
            "https://www.dataprivacyframework.gov/s/participant-search/participant-detail"
            "?id=a2zt0000000GnywAAC&status=Active",
            "https://www.dataprivacyframework.gov/s/participant-search/participant-detail"
            "?id=a2zt0000000GnywAAC&status=Active",
        ),
        # `h=` is only the click wrapper's signature; on any other link it is the link's own.
        ("https://example.org/chart?h=300&w=400", "https://example.org/chart?h=300&w=400"),
    ],
)
def test_parameters_that_choose_the_content_stay_at_every_level(target: str, kept: str) -> None:
    as_archived = PRINTABLE + encoded(WRAPPER + target, safe="=#")
    properly = PRINTABLE + encoded(WRAPPER + encoded(target) + "&h=AT8") + "?__tn__=-R"
    twice = PRINTABLE + encoded(WRAPPER + encoded(target), 2)
    assert clean(target) == kept
    assert clean(properly) == kept
    assert clean(twice) == kept
    if "#" not in target and "h=" not in target:  # such a target is never written as is
        assert clean(as_archived) == kept


def test_an_address_in_an_ordinary_parameter_is_kept_and_cleaned_at_every_level() -> None:
    """`next=` chooses where a login page leads: it stays, its own decoration goes, however
    often it was encoded."""
    login = "https://www.facebook.com/login/?next="
    expected = "https://www.facebook.com/login/?next=https://help.instagram.com/195069860617299%3Fhelpref%3Drelated"
    once = login + encoded(TARGET + "&__cft__[0]=AZ1")
    twice = WRAPPER + encoded(login + encoded(TARGET + "&fbclid=IwAR3", 2) + "&__tn__=-R")
    assert clean(once) == clean(twice) == expected


def test_a_real_change_of_target_inside_the_nesting_still_shows() -> None:
    def printable(target: str) -> str:
        return PRINTABLE + encoded(WRAPPER + target + "&" + DECORATION, safe="=")

    old = clean(printable("https://help.instagram.com/195069860617299?helpref=related"))
    new = clean(printable("https://help.instagram.com/195069860617299?helpref=faq_content"))
    moved = clean(printable("https://help.instagram.com/767264225370182"))
    assert len({old, new, moved}) == 3


def test_a_wrapper_with_no_address_in_it_is_left_a_link() -> None:
    assert clean("https://l.facebook.com/l.php?u=not-an-address&h=AT1") == (
        "https://l.facebook.com/l.php?u=not-an-address"
    )
    assert clean("https://l.facebook.com/l.php?u=%2Fhelp%2F123&h=AT1") == (
        "https://l.facebook.com/help/123"
    )


def test_nested_links_read_the_same_in_a_page() -> None:
    def page(href: str) -> str:
        html = (
            '<html lang="en"><body><div role="main"><p>See the '
            f'<a href="{href}">Instagram Help Center</a>.</p></div></body></html>'
        )
        return normalize_html(html, base_url=PRINTABLE, select=['[role="main"]']).canonical_text()

    texts = {page(href.replace("&", "&amp;")) for href in NESTED_SHAPES.values()}
    assert texts == {f"See the [Instagram Help Center]({TARGET}).\n"}


# ---- the cleaning is a fixed point, whatever the nesting ---------------------------------------

TARGETS = [
    TARGET,
    "https://www.dataprotection.ie/",
    "https://www.facebook.com/privacy/policy/?locale=fr_FR&section_id=2-HowDoWeUse",
    "https://www.dataprivacyframework.gov/s/participant-detail?id=a2zt0000000GnywAAC&status=Active",
    "https://www.meta.com/help/artificial-intelligence/1457099185405523/#delete-your-selfie",
    "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX%3A32011D0061",
    "http://help.instagram.com/581066165581870/",
]
DECORATIONS = [
    "__cft__[0]=AZ9x",
    "__cft__%5B0%5D=AZ8y",
    "__tn__=%2CO%2CP-R",
    "__xts__%5B0%5D=68.AR1",
    "fbclid=IwAR7",
    "eid=ARq",
    "ref=bookmarks",
    "__ccr=ARZ",
    "locale2=fr_FR",
    "entry_point=POLICY_SECTION%3A2",
    "back_id=17",
]


def decorate(url: str, parameters: list[str]) -> str:
    if not parameters:
        return url
    address, hash_mark, fragment = url.partition("#")
    separator = "&" if "?" in address else "?"
    return f"{address}{separator}{'&'.join(parameters)}{hash_mark}{fragment}"


def wrap_encoded(url: str) -> str:
    return WRAPPER + encoded(url) + "&h=ATx"


def wrap_as_is(url: str) -> str:
    # What Meta writes unencoded is only ever the target itself, without a fragment.
    return WRAPPER + url + "&h=ATy" if "#" not in url else wrap_encoded(url)


def print_once(url: str) -> str:
    return PRINTABLE + encoded(url)


def print_twice(url: str) -> str:
    return PRINTABLE + encoded(url, 2)


def log_click(url: str) -> str:
    return (
        "https://www.facebook.com/privacy/policy/logging/?containing_element_id=S:1&redirect_uri="
        + encoded(url)
    )


LEVELS: list[Callable[[str], str]] = [wrap_encoded, print_once, print_twice, log_click]


@st.composite
def nested_links(draw: st.DrawFn) -> tuple[str, str]:
    """(a target, that target wrapped up to four times with decoration at any level)."""
    target = draw(st.sampled_from(TARGETS))
    link = decorate(target, draw(st.lists(st.sampled_from(DECORATIONS), max_size=2)))
    first = draw(st.sampled_from([*LEVELS, wrap_as_is]))
    link = decorate(first(link), draw(st.lists(st.sampled_from(DECORATIONS), max_size=2)))
    for level in draw(st.lists(st.sampled_from(LEVELS), max_size=3)):
        link = decorate(level(link), draw(st.lists(st.sampled_from(DECORATIONS), max_size=2)))
    return target, link


@settings(max_examples=300, deadline=None)
@given(nested_links())
def test_any_nesting_and_decoration_cleans_to_the_clean_target(pair: tuple[str, str]) -> None:
    target, link = pair
    cleaned = clean(link)
    assert cleaned is not None
    assert cleaned == clean(target.replace("http://", "https://"))
    assert clean(cleaned) == cleaned


# ---- hostile links -----------------------------------------------------------------------------


def nested(levels: int, level: Callable[[str], str]) -> str:
    link = TARGET
    for _ in range(levels):
        link = level(link)
    return link


def nested_until_the_limit(level: Callable[[str], str]) -> str:
    link = TARGET
    while len(level(link)) <= MAX_LINK_LENGTH:
        link = level(link)
    return link


def printed_and_decorated(url: str) -> str:
    return PRINTABLE + encoded(url) + "?" + DECORATION


def hostile_links() -> dict[str, str]:

    def tree(levels: int) -> str:
        if levels == 0:
            return "https://c.example/?fbclid=1&e=2"
        inner = encoded(tree(levels - 1))
        return f"https://a.example/v/?a={inner}&b={inner}"

    return {
        "wrappers nested hundreds of times, as is": (WRAPPER + "https://x.example/?") * 640,
        "wrappers nested thirty times": nested(30, wrap_encoded),
        "printable links nested thirty times": nested(30, printed_and_decorated),
        "wrappers nested until the length limit": nested_until_the_limit(wrap_encoded),
        "printable links nested until the length limit": nested_until_the_limit(print_once),
        "an encoding a thousand levels deep": PRINTABLE + "https%" + "25" * 16_000 + "3A%2F%2Fx",
        "a path of encoded addresses": "https://a.example" + "/https%3A%2F%2Fa.example" * 1300,
        "hundreds of parameters holding addresses": "https://a.example/?"
        + "&".join(f"s{i}=https%3A%2F%2Fc.example%2F%3Fe%3D{i}" for i in range(750)),
        "a tree of addresses in parameters": tree(6),
        "a megabyte of encoded address": "https://a.example/?q=https%3A%2F%2F" + "A" * 1_000_000,
        "a megabyte of wrappers": (WRAPPER + "https%3A%2F%2F") * 30_000,
    }


def test_hostile_links_finish_fast_and_bounded() -> None:
    links = hostile_links()
    started = time.process_time()  # CPU time: not stretched by other work on the machine
    results = {name: clean(link) for name, link in links.items()}
    spent = time.process_time() - started
    # About 0.08 s of CPU here; the bound leaves room for a slower machine, not for a blow-up.
    assert spent < 1.0, spent
    for name, result in results.items():
        assert result is None or len(result) <= MAX_LINK_LENGTH, name
    assert results["a megabyte of encoded address"] is None
    assert results["wrappers nested thirty times"] == TARGET
    assert results["printable links nested thirty times"] == TARGET
    assert {name: clean(link) for name, link in links.items()} == results


def test_a_link_just_over_the_length_bound_is_dropped_and_one_under_it_kept() -> None:
    padding = "a" * (MAX_LINK_LENGTH - len("https://example.org/?q="))
    assert clean("https://example.org/?q=" + padding) is not None
    assert clean("https://example.org/?q=" + padding + "a") is None


def test_an_address_written_out_in_the_text_loses_its_per_load_signature() -> None:
    def text_of(signature: str) -> str:
        shown = f"{WRAPPER}{encoded(TARGET)}&h={signature}&{DECORATION}"
        html = f"<html lang='en'><body><p>Read [this]({shown}) or https://example.org/a.</p>"
        return normalize_html(html + "</body></html>", base_url=PRINTABLE).canonical_text()

    first, second = text_of("AT1xYz9"), text_of("AT0qRs4")
    assert first == second
    assert f"({TARGET})" in first
    assert "https://example.org/a." in first  # an address without a query stays as written
