"""Real-text quality benchmark: how checks of Meta's real, archived privacy pages end, against
labels we wrote by reading each pair of versions.

    python benchmarks/realtext.py VERSIONS_DIR [VERSIONS_DIR ...] [--labels FILE]
        [--mode noisy|offline] [--seed N] [--jobs N] [--documents NAME,...]
        [--without-noise NAME,...] [--stamp-first-runs]

Each VERSIONS_DIR is a git directory (bare or not) of an Open Terms Archive versions
repository. Every labelled pair names a document (repository, file path, page URL, region,
language) and two commits; the pair is run in the first folder that holds both commits, and
pairs found in none are listed as skipped.

`--mode noisy` (the default) serves each version as a page carrying fresh per-load noise and
takes it through the check path, as a check would see it: the stored version is a load of the
old text, then the new text is loaded, and loaded again to confirm a difference
(`read_page` → `decide` → `compare`), so a pair ends as changed, unchanged, flap or failed.
`--mode offline` is the classifier alone: Markdown → HTML → normalize, no noise, no health
rules, no confirmation. See `realtext_scoring.py` for how pairs are scored. A flap's line in
the report shows where the two loads of the new version first disagree; `--without-noise`
leaves kinds of noise out to confirm which one got through, `--documents` narrows the run.

`--stamp-first-runs` writes the run's time as `first_run` into the labels file for pairs that
had none, which shows, with `labelled`, that every label was written before the first run.
Exit status 1 means the benchmark could not run, never a low score.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realtext_labels import ArchivedDocument, LabelledPair, load_labels, stamp_first_runs
from realtext_page import PageStyle, noisy_page
from realtext_replay import Mode, Replayed, Verdict, replay_check, replay_offline
from realtext_scoring import (
    KindScore,
    PairOutcome,
    Scoreboard,
    format_report,
    reported_kinds,
    score,
)

from watcher.errors import ConfigError, WatcherError
from watcher.simsite.noise import NoiseOptions

DEFAULT_LABELS = Path(__file__).resolve().parent / "labels" / "meta_real.yaml"
DEFAULT_SEED = 20261130

__all__ = [
    "ArchiveError",
    "ArchivedDocument",
    "KindScore",
    "LabelledPair",
    "Mode",
    "PageStyle",
    "PairOutcome",
    "Replayed",
    "Scoreboard",
    "Verdict",
    "format_report",
    "load_labels",
    "main",
    "noisy_page",
    "replay_check",
    "reported_kinds",
    "run_benchmark",
    "score",
    "stamp_first_runs",
]


class ArchiveError(WatcherError):
    """A versions folder could not be read with git."""


def _git(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(folder), *arguments],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
    except OSError as error:  # no git on this machine, or the folder cannot be entered
        raise ArchiveError(f"{folder}: cannot run git: {error}") from error


def has_commit(folder: Path, commit: str) -> bool:
    return _git(folder, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


def read_version(folder: Path, commit: str, path: str) -> str:
    """The text of `path` as committed in `commit` (raises `ArchiveError`)."""
    shown = _git(folder, "show", f"{commit}:{path}")
    if shown.returncode != 0:
        detail = shown.stderr.strip() or f"git exited with {shown.returncode}"
        raise ArchiveError(f"{folder}: cannot read {path!r} at {commit[:12]}: {detail}")
    return shown.stdout


def page_style(document: ArchivedDocument) -> PageStyle:
    return PageStyle(document.url, document.language, document.flips_english)


def replay_pair(
    pair: LabelledPair,
    old_text: str,
    new_text: str,
    *,
    mode: Mode,
    seed: int,
    noise: NoiseOptions = NoiseOptions(),  # noqa: B008 - frozen value object
) -> Replayed:
    """One pair through the chosen path (a pure function of its arguments)."""
    style, region = page_style(pair.document), pair.document.region
    if mode is Mode.OFFLINE:
        return replay_offline(old_text, new_text, style, region)
    page = partial(noisy_page, options=noise)
    return replay_check(old_text, new_text, style, region, seed=seed, pair_key=pair.key, page=page)


def _replay_job(
    job: tuple[LabelledPair, str, str], *, mode: Mode, seed: int, noise: NoiseOptions
) -> Replayed:
    pair, old_text, new_text = job
    return replay_pair(pair, old_text, new_text, mode=mode, seed=seed, noise=noise)


def run_benchmark(
    pairs: Sequence[LabelledPair],
    folders: Sequence[Path],
    *,
    mode: Mode = Mode.NOISY,
    seed: int = DEFAULT_SEED,
    jobs: int = 1,
    noise: NoiseOptions = NoiseOptions(),  # noqa: B008 - frozen value object
) -> Scoreboard:
    """Replays every labelled pair found in `folders` and scores how each check ended."""
    texts: dict[tuple[Path, str, str], str] = {}
    commits: dict[tuple[Path, str], bool] = {}

    def present(folder: Path, commit: str) -> bool:
        if (folder, commit) not in commits:
            commits[folder, commit] = has_commit(folder, commit)
        return commits[folder, commit]

    def text(folder: Path, commit: str, path: str) -> str:
        if (folder, commit, path) not in texts:
            texts[folder, commit, path] = read_version(folder, commit, path)
        return texts[folder, commit, path]

    runnable: list[tuple[LabelledPair, str, str]] = []
    skipped: list[LabelledPair] = []
    for pair in pairs:
        folder = next((f for f in folders if present(f, pair.old) and present(f, pair.new)), None)
        if folder is None:
            skipped.append(pair)
            continue
        path = pair.document.path
        runnable.append((pair, text(folder, pair.old, path), text(folder, pair.new, path)))
    replay = partial(_replay_job, mode=mode, seed=seed, noise=noise)
    if jobs > 1 and len(runnable) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            replayed = list(pool.map(replay, runnable, chunksize=4))
    else:
        replayed = [replay(job) for job in runnable]
    outcomes = [PairOutcome(job[0], result) for job, result in zip(runnable, replayed, strict=True)]
    return score(outcomes, skipped, mode.value)


def only_documents(pairs: Sequence[LabelledPair], names: str) -> list[LabelledPair]:
    """The pairs of the comma-separated documents `names`, all when empty (raises
    `ConfigError` for a name no pair has)."""
    wanted = {name.strip() for name in names.split(",") if name.strip()}
    known = {pair.document.name for pair in pairs}
    if wanted - known:
        missing = ", ".join(sorted(wanted - known))
        message = f"no labelled pair of {missing} (known: {', '.join(sorted(known))})"
        raise ConfigError("--documents", None, "", message)
    return [pair for pair in pairs if not wanted or pair.document.name in wanted]


def noise_without(names: str) -> NoiseOptions:
    """All kinds of per-load noise but the comma-separated `names` (raises `ConfigError`)."""
    off = {name.strip() for name in names.split(",") if name.strip()}
    unknown = off - set(NoiseOptions.names())
    if unknown:
        known = ", ".join(NoiseOptions.names())
        message = f"unknown noise {', '.join(sorted(unknown))} (known: {known})"
        raise ConfigError("--without-noise", None, "", message)
    return NoiseOptions(**{name: name not in off for name in NoiseOptions.names()})


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="How checks of labelled archived versions of Meta's pages end."
    )
    parser.add_argument(
        "versions_dirs",
        metavar="VERSIONS_DIR",
        nargs="+",
        type=Path,
        help="git directory of an Open Terms Archive versions repository (bare or not)",
    )
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="labels file (YAML)")
    parser.add_argument(
        "--mode",
        choices=[mode.value for mode in Mode],
        default=Mode.NOISY.value,
        help="noisy: pages with fresh per-load noise through the check path (default); "
        "offline: the classifier alone on the plain texts",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the per-load noise")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--documents",
        metavar="NAME[,NAME...]",
        default="",
        help="only the pairs of these documents (names from the labels file)",
    )
    parser.add_argument(
        "--without-noise",
        metavar="NAME[,NAME...]",
        default="",
        help="noisy mode without these kinds of noise, to see which one a check fails on "
        f"({', '.join(NoiseOptions.names())})",
    )
    parser.add_argument(
        "--stamp-first-runs",
        action="store_true",
        help="write this run's time as first_run into the labels file for pairs that have none",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _arguments(argv)
    started = datetime.now(UTC).replace(microsecond=0)
    try:
        noise = noise_without(arguments.without_noise)
        for folder in arguments.versions_dirs:
            if _git(folder, "rev-parse", "--git-dir").returncode != 0:
                raise ArchiveError(f"{folder}: not a git directory")
        pairs = only_documents(load_labels(arguments.labels), arguments.documents)
        board = run_benchmark(
            pairs,
            arguments.versions_dirs,
            mode=Mode(arguments.mode),
            seed=arguments.seed,
            jobs=max(1, arguments.jobs),
            noise=noise,
        )
        if not board.outcomes:
            folders = ", ".join(str(f) for f in arguments.versions_dirs)
            raise ArchiveError(f"none of the labelled commits is in {folders}")
    except WatcherError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if arguments.without_noise and board.mode == Mode.NOISY.value:
        print(f"(noise left out: {arguments.without_noise})")
    sys.stdout.write(format_report(board))
    if arguments.stamp_first_runs:
        ran = [outcome.pair for outcome in board.outcomes]
        stamped = stamp_first_runs(arguments.labels, ran, started)
        print(f"first_run written for {stamped} pairs ({started.isoformat()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
