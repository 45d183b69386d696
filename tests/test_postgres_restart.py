"""PostgreSQL restarted in the middle of a pass.

The machine's PostgreSQL is shared with other test runs, so this test starts a private cluster
of its own with Debian's `initdb` and `pg_ctl` on a free port in a temporary folder, and restarts
that one while half of the pass's checks are still fetching. Afterwards the database is
consistent (one version per target, no duplicate), nothing the pass stored before the restart is
lost, and the next pass works.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Database, StorageError
from watcher.config import parse_config
from watcher.fetch.base import FetchOutcome, FetchRequest
from watcher.fetch.static import StaticFetcher
from watcher.pipeline import Analysis, Checker, CheckOutcome

pytestmark = pytest.mark.postgres

PAGE = (
    "<html><body><main><h1>Generative AI</h1><p>"
    + "Meta explains here how it uses information for its AI features. " * 6
    + "</p></main></body></html>"
)
SOURCES = ("genai", "policy", "center", "ads", "objection", "support")


class PrivateCluster:
    """A PostgreSQL cluster of this test's own, run as the `postgres` system user."""

    def __init__(self, folder: Path, bin_dir: Path, port: int) -> None:
        self.folder, self.bin_dir, self.port = folder, bin_dir, port
        self.data = folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust")

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}"
        log = str(self.folder / "server.log")
        self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", action, *extra
        )


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)")
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user to run the cluster as")
    folder = Path(tempfile.mkdtemp(prefix="watcher-pg-"))
    if os.geteuid() == 0:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    private = PrivateCluster(folder, Path(found[-1]).parent, port)
    try:
        private.init()
        private.pg_ctl("start")
    except subprocess.CalledProcessError as error:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"could not start a private PostgreSQL: {error.stderr.decode()[:200]}")
    try:
        yield private
    finally:
        try:
            private.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


class GatedFetcher(StaticFetcher):
    """Serves the page at once for the first `free` requests; the others wait for `gate`."""

    def __init__(self, free: int) -> None:
        super().__init__({})
        self.free = free
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()
        self.served = 0
        self.held = 0

    async def fetch(self, request: FetchRequest) -> FetchOutcome:
        self.served += 1
        if self.served > self.free:
            self.held += 1
            self.waiting.set()
            await self.gate.wait()
        self.pages[request.target_id] = PAGE
        return await super().fetch(request)


def test_postgresql_restarted_mid_pass_loses_nothing_and_the_next_pass_works(
    cluster: PrivateCluster,
) -> None:
    regions = "regions:\n  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: 'fr-FR'}\n"
    sources = "".join(
        f"  - id: {s}\n    title: {s}\n    url: 'https://www.facebook.com/{s}/'\n"
        "    regions: [fr]\n"
        for s in SOURCES
    )
    targets = parse_config(f"{regions}defaults: {{confirm: false}}\nsources:\n{sources}").targets()
    database = Database(cluster.url)
    database.upgrade()

    async def scenario() -> tuple[set[str], str | None]:
        fetcher = GatedFetcher(free=len(targets) // 2)
        with Checker(fetcher, database, analysis=Analysis.in_threads()) as checker:
            checker.register(targets)
            stored_before: set[str] = set()
            passing = asyncio.create_task(checker.check_many(targets))
            await fetcher.waiting.wait()
            # Let the free half be stored, then restart the server under the held half.
            while len(stored_before) < fetcher.free:
                await asyncio.wait({passing}, timeout=0.05)
                stored_before = await asyncio.to_thread(_stored_targets, database)
            await asyncio.to_thread(cluster.pg_ctl, "restart", "-m", "fast")
            fetcher.gate.set()
            error: str | None = None
            try:
                await passing
            except StorageError as raised:
                error = str(raised)
            return stored_before, error

    try:
        stored_before, error = asyncio.run(scenario())
        assert error is None or "\n" not in error

        # The next pass works and every target ends with exactly one version.
        async def next_pass() -> list[CheckOutcome]:
            with Checker(GatedFetcher(free=len(targets)), database) as checker:
                return [r.outcome for r in await checker.check_many(targets)]

        outcomes = asyncio.run(next_pass())
        assert set(outcomes) <= {CheckOutcome.FIRST, CheckOutcome.UNCHANGED}, outcomes
        with database.reader() as repo:
            assert repo.count_snapshots() == len(targets)
            assert repo.list_changes() == []
        assert stored_before <= _stored_targets(database)
    finally:
        database.dispose()


def _stored_targets(database: Database) -> set[str]:
    with database.reader() as repo:
        return {t.id for t in repo.list_targets() if repo.latest_snapshot(t.id) is not None}
