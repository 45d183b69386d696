"""The real-text benchmark end to end on a throwaway versions repository: our own short policy
in four versions, committed with real git, read back, normalized, diffed, classified, scored."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from benchmarks.realtext import (
    KindScore,
    LabelledPair,
    load_labels,
    main,
    reported_kinds,
    run_benchmark,
)
from watcher.classify import TEXT_KINDS, Finding, FindingKind, Severity
from watcher.errors import ConfigError

POLICY_PATH = "Example/Privacy Policy.md"
POLICY_URL = "https://example.org/privacy/policy/"

FIRST = """Privacy Policy
==============

Effective January 5, 2025

What information do we collect?
-------------------------------

We collect:

*   Content you create, like posts and comments
*   Information about the [device](https://example.org/help/devices) you use

How do we use your information?
-------------------------------

We use information to provide and improve our Products.
"""
# A new effective date and a new kind of data: two findings a reader expects.
SECOND = FIRST.replace("January 5, 2025", "March 3, 2025").replace(
    "*   Information about the",
    "*   Your voice recordings when you talk to our assistant\n*   Information about the",
)
# Wording only: labelled below as a legal-basis change on purpose, to get a known FP and FN.
THIRD = SECOND.replace(
    "We use information to provide and improve our Products.",
    "We use the information we have to provide and improve the Products.",
)
# Noise only: a click-tracking parameter on a link.
FOURTH = THIRD.replace("/help/devices", "/help/devices?fbclid=IwAR0x1y2z3")

ABSENT_COMMIT = "0" * 40


def _git(folder: Path, *arguments: str) -> str:
    command = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    done = subprocess.run(
        [*command, "-C", str(folder), *arguments], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A bare versions repository holding the four versions, and their commit ids."""
    work = tmp_path_factory.mktemp("versions-work")
    _git(work, "init", "-q")
    commits = []
    for number, text in enumerate((FIRST, SECOND, THIRD, FOURTH), start=1):
        policy = work / POLICY_PATH
        policy.parent.mkdir(parents=True, exist_ok=True)
        policy.write_text(text, encoding="utf-8")
        _git(work, "add", POLICY_PATH)
        _git(work, "commit", "-q", "-m", f"Record version {number}")
        commits.append(_git(work, "rev-parse", "HEAD"))
    bare = tmp_path_factory.mktemp("versions") / "repo.git"
    _git(work, "clone", "-q", "--bare", str(work), str(bare))
    return bare, commits


def _write_labels(path: Path, commits: list[str], *, extra_pairs: list[dict[str, object]]) -> Path:
    first, second, third, fourth = commits
    labels = {
        "documents": {
            "example-policy": {
                "repository": "example/versions",
                "path": POLICY_PATH,
                "url": POLICY_URL,
                "region": "eu",
                "language": "en",
            }
        },
        "pairs": [
            {
                "document": "example-policy",
                "old": first,
                "new": second,
                "kinds": ["effective_date_changed", "new_data_category"],
                "note": "New date and voice recordings listed.",
            },
            {
                "document": "example-policy",
                "old": second,
                "new": third,
                "kinds": ["legal_basis_changed"],
                "note": "Wording only, mislabelled on purpose.",
            },
            {
                "document": "example-policy",
                "old": third,
                "new": fourth,
                "kinds": [],
                "note": "Tracking parameter only.",
            },
            *extra_pairs,
        ],
    }
    path.write_text(yaml.safe_dump(labels, sort_keys=False), encoding="utf-8")
    return path


def test_scores_a_known_true_positive_false_positive_and_false_negative(
    versions: tuple[Path, list[str]], tmp_path: Path
) -> None:
    folder, commits = versions
    pairs = load_labels(_write_labels(tmp_path / "labels.yaml", commits, extra_pairs=[]))

    board = run_benchmark(pairs, [folder])

    counts = {
        kind: (s.true_positives, s.false_positives, s.false_negatives)
        for kind, s in board.per_kind.items()
    }
    assert counts[FindingKind.EFFECTIVE_DATE_CHANGED] == (1, 0, 0)
    assert counts[FindingKind.NEW_DATA_CATEGORY] == (1, 0, 0)
    assert counts[FindingKind.COSMETIC] == (0, 1, 0)
    assert counts[FindingKind.LEGAL_BASIS_CHANGED] == (0, 0, 1)
    assert counts[FindingKind.REGION_RESTRICTION] == (0, 0, 0)
    noise = board.outcomes[2]
    assert noise.findings == ()  # the tracking parameter never reached the diff
    assert [outcome.is_right for outcome in board.outcomes] == [True, False, True]


def test_command_prints_the_table_and_lists_mistakes_and_skipped_pairs(
    versions: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, commits = versions
    elsewhere: dict[str, object] = {
        "document": "example-policy",
        "old": ABSENT_COMMIT,
        "new": commits[1],
        "kinds": ["cosmetic"],
        "note": "Its old commit lives in another repository.",
    }
    labels = _write_labels(tmp_path / "labels.yaml", commits, extra_pairs=[elsewhere])

    status = main([str(folder), "--labels", str(labels)])

    report = capsys.readouterr().out
    assert status == 0
    assert "4 labelled pairs, 3 run, 1 skipped" in report
    rows = {line.split()[0]: line.split()[1:] for line in report.splitlines() if line.strip()}
    assert rows["effective_date_changed"] == ["1", "0", "0", "100.0%", "100.0%"]
    assert rows["cosmetic"] == ["0", "1", "0", "0.0%", "—"]
    assert rows["legal_basis_changed"] == ["0", "0", "1", "—", "0.0%"]
    assert "noise-only pairs: 1, false alerts on them: 0" in report
    assert "pairs exactly right: 2/3" in report
    mistake = f"example-policy {commits[1][:8]}..{commits[2][:8]}"
    assert f"{mistake}  expected: legal_basis_changed  got: cosmetic" in report
    assert "FN legal_basis_changed" in report
    assert f"example-policy {ABSENT_COMMIT[:8]}..{commits[1][:8]} (example/versions)" in report


def test_labels_with_an_unknown_kind_are_refused_with_their_location(
    versions: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, commits = versions
    labels = _write_labels(tmp_path / "labels.yaml", commits, extra_pairs=[])
    text = labels.read_text(encoding="utf-8").replace("legal_basis_changed", "legal_basis_moved")
    labels.write_text(text, encoding="utf-8")

    with pytest.raises(ConfigError, match=r"pairs\.1\.kinds\.0"):
        load_labels(labels)
    assert main([str(folder), "--labels", str(labels)]) == 1
    assert "legal_basis_moved" not in capsys.readouterr().out


def test_a_folder_that_is_not_a_git_directory_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([str(tmp_path), "--labels", str(tmp_path / "unused.yaml")])

    assert status == 1
    assert "not a git directory" in capsys.readouterr().err


def test_cosmetic_counts_only_when_nothing_material_was_reported() -> None:
    def found(kind: FindingKind) -> Finding:
        return Finding(kind, Severity.LOW, "before", "after", "Policy", "eu")

    cosmetic, use = found(FindingKind.COSMETIC), found(FindingKind.DATA_USE_EXPANDED)

    assert reported_kinds([cosmetic, use]) == {FindingKind.DATA_USE_EXPANDED}
    assert reported_kinds([cosmetic]) == {FindingKind.COSMETIC}
    assert reported_kinds([]) == frozenset()


def test_precision_and_recall_are_undefined_without_cases() -> None:
    assert KindScore().precision is None
    assert KindScore().recall is None
    assert KindScore(true_positives=1, false_positives=3).precision == 0.25
    assert KindScore(true_positives=3, false_negatives=1).recall == 0.75


def test_shipped_labels_load_and_cover_every_kind() -> None:
    pairs: list[LabelledPair] = load_labels(
        Path(__file__).resolve().parents[1] / "benchmarks" / "labels" / "meta_real.yaml"
    )

    assert len(pairs) >= 30
    labelled = set().union(*(pair.kinds for pair in pairs))
    assert labelled == set(TEXT_KINDS)
    assert any(not pair.kinds for pair in pairs)
    assert len({(pair.document.name, pair.old, pair.new) for pair in pairs}) == len(pairs)
