"""How `peers.py` installs and drives each tool: one pass = one run of the tool's own command.

Each peer lives in its own virtual environment under a cache folder (never in the repository),
installed from the package index at a pinned version with the Playwright this project uses, and
renders pages with Debian's Chromium:

- urlwatch: `navigate:` jobs launch Playwright's own Chromium and take no executable path, so
  Playwright's browser folder is pointed at a folder whose headless shell is Debian's Chromium.
- webchanges: `use_browser: true` with `WEBCHANGES_BROWSER_PATH`; its check for a new release on
  the package index is turned off in its config.
- changedetection.io: batch mode (`-r all -b`: check every watch, then exit) with the
  `html_webdriver` fetcher connected over CDP to one Chromium the benchmark keeps running, as its
  documentation's browser container does; loopback addresses allowed
  (`ALLOW_IANA_RESTRICTED_ADDRESSES`).

Every peer runs with HTTP(S) proxies pointing at a closed loopback port and loopback exempt, so
whatever it might try to reach beyond this machine fails at once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import venv
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
MAIN_HEADING = '[role="main"] h1'
INSTALL_TIMEOUT_S = 900
PASS_TIMEOUT_S = 900
# Outbound traffic of the peers goes nowhere: a proxy on a port nothing listens on.
NO_EGRESS = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}


class PeerUnavailableError(Exception):
    """Why a peer cannot run here (one line)."""


@dataclass(frozen=True)
class PassRun:
    seconds: float
    alerts: int
    failed: int = 0


def cache_root(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "watcher-peers"


def ensure_venv(root: Path, name: str, requirements: Sequence[str]) -> Path:
    """A virtual environment with `requirements` installed; reused when already complete."""
    folder = root / f"venv-{name}"
    marker = folder / "installed.json"
    wanted = sorted(requirements)
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    venv.create(folder, with_pip=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", *wanted]
    done = subprocess.run(
        pip, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        errors = [ln for ln in done.stderr.splitlines() if ln.startswith("ERROR")]
        raise PeerUnavailableError(f"pip could not install {name}: {(errors or ['?'])[-1]}")
    marker.write_text(json.dumps(wanted))
    return folder


def playwright_requirement() -> str:
    return f"playwright=={version('playwright')}"


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _run(
    command: list[str], env: dict[str, str], cwd: Path, log: Path, *, no_egress: bool = True
) -> float:
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(
            command,
            cwd=cwd,
            env={**os.environ, **(NO_EGRESS if no_egress else {}), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=PASS_TIMEOUT_S,
            check=False,
        )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()][-1:]
        raise PeerUnavailableError(f"{command[0]} exited {done.returncode}: {tail}")
    return seconds


def _reported(log: Path, word: str) -> int:
    """Jobs reported with `word` (CHANGED, NEW) by urlwatch's and webchanges' text report."""
    pattern = re.compile(rf"^{word}: ", re.MULTILINE)
    return len(pattern.findall(log.read_text(errors="replace")))


class Urlwatch:
    name = "urlwatch 2.29"
    requirements = ("urlwatch==2.29",)

    def __init__(self, root: Path, urls: Sequence[str]) -> None:
        self.folder = ensure_venv(root, "urlwatch", [*self.requirements, playwright_requirement()])
        self.work = root / "run-urlwatch"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.data = self.work / "data"
        self.data.mkdir()
        # Playwright looks for its own headless shell here: give it Debian's Chromium.
        browsers = self.work / "browsers"
        shell = _headless_shell_path(self.folder, browsers)
        shell.parent.mkdir(parents=True)
        shell.symlink_to(CHROMIUM)
        self.env = {"PLAYWRIGHT_BROWSERS_PATH": str(browsers)}
        jobs = [
            f"name: page-{n}\nnavigate: \"{url}\"\nwait_for: '{MAIN_HEADING}'\n"
            for n, url in enumerate(urls)
        ]
        (self.work / "urls.yaml").write_text("---\n".join(jobs))
        (self.work / "hooks.py").write_text("")
        # A first run writes its default config and stops.
        self._command(self.work / "first.log", allow_config_write=True)

    def _command(self, log: Path, *, allow_config_write: bool = False) -> float:
        command = [str(self.folder / "bin" / "urlwatch"), "--urls", "urls.yaml"]
        command += ["--config", "urlwatch.yaml", "--cache", "data/cache.db", "--hooks", "hooks.py"]
        if allow_config_write and not (self.work / "urlwatch.yaml").exists():
            try:
                return _run(command, self.env, self.work, log)
            except PeerUnavailableError:
                if not (self.work / "urlwatch.yaml").exists():
                    raise
                return 0.0
        return _run(command, self.env, self.work, log)

    def run_pass(self, number: int) -> PassRun:
        log = self.work / f"pass-{number}.log"
        seconds = self._command(log)
        return PassRun(seconds, _reported(log, "CHANGED"), _reported(log, "ERROR[A-Z,]*"))


def _headless_shell_path(folder: Path, browsers: Path) -> Path:
    """Where this Playwright expects its headless shell (from its own browsers.json)."""
    listing = next((folder / "lib").glob("python*/site-packages/playwright/driver/package"))
    browsers_json = json.loads((listing / "browsers.json").read_text())
    revision = next(
        b["revision"] for b in browsers_json["browsers"] if b["name"] == "chromium-headless-shell"
    )
    return (
        browsers
        / f"chromium_headless_shell-{revision}"
        / "chrome-headless-shell-linux64"
        / "chrome-headless-shell"
    )


class Webchanges:
    name = "webchanges 3.37"
    requirements = ("webchanges[use_browser]==3.37.0", "psutil")

    def __init__(self, root: Path, urls: Sequence[str]) -> None:
        self.folder = ensure_venv(
            root, "webchanges", [*self.requirements, playwright_requirement()]
        )
        self.work = root / "run-webchanges"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.data = self.work / "data"
        self.data.mkdir()
        self.env = {"WEBCHANGES_BROWSER_PATH": CHROMIUM}
        jobs = [
            f'name: page-{n}\nurl: "{url}"\nuse_browser: true\n'
            f"wait_for_selector: '{MAIN_HEADING}'\n"
            for n, url in enumerate(urls)
        ]
        (self.work / "jobs.yaml").write_text("---\n".join(jobs))
        (self.work / "config.yaml").write_text("version_check:\n  enabled: false\n")
        (self.work / "hooks.py").write_text("")

    def run_pass(self, number: int) -> PassRun:
        log = self.work / f"pass-{number}.log"
        command = [str(self.folder / "bin" / "webchanges"), "--jobs", "jobs.yaml"]
        command += ["--config", "config.yaml", "--cache", "data/cache.db", "--hooks", "hooks.py"]
        # Its browser takes the proxy variables without their loopback exemption; its one call
        # beyond this machine (the release check) is off in its config.
        seconds = _run(command, self.env, self.work, log, no_egress=False)
        return PassRun(seconds, _reported(log, "CHANGED"), _reported(log, "ERROR[A-Z,]*"))


class Changedetection:
    name = "changedetection.io 0.60"
    requirements = ("changedetection.io==0.60.10",)

    def __init__(self, root: Path, urls: Sequence[str]) -> None:
        self.folder = ensure_venv(
            root, "changedetection", [*self.requirements, playwright_requirement()]
        )
        self.work = root / "run-changedetection"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.data = self.work / "data"
        self.urls = list(urls)
        self.port = _free_port()
        self.browser = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                f"--user-data-dir={self.work / 'chromium'}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.env = {
            "PLAYWRIGHT_DRIVER_URL": _devtools_url(self.browser),
            "ALLOW_IANA_RESTRICTED_ADDRESSES": "true",
        }

    def close(self) -> None:
        self.browser.terminate()
        self.browser.wait(timeout=30)

    def run_pass(self, number: int) -> PassRun:
        before = self._snapshots()
        command = [str(self.folder / "bin" / "changedetection.io"), "-d", str(self.data)]
        command += ["-h", "127.0.0.1", "-p", str(self.port)]
        if number == 0:
            command.append("-C")
            options = json.dumps({"fetch_backend": "html_webdriver"})
            for index, url in enumerate(self.urls):
                command += ["-u", url, f"-u{index}", options]
        command += ["-r", "all", "-b"]
        seconds = _run(command, self.env, self.work, self.work / f"pass-{number}.log")
        after = self._snapshots()
        # A pass that stored a new snapshot of a watch counts as a change (its first is not one).
        changed = sum(after.get(w, 0) > n for w, n in before.items())
        return PassRun(seconds, changed, len(self._errors()))

    def _snapshots(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for history in self.data.glob("*/history.txt"):
            counts[history.parent.name] = len(history.read_text().splitlines())
        return counts

    def _errors(self) -> list[str]:
        errors = []
        for watch in self.data.glob("*/watch.json"):
            error = json.loads(watch.read_text()).get("last_error")
            if error:
                errors.append(str(error)[:200])
        return errors


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _devtools_url(browser: subprocess.Popen[str]) -> str:
    """The browser's CDP address, from the line it prints once it listens."""
    assert browser.stderr is not None
    for line in browser.stderr:
        if line.startswith("DevTools listening on "):
            # The rest of its stderr is drained, so the browser never blocks on a full pipe.
            threading.Thread(target=browser.stderr.read, daemon=True).start()
            return line.split()[-1]
    raise PeerUnavailableError(f"Chromium for changedetection.io exited {browser.wait()}")


