"""The worker's guard over its regions, region proxies from the environment, and the worker
command's start-up errors (one line, no traceback)."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from storage import Database
from watcher.config import parse_config
from watcher.config.environment import with_proxy_environment
from watcher.distributed.guard import RegionGuard
from watcher.distributed.probe import Served, VariantProbe
from watcher.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


class Probes:
    """Answers each region's probe from a mapping the test changes."""

    def __init__(self) -> None:
        self.served = {"fr": Served.RIGHT, "de": Served.RIGHT}

    def __call__(self, region: str) -> VariantProbe:
        verdict = self.served[region]
        detail = "served the us text, expected eu" if verdict is Served.WRONG else "fine"
        return VariantProbe(region, verdict, detail)


def test_a_region_served_the_wrong_text_is_refused_then_taken_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'w.db'}")
    database.upgrade()
    probes = Probes()
    changes: list[tuple[str, bool]] = []
    guard = RegionGuard("host:1:ab", ["fr", "de"], probes, database, probe_every=_minutes(30))
    guard.on_change = lambda region, take: changes.append((region, take))
    caplog.set_level(logging.INFO, logger="watcher.worker")

    probes.served["fr"] = Served.WRONG
    guard.probe_all()
    assert guard.accepted() == ["de"] and guard.refuses("fr")
    assert changes == [("fr", False)]
    assert "region fr refused: served the us text, expected eu" in caplog.text
    with database.reader() as repo:
        (status,) = repo.worker_statuses()
    assert status.refused == {"fr": "served the us text, expected eu"}

    probes.served["fr"] = Served.UNKNOWN  # inconclusive: the last verdict stands
    guard.probe_all()
    assert guard.refuses("fr") and changes == [("fr", False)]

    probes.served["fr"] = Served.RIGHT
    guard.probe_all()
    assert guard.accepted() == ["fr", "de"]
    assert changes == [("fr", False), ("fr", True)]
    guard.stop()
    with database.reader() as repo:
        (status,) = repo.worker_statuses()
    assert status.stopped and status.refused == {}
    database.dispose()


def _minutes(count: int) -> timedelta:
    return timedelta(minutes=count)


CONFIG = """\
regions:
  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: "fr-FR,fr;q=0.9", legal_variant: eu}
sources:
  - {id: fb-genai, title: AI, url: "https://www.facebook.com/privacy/genai/", regions: [fr]}
"""


def test_a_regions_proxy_comes_from_the_environment_without_showing_its_password() -> None:
    config = parse_config(CONFIG)
    assert with_proxy_environment(config, {"WATCHER_PROXY_FR": ""}) is config
    moved = with_proxy_environment(
        config, {"WATCHER_PROXY_FR": "socks5://fr-user:s3cret@fr.example.net:1080"}
    )
    (target,) = moved.targets()
    assert target.region.proxy is not None
    assert target.region.proxy.host == "fr.example.net"
    assert "s3cret" not in str(target.region.proxy)
    with pytest.raises(ConfigError) as caught:
        with_proxy_environment(config, {"WATCHER_PROXY_FR": "ftp://u:s3cret@host"})
    assert str(caught.value).startswith("WATCHER_PROXY_FR: ")
    assert "s3cret" not in str(caught.value)


def test_worker_with_an_unknown_region_says_so_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(CONFIG)
    command = [sys.executable, "-m", "watcher.cli.main", "worker", "--config", str(config)]
    result = subprocess.run(
        [*command, "--db", f"sqlite:///{tmp_path / 'w.db'}", "--regions", "fr,xx"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "watcher: invalid configuration: --regions: unknown region 'xx' (known: fr)"
    ]
