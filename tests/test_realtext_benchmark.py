"""The real-text benchmark end to end on a throwaway versions repository: our own short policy
in five versions, committed with real git, read back, served as noisy pages and taken through
the check path (or normalized offline), classified, scored and reported."""

from __future__ import annotations

import itertools
import random
import subprocess
from pathlib import Path

import pytest
import yaml

from benchmarks.realtext import (
    ArchivedDocument,
    KindScore,
    LabelledPair,
    Mode,
    PageStyle,
    PairOutcome,
    Replayed,
    Verdict,
    format_report,
    load_labels,
    main,
    noisy_page,
    replay_check,
    reported_kinds,
    run_benchmark,
    score,
    stamp_first_runs,
)
from watcher.classify import TEXT_KINDS, Finding, FindingKind, Severity
from watcher.errors import ConfigError
from watcher.fetch.base import FetchResult
from watcher.pipeline.page import PageRules, Reading, read_page

POLICY_PATH = "Example/Privacy Policy.md"
POLICY_URL = "https://www.facebook.com/privacy/policy/printable/"
LABELLED = "2026-11-01T09:00:00+00:00"

FIRST = """Privacy Policy
==============

Effective January 5, 2025

What information do we collect?
-------------------------------

We collect:

*   Content you create, like posts and comments
*   Information about the [device](https://www.facebook.com/help/devices) you use

How do we use your information?
-------------------------------

We use information to provide and improve our Products. Read the
[news article](https://about.example.org/news/privacy) and watch the
[video](https://www.facebook.com/video_redirect/?src=https%3A%2F%2Fvideo.xx.fbcdn.net%2Fv%2Fclip.mp4%3F_nc_ohc%3DAbCdEf123%26oh%3D00_XyZ987%26oe%3D6A1B2C3D&id=1).
See also [how we use information](#how-we-use).

Each Privacy Center setting is explained in our [help pages](https://www.facebook.com/help/).
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
# A partial render: the page caught with its title only.
FIFTH = "Privacy Policy\n==============\n"

ABSENT_COMMIT = "0" * 40


def _git(folder: Path, *arguments: str) -> str:
    command = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    done = subprocess.run(
        [*command, "-C", str(folder), *arguments], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A bare versions repository holding the five versions, and their commit ids."""
    work = tmp_path_factory.mktemp("versions-work")
    _git(work, "init", "-q")
    commits = []
    for number, text in enumerate((FIRST, SECOND, THIRD, FOURTH, FIFTH), start=1):
        policy = work / POLICY_PATH
        policy.parent.mkdir(parents=True, exist_ok=True)
        policy.write_text(text, encoding="utf-8")
        _git(work, "add", POLICY_PATH)
        _git(work, "commit", "-q", "-m", f"Record version {number}")
        commits.append(_git(work, "rev-parse", "HEAD"))
    bare = tmp_path_factory.mktemp("versions") / "repo.git"
    _git(work, "clone", "-q", "--bare", str(work), str(bare))
    return bare, commits


def _pair(old: str, new: str, kinds: list[str], note: str, **extra: object) -> dict[str, object]:
    entry: dict[str, object] = {"document": "example-policy", "old": old, "new": new}
    entry.update(kinds=kinds, labelled=LABELLED, note=note, **extra)
    return entry


def _write_labels(path: Path, commits: list[str], *, extra_pairs: list[dict[str, object]]) -> Path:
    first, second, third, fourth, fifth = commits
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
            _pair(
                first,
                second,
                ["effective_date_changed", "new_data_category"],
                "New date and voice recordings listed.",
            ),
            _pair(second, third, ["legal_basis_changed"], "Wording only, mislabelled on purpose."),
            _pair(third, fourth, [], "Tracking parameter only."),
            _pair(fourth, fifth, [], "Title-only capture.", partial_render=True),
            *extra_pairs,
        ],
    }
    path.write_text(yaml.safe_dump(labels, sort_keys=False), encoding="utf-8")
    return path


def _counts(board_per_kind: dict[FindingKind, KindScore]) -> dict[FindingKind, tuple[int, ...]]:
    return {
        kind: (s.true_positives, s.false_positives, s.false_negatives)
        for kind, s in board_per_kind.items()
    }