class Watcher:
    """watcher itself, run as its users run it: `watcher check` over a sources.yaml."""

    name = "watcher"

    def __init__(self, root: Path, config_text: str) -> None:
        self.work = root / "run-watcher"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.data = self.work / "data"
        self.data.mkdir()
        (self.work / "sources.yaml").write_text(config_text)
        self.db = f"sqlite:///{self.data / 'watcher.db'}"
        self.watcher = str(Path(sys.executable).parent / "watcher")

    def run_pass(self, number: int) -> PassRun:
        log = self.work / f"pass-{number}.log"
        command = [self.watcher, "check", "--config", "sources.yaml", "--db", self.db, "--json"]
        seconds = _run(command, {}, self.work, log)
        outcomes = [json.loads(ln) for ln in log.read_text().splitlines() if ln.startswith("{")]
        changed = sum(o.get("outcome") == "changed" for o in outcomes)
        return PassRun(seconds, changed, sum(o.get("outcome") == "failed" for o in outcomes))

    def finding_kinds(self) -> dict[str, set[str]]:
        """Kinds named by the stored changes, per target."""
        done = subprocess.run(
            [self.watcher, "changes", "--db", self.db, "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        kinds: dict[str, set[str]] = {}
        for line in done.stdout.splitlines():
            change = json.loads(line)
            kinds.setdefault(change["target"], set()).update(f["kind"] for f in change["findings"])
        return kinds
