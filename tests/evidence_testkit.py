"""A watched history with evidence, built once per module: real Chromium, the simulated site,
`watcher check` three times (first version, unchanged re-check, change) into a data folder."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage import BlobStore, Database
from watcher.cli.main import main
from watcher.demo import demo_config_yaml
from watcher.simsite import SimulatedMetaSite
from watcher.simsite.egress_auth import EgressCredentials

TARGET = "genai@fr"
PROXY_PASSWORD = "evidence-proxy-secret"


@dataclass(frozen=True)
class History:
    root: Path  # holds data/ (database and evidence) and sources.yaml
    outcomes: tuple[str, ...]
    change_id: int
    files_after_first: dict[str, tuple[int, int]]
    files_after_unchanged: dict[str, tuple[int, int]]
    records_after_first: int
    records_after_unchanged: int
    site_base_url: str

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.data / 'watcher.db'}"

    @property
    def blobs(self) -> BlobStore:
        return BlobStore(self.data / "evidence")

    def copy(self, to: Path) -> History:
        """The same history in another folder, to tamper with."""
        shutil.copytree(self.root, to)
        return History(**{**self.__dict__, "root": to})

    def database(self) -> Database:
        return Database(self.db_url)


def files_of(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder`: its size and modification time in nanoseconds."""
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def run_cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(list(args))
    return status, out.getvalue()


def evidence_records(database: Database) -> int:
    with database.reader() as repo:
        return len(repo.evidence_records(limit=1000))


def build_history(root: Path) -> History:
    credentials = EgressCredentials("evidence-user", PROXY_PASSWORD)
    with (
        pytest.MonkeyPatch.context() as env,
        SimulatedMetaSite(render_delay_ms=60, egress_credentials=credentials) as site,
    ):
        env.setenv("WATCHER_DATA", str(root / "data"))
        proxies = {r: site.egress_proxy(r, with_credentials=True) for r in site.regions}
        config = root / "sources.yaml"
        config.write_text(demo_config_yaml(site.base_url, proxies, pages=("genai",)))
        db_url = f"sqlite:///{root / 'data' / 'watcher.db'}"
        check = ("check", "--config", str(config), "--db", db_url, "--json", "--only", TARGET)
        site.set_version(None, 0)
        outcomes: list[str] = []
        change_id = 0
        snapshots: list[dict[str, tuple[int, int]]] = []
        records: list[int] = []
        for version in (0, 0, 1):
            site.set_version("genai", version)
            status, out = run_cli(*check)
            assert status == 0, out
            (report,) = [json.loads(line) for line in out.splitlines() if f'"{TARGET}"' in line]
            outcomes.append(report["outcome"])
            change_id = report["change_id"] or change_id
            snapshots.append(files_of(root / "data" / "evidence"))
            database = Database(db_url)
            records.append(evidence_records(database))
            database.dispose()
        return History(
            root=root,
            outcomes=tuple(outcomes),
            change_id=change_id,
            files_after_first=snapshots[0],
            files_after_unchanged=snapshots[1],
            records_after_first=records[0],
            records_after_unchanged=records[1],
            site_base_url=site.base_url,
        )