def test_offline_mode_scores_a_known_true_positive_false_positive_and_false_negative(
    versions: tuple[Path, list[str]], tmp_path: Path
) -> None:
    folder, commits = versions
    pairs = load_labels(_write_labels(tmp_path / "labels.yaml", commits, extra_pairs=[]))

    board = run_benchmark(pairs, [folder], mode=Mode.OFFLINE)

    counts = _counts(board.per_kind)
    assert counts[FindingKind.EFFECTIVE_DATE_CHANGED] == (1, 0, 0)
    assert counts[FindingKind.NEW_DATA_CATEGORY] == (1, 0, 0)
    assert counts[FindingKind.COSMETIC] == (0, 1, 0)
    assert counts[FindingKind.LEGAL_BASIS_CHANGED] == (0, 0, 1)
    assert counts[FindingKind.REGION_RESTRICTION] == (0, 0, 0)
    noise = board.outcomes[2]
    assert noise.verdict is Verdict.UNCHANGED  # the tracking parameter never reached the diff
    assert [outcome.is_right for outcome in board.scored] == [True, False, True]
    assert [o.pair.partial_render for o in board.partial] == [True]


def test_noisy_mode_ends_each_pair_as_a_check_would(
    versions: tuple[Path, list[str]], tmp_path: Path
) -> None:
    folder, commits = versions
    pairs = load_labels(_write_labels(tmp_path / "labels.yaml", commits, extra_pairs=[]))

    board = run_benchmark(pairs, [folder], mode=Mode.NOISY, seed=7)

    material, wording, noise, partial = board.outcomes
    assert material.verdict is Verdict.CHANGED
    assert material.reported == {
        FindingKind.EFFECTIVE_DATE_CHANGED,
        FindingKind.NEW_DATA_CATEGORY,
    }
    assert wording.verdict is Verdict.CHANGED
    assert wording.reported == {FindingKind.COSMETIC}
    # Fresh noise on all three loads and a tracking parameter in the text: nothing to report.
    assert noise.verdict is Verdict.UNCHANGED
    # A page that lost most of its text is a failed check, never a deleted policy.
    assert partial.verdict is Verdict.FAILED
    assert "shrank" in partial.replayed.detail
    assert board.per_kind[FindingKind.COSMETIC].false_positives == 1


def _read(html: str, url: str) -> Reading:
    result = FetchResult(target_id="t", url=url, final_url=url, status=200, html=html)
    reading = read_page(result, PageRules(select=('[role="main"]',)))
    assert isinstance(reading, Reading), reading
    return reading


def test_every_load_carries_fresh_noise_that_the_check_path_removes() -> None:
    style = PageStyle(POLICY_URL, "en")
    pages = [noisy_page(FIRST, style, random.Random(seed)) for seed in range(8)]

    assert len(set(pages)) == len(pages)
    # Meta's printable wrapper around outbound links, decorated with per-load parameters,
    # appears on some loads; the plain l.php redirect with its signature on others.
    assert any("/printable/https%3A%2F%2Flm.facebook.com%2Fl.php" in p for p in pages)
    assert any("__cft__[0]=AZ" in p for p in pages)
    assert any("l.facebook.com/l.php?u=https%3A%2F%2Fabout.example.org" in p for p in pages)
    # The signed CDN parameters of the video link are drawn again on every load.
    assert not any("_nc_ohc%3DAbCdEf123" in p for p in pages)
    readings = {_read(page, POLICY_URL).canonical for page in pages}
    assert len(readings) == 1
    assert "voice recordings" not in next(iter(readings))
    assert "We collect:" in next(iter(readings))


def test_english_variant_flips_only_where_the_real_site_flips() -> None:
    flipping = PageStyle(POLICY_URL, "en", flips_english=True)
    steady = PageStyle(POLICY_URL, "en")

    flipped = [noisy_page(FIRST, flipping, random.Random(seed)) for seed in range(12)]
    kept = [noisy_page(FIRST, steady, random.Random(seed)) for seed in range(12)]

    assert any("Privacy Centre" in p and "5 January 2025" in p for p in flipped)
    assert any("Privacy Center" in p and "January 5, 2025" in p for p in flipped)
    assert not any("Centre" in p or "5 January 2025" in p for p in kept)


