"""The real `watcher` process at start-up: files that are not configuration files and output
into a closed pipe. One clear line and an exit status, never a traceback or a hang.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHIPPED = PROJECT_ROOT / "sources.yaml"
# Far more than it takes: a run that hangs (a FIFO opened for reading) fails instead.
PROCESS_TIMEOUT_S = 60
EXIT_OUTPUT_CLOSED = 141

MINIMAL = """\
regions:
  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: "fr-FR,fr;q=0.9"}
sources:
  - id: fb-genai
    title: Generative AI page
    url: "https://www.facebook.com/privacy/genai/"
    regions: [fr]
"""


def watcher(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "watcher.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_S,
        cwd=cwd,
        check=False,
    )


def assert_one_line_config_error(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    # Log lines (at -vv) aside, one line says what is wrong.
    lines = [line for line in result.stderr.splitlines() if " DEBUG " not in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("watcher: invalid configuration: "), lines[0]
    for part in parts:
        assert part in lines[0], lines[0]


# --- files that are not configuration files -------------------------------------------------------


def make_fifo(folder: Path) -> Path:
    path = folder / "config.fifo"
    os.mkfifo(path)
    return path


def make_directory(folder: Path) -> Path:
    path = folder / "a-folder.yaml"
    path.mkdir()
    return path


def make_oversized(folder: Path) -> Path:
    # Valid YAML all along (a comment), so only its size can be the reason.
    path = folder / "huge.yaml"
    path.write_text(MINIMAL + "#" + "x" * (1024 * 1024) + "\n")
    return path


def device_zero(folder: Path) -> Path:
    return Path("/dev/zero")


NOT_CONFIG_FILES: list[tuple[Callable[[Path], Path], str]] = [
    (device_zero, "is a character device, not a regular file"),
    (make_fifo, "is a named pipe (FIFO), not a regular file"),
    (make_directory, "is a directory"),
    (make_oversized, "is larger than 1 MiB"),
]
IDS = ["dev-zero", "fifo", "directory", "over-1-MiB"]


@pytest.mark.parametrize(("make", "reason"), NOT_CONFIG_FILES, ids=IDS)
def test_sources_yaml_that_is_not_a_config_file(
    tmp_path: Path, make: Callable[[Path], Path], reason: str
) -> None:
    path = make(tmp_path)
    result = watcher("validate", "--config", str(path))
    assert_one_line_config_error(result, f"invalid configuration: {path}: ", reason)


@pytest.mark.parametrize(("make", "reason"), NOT_CONFIG_FILES, ids=IDS)
def test_apprise_config_that_is_not_a_config_file(
    tmp_path: Path, make: Callable[[Path], Path], reason: str
) -> None:
    apprise_file = make(tmp_path)
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        MINIMAL + f"subscriptions:\n  - id: ngo\n    apprise_config: '{apprise_file}'\n"
    )
    result = watcher("validate", "--config", str(sources))
    where = f"{sources}:{len(MINIMAL.splitlines()) + 3}: subscriptions[0].apprise_config: "
    assert_one_line_config_error(result, where, f"Apprise config file {apprise_file}: {reason}")


def test_apprise_config_that_is_a_system_file_is_named_never_quoted(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(MINIMAL + "subscriptions:\n  - id: ngo\n    apprise_config: /etc/passwd\n")
    result = watcher("-vv", "validate", "--config", str(sources))
    assert_one_line_config_error(
        result,
        "subscriptions[0].apprise_config: Apprise config file /etc/passwd: "
        "is not an Apprise configuration",
    )
    assert "root:" not in result.stderr and "/bin/" not in result.stderr


# --- a reader that goes away ----------------------------------------------------------------------


def many_targets_config(folder: Path, sources: int = 400) -> Path:
    """A configuration whose `watcher validate` listing (1,200 targets, about 100 KiB) is larger
    than a pipe's buffer (64 KiB), so the writer is still writing when the reader leaves."""
    lines = [
        "regions:",
        *(
            f'  {r}: {{locale: {loc}, timezone: Europe/Paris, accept_language: "{loc}"}}'
            for r, loc in (("fr", "fr-FR"), ("de", "de-DE"), ("it", "it-IT"))
        ),
        "sources:",
    ]
    for n in range(sources):
        lines += [
            f"  - id: page-{n}",
            f"    title: Page {n}",
            f'    url: "https://www.facebook.com/help/{n}/?locale={{locale_underscore}}"',
            "    regions: [fr, de, it]",
        ]
    path = folder / "sources.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_validate_into_head_exits_quietly(tmp_path: Path) -> None:
    config = many_targets_config(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "watcher.cli.main", "validate", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = [process.stdout.readline() for _ in range(3)]  # what `head -3` does
    process.stdout.close()
    stderr = process.stderr.read().decode()
    status = process.wait(PROCESS_TIMEOUT_S)

    assert first[0].decode().startswith(f"{config}: valid — 400 sources, 3 regions")
    assert stderr == ""
    assert status == EXIT_OUTPUT_CLOSED


def test_output_into_an_already_closed_pipe_exits_quietly() -> None:
    """The reader is gone before the first byte, as with `watcher --help | true`."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "watcher.cli.main", "validate", "--config", str(SHIPPED)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=PROCESS_TIMEOUT_S,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == EXIT_OUTPUT_CLOSED
