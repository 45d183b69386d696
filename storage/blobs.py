"""`BlobStore`: evidence files (screenshots, rendered HTML, texts, fetch records) on disk,
content-addressed by the SHA-256 of their bytes.

    blobs = BlobStore(Path("data/evidence"))
    digest = blobs.put(png_bytes)                  # written once, however often it is put
    digest = blobs.put(html_bytes, compress=True)  # text: kept gzip-compressed, hashed as given
    blobs.get(digest)                              # the bytes as put, or BlobMissingError

A file is `ROOT/ab/abcdef…` (`.gz` appended when compressed). It is written to a temporary file
in the same folder and renamed into place, so a reader never sees half a file and a crash leaves
at most a temporary file behind. Putting bytes that are already stored writes nothing: a page
that did not change costs no new file.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import os
import tempfile
import zlib
from pathlib import Path

from storage.errors import BlobError

# A full-page screenshot capped at 20,000 px is a few MiB; nothing we keep comes near this.
MAX_BLOB_BYTES = 64 * 1024 * 1024
_READ_CHUNK = 1024 * 1024
_GZIP_SUFFIX = ".gz"
# Fixed mtime: identical texts compress to identical files.
_GZIP_MTIME = 0


class BlobMissingError(BlobError):
    """No file is stored under that digest."""


class BlobCorruptError(BlobError):
    """The stored file cannot be read back as what was put (a broken gzip stream, too large)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"BlobStore({str(self.root)!r})"

    def put(self, data: bytes, *, compress: bool = False) -> str:
        """Store `data` (unless a file with its digest exists) and return its SHA-256."""
        if len(data) > MAX_BLOB_BYTES:
            raise BlobError(f"{len(data):,} bytes is over the {MAX_BLOB_BYTES:,} bytes limit")
        digest = sha256_hex(data)
        if self.find(digest) is not None:
            return digest
        path = self._path(digest, compressed=compress)
        payload = gzip.compress(data, mtime=_GZIP_MTIME) if compress else data
        try:
            self._write_atomically(path, payload)
        except OSError as error:
            # A full disk or a folder that cannot be written: the service's storage failing,
            # reported like the database's own (one line, the pass stops), never per target.
            full = error.errno == errno.ENOSPC
            reason = "the disk is full" if full else (error.strerror or str(error))
            raise BlobError(f"cannot write {path.parent}: {reason}") from error
        return digest

    @staticmethod
    def _write_atomically(path: Path, payload: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, digest: str) -> bytes:
        """The bytes stored under `digest`, as they were put (not checked against it)."""
        path = self.find(digest)
        if path is None:
            raise BlobMissingError(f"no evidence file {digest[:12]}… in {self.root}")
        try:
            if path.name.endswith(_GZIP_SUFFIX):
                return _bounded_gunzip(path)
            if path.stat().st_size > MAX_BLOB_BYTES:
                raise BlobCorruptError(f"evidence file {path.name[:12]}… is over the size limit")
            return path.read_bytes()
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as error:
            detail = f"evidence file {path.name[:12]}… unreadable: {error}"
            raise BlobCorruptError(detail) from error

    def find(self, digest: str) -> Path | None:
        """Where the file of `digest` is, or None."""
        for compressed in (False, True):
            path = self._path(digest, compressed=compressed)
            if path.is_file():
                return path
        return None

    def total_bytes(self) -> int:
        """Bytes on disk of every stored file (what the data folder spends on evidence)."""
        if not self.root.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())

    def _path(self, digest: str, *, compressed: bool) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise BlobError(f"not a SHA-256 hex digest: {digest[:80]!r}")
        name = digest + (_GZIP_SUFFIX if compressed else "")
        return self.root / digest[:2] / name


def _bounded_gunzip(path: Path) -> bytes:
    """Inflate a gzip file, refusing more than `MAX_BLOB_BYTES` of output (a gzip bomb)."""
    chunks: list[bytes] = []
    size = 0
    with gzip.open(path, "rb") as stream:
        while chunk := stream.read(_READ_CHUNK):
            size += len(chunk)
            if size > MAX_BLOB_BYTES:
                raise BlobCorruptError(f"evidence file {path.name[:12]}… inflates past the limit")
            chunks.append(chunk)
    return b"".join(chunks)