def test_a_confirmation_load_that_disagrees_is_a_flap() -> None:
    style = PageStyle(POLICY_URL, "en")
    loads: list[str] = []

    def page_back_to_old_on_confirmation(text: str, s: PageStyle, rng: random.Random) -> str:
        loads.append(text)
        # Third load (the confirmation of the new version) shows the old text again.
        shown = FIRST if len(loads) == 3 else text
        page: str = noisy_page(shown, s, rng)
        return page

    replayed = replay_check(
        FIRST, SECOND, style, "eu", seed=3, pair_key="p", page=page_back_to_old_on_confirmation
    )

    assert loads == [FIRST, SECOND, SECOND]
    assert replayed.verdict is Verdict.FLAP
    assert "back to the stored version" in replayed.detail
    # The detail points at where the two loads of the new version disagree.
    assert "loads differ at line" in replayed.detail
    assert "'Effective 2025-03-03' vs 'Effective 2025-01-05'" in replayed.detail
    assert replayed.findings == ()


def _finding(kind: FindingKind) -> Finding:
    return Finding(kind, Severity.LOW, "before", "after", "Policy", "eu")


def _labelled(kinds: set[FindingKind], *, partial: bool = False, name: str = "a") -> LabelledPair:
    document = ArchivedDocument("doc", "example/versions", POLICY_PATH, POLICY_URL, "eu", "en")
    return LabelledPair(
        document, name * 40, "f" * 40, frozenset(kinds), "note", partial_render=partial
    )


def test_flaps_noise_and_partial_renders_are_counted_apart() -> None:
    date, use = FindingKind.EFFECTIVE_DATE_CHANGED, FindingKind.DATA_USE_EXPANDED
    outcomes = [
        PairOutcome(_labelled({date}, name="a"), Replayed(Verdict.FLAP, detail="flapped")),
        PairOutcome(_labelled({date}, name="b"), Replayed(Verdict.CHANGED, (_finding(date),))),
        PairOutcome(_labelled(set(), name="c"), Replayed(Verdict.CHANGED, (_finding(use),))),
        PairOutcome(_labelled(set(), name="d"), Replayed(Verdict.FLAP)),
        PairOutcome(
            _labelled(set(), partial=True, name="e"), Replayed(Verdict.CHANGED, (_finding(use),))
        ),
    ]

    board = score(outcomes, mode="noisy")
    report = format_report(board)

    assert _counts(board.per_kind)[date] == (1, 0, 1)
    assert _counts(board.per_kind)[use] == (0, 1, 0)  # the partial render is not scored
    assert [o.is_right for o in board.scored] == [False, True, False, False]
    assert "material pairs detected (a material kind reported): 1/2 (50.0%)" in report
    assert "flaps: 2 (scored 2, partial renders 0); material changes lost to a flap: 1" in report
    assert "noise-only pairs: 2 (changed 1, unchanged 0, flap 1, failed 0)" in report
    assert "with a material finding: 1, with any finding: 1" in report
    assert "partial renders: 1 (changed 1, unchanged 0, flap 0, failed 0)" in report
    assert "pairs exactly right: 1/4 (25.0%)" in report


def test_first_runs_are_stamped_after_the_labels_and_never_rewritten(
    versions: tuple[Path, list[str]], tmp_path: Path
) -> None:
    _, commits = versions
    labels = _write_labels(tmp_path / "labels.yaml", commits, extra_pairs=[])
    text_before = labels.read_text(encoding="utf-8")
    pairs = load_labels(labels)
    first_run = pairs[0].labelled.replace(day=2) if pairs[0].labelled else None
    assert first_run is not None

    assert stamp_first_runs(labels, pairs[:2], first_run) == 2
    assert stamp_first_runs(labels, load_labels(labels), first_run) == 2  # the other two
    assert stamp_first_runs(labels, load_labels(labels), first_run) == 0

    stamped = load_labels(labels)
    assert [p.first_run for p in stamped] == [first_run] * 4
    assert not any(p.run_before_label for p in stamped)
    lines = labels.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if "first_run" not in line] == text_before.splitlines()
    early = labels.read_text(encoding="utf-8").replace("2026-11-02", "2026-10-31", 1)
    labels.write_text(early, encoding="utf-8")
    board = score([PairOutcome(p, Replayed(Verdict.UNCHANGED)) for p in load_labels(labels)])
    assert "label order: 1 pairs first run before they were labelled" in format_report(board)


def test_labels_without_a_labelling_time_are_refused(
    versions: tuple[Path, list[str]], tmp_path: Path
) -> None:
    _, commits = versions
    labels = _write_labels(tmp_path / "labels.yaml", commits, extra_pairs=[])
    raw = yaml.safe_load(labels.read_text(encoding="utf-8"))
    del raw["pairs"][1]["labelled"]
    labels.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")

    with pytest.raises(ConfigError, match=r"pairs\.1\.labelled"):
        load_labels(labels)


