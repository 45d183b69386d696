"""The simulated site replays Meta's 2024–2026 history with the changes a reader should see
written down next to its content: normalize → diff → classify must find every one of them, of
the right kind, quoting the right sentence, in every region and language."""

from __future__ import annotations

import random
from functools import cache

import pytest

from benchmarks.quality import found  # the benchmark's own scoring, so both agree
from watcher.classify import classify
from watcher.diff import diff_documents
from watcher.normalize import Document, normalize_html
from watcher.simsite import LATEST_VERSION, PAGES, expected_changes, render_page

SITE = "https://www.facebook.com"
WATCHED = sorted(page_id for page_id, spec in PAGES.items() if spec.regions)


@cache
def document(page_id: str, version: int, region: str, locale: str) -> Document:
    html = render_page(
        page_id,
        version=version,
        region=region,
        locale=locale,
        rng=random.Random(version),  # with all the per-load noise
        base_url=SITE,
        as_rendered=True,
    )
    return normalize_html(html, base_url=SITE + PAGES[page_id].path, select=['[role="main"]'])


def cases(page_id: str) -> list[tuple[str, str]]:
    """Every region of the page, each in one of its languages (rotating, so that across pages
    every language is read)."""
    spec = PAGES[page_id]
    offset = WATCHED.index(page_id)
    return [
        (region, spec.languages[(offset + index) % len(spec.languages)])
        for index, region in enumerate(spec.regions)
    ]


@pytest.mark.parametrize("page_id", WATCHED)
def test_every_expected_change_is_found_with_its_evidence(page_id: str) -> None:
    missed: list[str] = []
    checked = 0
    for region, locale in cases(page_id):
        for version in range(1, LATEST_VERSION + 1):
            expected = expected_changes(page_id, version - 1, version, region, locale)
            if not expected:
                continue
            change = diff_documents(
                document(page_id, version - 1, region, locale),
                document(page_id, version, region, locale),
            )
            findings = classify(change, region=region)
            for item in expected:
                checked += 1
                if not found(item, findings, locale):
                    got = [(f.kind.value, f.note) for f in findings]
                    missed.append(
                        f"v{version} {region} {locale} {item.kind}: {item.evidence!r} {got}"
                    )
    assert not missed, "\n".join(missed)
    assert checked > 0


def test_noise_alone_gives_no_change_and_no_finding() -> None:
    for page_id in WATCHED:
        spec = PAGES[page_id]
        region, locale = spec.regions[0], spec.languages[-1]
        quiet = document(page_id, LATEST_VERSION, region, locale)
        html = render_page(
            page_id,
            version=LATEST_VERSION,
            region=region,
            locale=locale,
            rng=random.Random(12345),
            base_url=SITE,
            as_rendered=True,
        )
        noisy = normalize_html(html, base_url=SITE + spec.path, select=['[role="main"]'])
        change = diff_documents(quiet, noisy)
        assert change.is_empty, (page_id, change.to_unified())
        assert classify(change, region=region) == []
