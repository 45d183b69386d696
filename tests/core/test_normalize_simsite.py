"""The simulated Meta site, rendered with every kind of per-load noise, always normalizes to the
same canonical text as the noise-free rendering of the same page version."""

from __future__ import annotations

import random
import re
from functools import cache
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watcher.normalize import Document, normalize_html
from watcher.simsite import LATEST_VERSION, PAGES, NoiseOptions, expected_changes, render_page

SITE = "https://www.facebook.com"
CONTENT = ['[role="main"]']
WATCHED = sorted(page_id for page_id, spec in PAGES.items() if spec.regions)


def document(
    page_id: str, version: int, region: str, locale: str, seed: int, noise: NoiseOptions
) -> Document:
    """The page as the browser leaves it after its script ran (`as_rendered`), normalized."""
    html = render_page(
        page_id,
        version=version,
        region=region,
        locale=locale,
        rng=random.Random(seed),
        noise=noise,
        base_url=SITE,
        as_rendered=True,
    )
    return normalize_html(html, base_url=SITE + PAGES[page_id].path, select=CONTENT)


@st.composite
def renderings(draw: st.DrawFn) -> tuple[str, int, str, str, int, int]:
    page_id = draw(st.sampled_from(WATCHED))
    spec = PAGES[page_id]
    version = draw(st.integers(0, LATEST_VERSION))
    region = draw(st.sampled_from(spec.regions))
    locale = draw(st.sampled_from(spec.languages))
    seed = draw(st.integers(0, 2**32 - 1))
    other_seed = draw(st.integers(0, 2**32 - 1))
    return page_id, version, region, locale, seed, other_seed


@settings(max_examples=40, deadline=None)
@given(renderings())
def test_noise_never_changes_the_canonical_text(
    rendering: tuple[str, int, str, str, int, int],
) -> None:
    """Two loads, each with its own noise (printable-policy links wrapped, encoded and decorated
    at every level among it), read byte for byte as the noise-free page."""
    page_id, version, region, locale, seed, other_seed = rendering
    quiet = document(page_id, version, region, locale, 0, NoiseOptions.none())
    noisy = document(page_id, version, region, locale, seed, NoiseOptions())
    other_load = document(page_id, version, region, locale, other_seed, NoiseOptions())
    assert noisy.canonical_text().encode() == other_load.canonical_text().encode()
    assert noisy.canonical_text() == quiet.canonical_text()
    assert quiet.text_length > 0


@cache
def quiet_policy(version: int, region: str, locale: str) -> str:
    return document(
        "privacy_policy", version, region, locale, 0, NoiseOptions.none()
    ).canonical_text()


@settings(max_examples=25, deadline=None)
@given(
    version=st.integers(0, LATEST_VERSION),
    region=st.sampled_from(PAGES["privacy_policy"].regions),
    locale=st.sampled_from(PAGES["privacy_policy"].languages),
    seeds=st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)),
)
def test_two_loads_of_the_policy_read_byte_for_byte_the_same(
    version: int, region: str, locale: str, seeds: tuple[int, int]
) -> None:
    """The policy is the page with outbound links, each time wrapped, encoded and decorated in
    another shape (one of them has a query of its own that decoration must stay out of)."""
    first, second = (
        document("privacy_policy", version, region, locale, seed, NoiseOptions()).canonical_text()
        for seed in seeds
    )
    assert first.encode() == second.encode() == quiet_policy(version, region, locale).encode()


def test_printable_policy_links_reach_the_normalizer_in_every_shape() -> None:
    """The property above is only as good as its noise: the policy's outbound links come as
    printable-policy links, encoded once and twice, decorated outside, on the wrapper and on
    the target, and all of them read as the plain target."""
    hrefs: list[str] = []
    for seed in range(40):
        html = render_page(
            "privacy_policy",
            version=LATEST_VERSION,
            region="fr",
            locale="fr_FR",
            rng=random.Random(seed),
            noise=NoiseOptions.only("printable_links"),
            base_url=SITE,
            as_rendered=True,
        )
        hrefs += re.findall(r'href="(/privacy/policy/printable/[^"]+)"', html)
    prefix = len("/privacy/policy/printable/")
    assert any(h[prefix:].startswith("https%3A") for h in hrefs)  # encoded once
    assert any(h[prefix:].startswith("https%253A") for h in hrefs)  # encoded twice
    assert any("?" in h for h in hrefs)  # decoration outside
    assert any("__cft__" in unquote(unquote(h.split("?")[0])) for h in hrefs)  # inside
    quiet = document("privacy_policy", LATEST_VERSION, "fr", "fr_FR", 0, NoiseOptions.none())
    assert "(https://www.dataprotection.ie/)" in quiet.canonical_text()


@pytest.mark.parametrize("noise", NoiseOptions.names())
def test_each_kind_of_noise_alone_changes_nothing(noise: str) -> None:
    # The policy (long, annotation links, dates, tracking parameters) and a help page (related
    # articles come and go), in US and GB English: every generator has something to act on.
    for page_id, locale in (("privacy_policy", "en_GB"), ("help_ai_objection", "en_US")):
        quiet = document(page_id, LATEST_VERSION, "fr", locale, 0, NoiseOptions.none())
        for seed in range(3):
            noisy = document(page_id, LATEST_VERSION, "fr", locale, seed, NoiseOptions.only(noise))
            assert noisy.canonical_text() == quiet.canonical_text(), (noise, page_id, seed)


@pytest.mark.parametrize("region", ["fr", "us", "br"])
def test_every_real_change_between_versions_survives_normalization(region: str) -> None:
    def text(version: int) -> str:
        noise = NoiseOptions()
        return document("privacy_policy", version, region, "fr_FR", version, noise).canonical_text()

    for version in range(1, LATEST_VERSION + 1):
        if expected_changes("privacy_policy", version - 1, version, region, "fr_FR"):
            assert text(version - 1) != text(version), version
