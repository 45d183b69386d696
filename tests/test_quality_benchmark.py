"""The quality benchmark on the simulated Meta site: on a reduced scope the classifier meets the
targets (no false alert, >= 95 % found with the right kind), and the scoring itself catches a
wrong kind, a finding where nothing changed and a difference between two loads of one version."""

from __future__ import annotations

import dataclasses

import pytest
from browser_harness import BrowserHarness

from benchmarks.quality import (
    SPANS,
    TARGET_RIGHT_KIND,
    WATCHED,
    Combo,
    Pair,
    Scope,
    Scoreboard,
    main,
    noise_pairs,
    rendered_document,
    report,
    run_browser,
    run_offline,
    score,
    version_pairs,
)
from watcher.classify import Finding, FindingKind, Severity, classify
from watcher.diff import Change, diff_documents
from watcher.simsite import CHANGE_KINDS, LATEST_VERSION, PAGES, SimulatedMetaSite

# Every kind of the ground truth is scripted on one of these pages in these regions.
REDUCED = Scope(
    pages=("genai", "privacy_center", "privacy_policy"),
    regions=("fr", "uk", "br"),
    noise_pairs=60,
)
FRENCH_GENAI = Combo("genai", "fr", "fr_FR")


@pytest.fixture(scope="module")
def reduced_board() -> Scoreboard:
    return run_offline(REDUCED)


def test_reduced_offline_scope_meets_the_targets(reduced_board: Scoreboard) -> None:
    board = reduced_board
    assert board.noise_pairs == REDUCED.noise_pairs
    assert board.quiet_pairs > 0
    assert all(board.kinds[kind].expected > 0 for kind in CHANGE_KINDS)
    assert board.false_alerts == []
    assert board.noise_alerts == []
    rate = board.total.rate
    assert rate is not None
    assert rate >= TARGET_RIGHT_KIND, "\n".join(p.line() for p in board.misses)
    assert board.passed


def test_noise_pairs_rotate_over_pages_regions_languages_and_versions() -> None:
    combos = [Combo(p, r, lang) for p in WATCHED for r in PAGES[p].regions for lang in ("en_US",)]
    pairs = noise_pairs(combos, 200)

    assert len(pairs) == 200
    assert all(pair.noise_only for pair in pairs)
    assert {pair.combo.page_id for pair in pairs} == set(WATCHED)
    assert {pair.combo.region for pair in pairs} == {r for p in WATCHED for r in PAGES[p].regions}
    assert {pair.old for pair in pairs} == set(range(LATEST_VERSION + 1))
    published = noise_pairs([Combo("privacy_support", "fr", "fr_FR")], 5, published_only=True)
    assert {pair.old for pair in published} == {PAGES["privacy_support"].since_version}


def test_version_pairs_are_every_step_and_the_spans() -> None:
    pairs = version_pairs(FRENCH_GENAI)

    steps = [(v - 1, v) for v in range(1, LATEST_VERSION + 1)]
    assert [(p.old, p.new) for p in pairs] == steps + list(SPANS)
    late = version_pairs(Combo("objection_form_2025", "fr", "fr_FR"), published_only=True)
    assert min(p.old for p in late) == PAGES["objection_form_2025"].since_version


def _real_step(old: int, new: int) -> tuple[Pair, Change, list[Finding]]:
    change = diff_documents(
        rendered_document(FRENCH_GENAI, old, "older"), rendered_document(FRENCH_GENAI, new, "newer")
    )
    return Pair(FRENCH_GENAI, old, new), change, classify(change, region="fr")


def _first_step_with_expected_changes() -> tuple[Pair, Change, list[Finding]]:
    step = next(p for p in version_pairs(FRENCH_GENAI) if p.expected())
    return _real_step(step.old, step.new)


def test_a_finding_of_the_wrong_kind_is_detected_but_missed() -> None:
    pair, change, findings = _first_step_with_expected_changes()
    right, wrong = Scoreboard(), Scoreboard()

    right.record(pair, change, findings)
    wrong.record(
        pair, change, [dataclasses.replace(f, kind=FindingKind.COSMETIC) for f in findings]
    )

    expected = len(pair.expected())
    assert right.total.right == expected
    assert wrong.total.detected == expected
    assert wrong.total.right == 0
    assert len(wrong.misses) == expected
    assert not wrong.passed
    assert "got cosmetic" in report(wrong, "wrong kinds", 0.0)
    assert "FAIL" in report(wrong, "wrong kinds", 0.0).splitlines()[-1]


def test_an_expected_change_without_any_finding_is_missed() -> None:
    pair, _, _ = _first_step_with_expected_changes()
    board = Scoreboard()

    board.record(pair, Change(), [])

    assert board.total.detected == board.total.right == 0
    assert len(board.misses) == len(pair.expected()) > 0
    assert all("not quoted by any finding" in p.detail for p in board.misses)


def test_a_material_finding_where_nothing_is_expected_is_a_false_alert() -> None:
    quiet = next(p for p in version_pairs(FRENCH_GENAI) if not p.expected())
    invented = Finding(
        FindingKind.NEW_DATA_CATEGORY, Severity.HIGH, "", "Vos empreintes digitales", "", "fr"
    )
    cosmetic = dataclasses.replace(invented, kind=FindingKind.COSMETIC)
    board = Scoreboard()

    board.record(quiet, Change(), [cosmetic])
    assert board.false_alerts == []
    board.record(quiet, Change(), [invented])

    assert [p.kind for p in board.false_alerts] == ["new_data_category"]
    assert board.quiet_pairs == 2
    assert not board.passed


def test_any_difference_between_two_loads_of_one_version_is_a_false_alert() -> None:
    board = Scoreboard()
    same = Pair(FRENCH_GENAI, 4, 4)

    score(
        board,
        same,
        rendered_document(FRENCH_GENAI, 4, "a"),
        rendered_document(FRENCH_GENAI, 4, "b"),
    )
    assert board.noise_alerts == []
    score(
        board,
        same,
        rendered_document(FRENCH_GENAI, 3, "a"),
        rendered_document(FRENCH_GENAI, 4, "b"),
    )

    assert board.noise_pairs == 2
    assert len(board.noise_alerts) == 1
    assert not board.passed


def test_command_prints_the_tables_and_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--pages", "genai", "--regions", "fr", "--noise-refetches", "3"])

    printed = capsys.readouterr().out
    assert status == 0
    cells = [
        [c.strip() for c in line.split("|")[1:-1]] for line in printed.splitlines() if "|" in line
    ]
    rows = {row[0]: row[1:] for row in cells}
    assert set(CHANGE_KINDS) | {"total"} <= set(rows)
    assert rows["noise-only pairs"] == ["3", "0"]
    assert printed.rstrip().splitlines()[-1].endswith("PASS")


@pytest.mark.browser
def test_browser_mode_scores_fetched_pages(
    browser: BrowserHarness, site: SimulatedMetaSite
) -> None:
    scope = Scope(pages=("genai",), regions=("fr", "us"), every_language=False, noise_pairs=2)

    board = browser.run(run_browser(site, browser.fetcher, scope), timeout=240)

    assert board.failures == []
    assert board.version_pairs == 2 * len(version_pairs(FRENCH_GENAI))
    assert board.noise_pairs == 2
    assert board.false_alerts == []
    assert board.noise_alerts == []
    assert board.passed, "\n".join(p.line() for p in board.misses)