def test_command_prints_the_tables_and_lists_mistakes_and_skipped_pairs(
    versions: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, commits = versions
    elsewhere = _pair(ABSENT_COMMIT, commits[1], ["cosmetic"], "Its old commit is elsewhere.")
    labels = _write_labels(tmp_path / "labels.yaml", commits, extra_pairs=[elsewhere])

    status = main([str(folder), "--labels", str(labels), "--mode", "offline"])

    report = capsys.readouterr().out
    assert status == 0
    assert "Real-text benchmark (offline): 5 labelled pairs, 4 run, 1 skipped" in report
    assert (
        "scored: 3 (material 2, cosmetic only 0, noise only 1); partial renders apart: 1" in report
    )
    rows = {line.split()[0]: line.split()[1:] for line in report.splitlines() if line[:1].isalpha()}
    assert rows["effective_date_changed"] == ["1", "0", "0", "100.0%", "100.0%"]
    assert rows["cosmetic"] == ["0", "1", "0", "0.0%", "—"]
    assert rows["legal_basis_changed"] == ["0", "0", "1", "—", "0.0%"]
    assert rows["example-policy"] == ["4", "2", "0", "1", "1", "2", "0"]
    assert "noise-only pairs: 1 (changed 0, unchanged 1, flap 0, failed 0)" in report
    assert "pairs exactly right: 2/3 (66.7%)" in report
    mistake = f"example-policy {commits[1][:8]}..{commits[2][:8]}  [changed]"
    assert f"{mistake}  expected: legal_basis_changed  got: cosmetic" in report
    assert "FN legal_basis_changed" in report
    assert f"example-policy {ABSENT_COMMIT[:8]}..{commits[1][:8]} (example/versions)" in report


def test_noisy_command_can_leave_kinds_of_noise_out(
    versions: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, commits = versions
    labels = _write_labels(tmp_path / "labels.yaml", commits, extra_pairs=[])

    status = main([str(folder), "--labels", str(labels), "--without-noise", "whitespace,nonces"])
    unknown = main([str(folder), "--labels", str(labels), "--without-noise", "sunspots"])
    no_such_document = main([str(folder), "--labels", str(labels), "--documents", "other"])

    captured = capsys.readouterr()
    assert status == 0
    assert "(noise left out: whitespace,nonces)" in captured.out
    assert "Real-text benchmark (noisy): 4 labelled pairs, 4 run, 0 skipped" in captured.out
    assert "partial renders: 1 (changed 0, unchanged 0, flap 0, failed 1)" in captured.out
    assert unknown == 1
    assert "unknown noise sunspots" in captured.err
    assert no_such_document == 1
    assert "no labelled pair of other (known: example-policy)" in captured.err


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
    cosmetic, use = _finding(FindingKind.COSMETIC), _finding(FindingKind.DATA_USE_EXPANDED)

    assert reported_kinds([cosmetic, use]) == {FindingKind.DATA_USE_EXPANDED}
    assert reported_kinds([cosmetic]) == {FindingKind.COSMETIC}
    assert reported_kinds([]) == frozenset()


def test_precision_and_recall_are_undefined_without_cases() -> None:
    assert KindScore().precision is None
    assert KindScore().recall is None
    assert KindScore(true_positives=1, false_positives=3).precision == 0.25
    assert KindScore(true_positives=3, false_negatives=1).recall == 0.75


def test_shipped_labels_cover_every_consecutive_pair_labelled_before_it_ran() -> None:
    pairs: list[LabelledPair] = load_labels(
        Path(__file__).resolve().parents[1] / "benchmarks" / "labels" / "meta_real.yaml"
    )

    assert len(pairs) >= 150
    labelled = set().union(*(pair.kinds for pair in pairs))
    assert labelled == set(TEXT_KINDS)
    assert any(not pair.kinds for pair in pairs)
    assert any(pair.partial_render for pair in pairs)
    assert len({(pair.document.name, pair.old, pair.new) for pair in pairs}) == len(pairs)
    assert all(pair.labelled is not None for pair in pairs)
    assert not any(pair.run_before_label for pair in pairs)
    # Consecutive: within a document, each pair starts where the one before it ended (the
    # pairs kept from histories that are not linear are listed after their document's chain).
    chains = sum(
        1
        for before, after in itertools.pairwise(pairs)
        if before.document == after.document and before.new == after.old
    )
    assert chains >= 600
