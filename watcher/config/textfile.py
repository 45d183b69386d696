"""Reading a small configuration file safely: a regular file, of bounded size, in UTF-8.

`Path.read_text()` on `/dev/zero` reads until memory runs out, and on a FIFO blocks until some
other process writes to it. A configuration file is never either, so the file type is checked
before reading, the file is opened non-blocking (opening a FIFO then returns at once), checked
again on the open descriptor (the path may have been swapped in between), and read only up to a
limit.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

KIB = 1024
MIB = 1024 * KIB

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFileError(Exception):
    """Why a file cannot be used, in words safe to show: never a quote of its content.

    `line` is set when the problem sits at a known line (bytes that are not UTF-8).
    """

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def format_size(size: int) -> str:
    """1048576 → `1 MiB`, 262144 → `256 KiB`, 1000 → `1000 bytes`."""
    if size % MIB == 0:
        return f"{size // MIB} MiB"
    if size % KIB == 0:
        return f"{size // KIB} KiB"
    return f"{size} bytes"


def _not_regular(mode: int, expected: str) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"is a directory, expected {expected}"
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return f"is {kind}, not a regular file; expected {expected}"


def _too_large(limit: int, expected: str) -> str:
    return f"is larger than {format_size(limit)}, the limit for {expected}"


def read_text_file(path: str | Path, *, limit: int, expected: str) -> str:
    """The text of the regular file at `path`, at most `limit` bytes, decoded as UTF-8.

    A byte-order mark (left by some Windows editors) is dropped. `expected` says what the
    file should have been, for messages: "a YAML file", "an Apprise config file".
    Raises UnreadableFileError.
    """
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFileError("file not found") from None
    except PermissionError:
        raise UnreadableFileError("permission denied: cannot read the file") from None
    except OSError as error:
        raise UnreadableFileError(f"cannot read the file: {error.strerror}") from None
    problem = _not_regular(before.st_mode, expected)
    if problem is not None:
        raise UnreadableFileError(problem)
    if before.st_size > limit:
        raise UnreadableFileError(_too_large(limit, expected))
    raw = _read_regular(path, limit, expected)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start]
        raise UnreadableFileError(
            f"the file is not UTF-8 text (byte 0x{byte:02x} cannot be decoded)", line=line
        ) from None


def _read_regular(path: str | Path, limit: int, expected: str) -> bytes:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except PermissionError:
        raise UnreadableFileError("permission denied: cannot read the file") from None
    except OSError as error:
        if error.errno == errno.ENOENT:
            raise UnreadableFileError("file not found") from None
        raise UnreadableFileError(f"cannot read the file: {error.strerror}") from None
    with os.fdopen(descriptor, "rb", buffering=0) as file:
        problem = _not_regular(os.fstat(descriptor).st_mode, expected)
        if problem is not None:
            raise UnreadableFileError(problem)
        # One byte past the limit tells a file that grew since `stat` from one that fits.
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            try:
                chunk = file.read(remaining)
            except OSError as error:
                raise UnreadableFileError(f"cannot read the file: {error.strerror}") from None
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    raw = b"".join(chunks)
    if len(raw) > limit:
        raise UnreadableFileError(_too_large(limit, expected))
    return raw
