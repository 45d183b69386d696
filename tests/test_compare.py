"""Cross-region comparison: the EU page's objection right that the US page lacks."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import pytest

from storage import Database, TargetSpec
from watcher.cli.main import main
from watcher.compare import compare_regions
from watcher.normalize import Document, normalize_html
from watcher.simsite import render_page

T0 = "2026-05-27T09:00:00+00:00"


def rendered(region: str, locale: str, version: int = 4) -> Document:
    html = render_page(
        "genai",
        version=version,
        region=region,
        locale=locale,
        rng=random.Random(7),
        as_rendered=True,
    )
    return normalize_html(
        html, base_url="https://www.facebook.com/privacy/genai/", select=['[role="main"]']
    )


def test_the_eu_page_has_an_objection_right_the_us_page_lacks() -> None:
    comparison = compare_regions(
        "genai", ("fr", rendered("fr", "fr_FR")), ("us", rendered("us", "en_US"))
    )
    assert comparison.a.opt_out_links and not comparison.b.opt_out_links
    assert "legitimate_interests" in comparison.a.legal_bases - comparison.b.legal_bases
    assert not comparison.same_language  # French against English: no line-by-line text
    assert comparison.only_in_a == ()


def test_same_language_versions_are_compared_block_by_block() -> None:
    comparison = compare_regions(
        "genai", ("uk", rendered("uk", "en_GB")), ("us", rendered("us", "en_GB"))
    )
    assert comparison.same_language
    assert any("UK" in text for text in comparison.only_in_a)
    assert comparison.a.opt_out_links and not comparison.b.opt_out_links


def test_cli_compare_reads_the_latest_snapshots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    database = Database(url)
    database.upgrade()
    now = datetime.fromisoformat(T0)
    with database.transaction() as repo:
        for region, locale in (("fr", "fr_FR"), ("us", "en_US")):
            repo.upsert_targets(
                [TargetSpec(f"genai@{region}", "genai", region, "https://x/", "t")], now
            )
            repo.save_snapshot(
                f"genai@{region}",
                canonical_text=rendered(region, locale).canonical_text(),
                raw_html="",
                taken_at=now,
                final_url="https://x/",
                http_status=200,
            )
    database.dispose()
    assert main(["compare", "genai", "fr", "us", "--db", url, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["a"]["opt_out_links"] and not result["b"]["opt_out_links"]
    assert main(["compare", "genai", "fr", "us", "--db", url]) == 0
    assert "only in fr:\n  - objection/opt-out link:" in capsys.readouterr().out
    assert main(["compare", "genai", "fr", "de", "--db", url]) == 1
    assert "no snapshot of genai@de" in capsys.readouterr().err
