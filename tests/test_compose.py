"""docker-compose.yml and the Dockerfile: validated with Debian's `docker-compose config` (no
Docker engine needed), and the promises a self-hoster relies on."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _config() -> dict[str, object]:
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    result = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
        env={"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "example"},
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, object] = yaml.safe_load(result.stdout)
    return loaded


def test_compose_validates_with_every_service_healthchecked_and_named_volumes() -> None:
    config = _config()
    services = config["services"]
    assert isinstance(services, dict)
    assert {"postgres", "redis", "watcher"} <= set(services)
    workers = {name for name in services if name.startswith("worker-")}
    assert workers == {"worker-fr", "worker-de", "worker-uk", "worker-us", "worker-br"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    assert services["watcher"]["command"] == ["watcher", "run", "--distributed"]
    fr = services["worker-fr"]
    assert fr["command"] == ["watcher", "worker", "--regions", "fr"]
    assert "WATCHER_PROXY_FR" in fr["environment"]
    assert set(config["volumes"]) == {"watcher-data", "postgres-data", "redis-data"}  # type: ignore[arg-type]


def test_the_image_has_chromium_and_runs_as_a_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "chromium" in dockerfile
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] != "root"
    assert "HEALTHCHECK" in dockerfile
