"""One heavy page never makes healthy targets of the same pass time out.

Real Chromium, a loopback server: a page of several megabytes whose reading takes seconds of CPU,
beside pages that render their content two seconds after load, checked in one pass with a
timeout shorter than that reading. The reading runs in the analysis workers, so the event loop
keeps serving the browser.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest

from storage import Database
from watcher.cli.common import browser_settings
from watcher.config import parse_config
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.pipeline import Checker

pytestmark = pytest.mark.browser

# Under every size limit (7 MB, 120,000 elements, 1.6 million characters of text), yet about
# ten seconds of CPU to read: each of its links is cleaned of tracking parameters.
ITEM = (
    "<li><a href='https://www.facebook.com/privacy/policy/?entry_point=x&n={n}'>Section {n}</a>"
    " of the policy</li>\n"
)
HEAVY = (
    "<html><body><main><h1>A long page</h1><ul>"
    + "".join(ITEM.format(n=n) for n in range(60_000))
    + "</ul></main></body></html>"
).encode()
LATE = (
    b"<html><body><main></main><script>setTimeout(() => {"
    b"document.querySelector('main').innerHTML = '<h1>Generative AI</h1>' + "
    b"'<p>Meta explains here how it uses information for its AI features.</p>'.repeat(8);"
    b"}, 2000)</script></body></html>"
)
HEALTHY = ("late-a", "late-b", "late-c")


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = HEAVY if self.path.startswith("/heavy") else LATE
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def pages() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _config(base: str) -> str:
    """One page at a time, the heavy one first (with time to load it): the healthy pages are
    fetched while the heavy one is being read, each within a timeout shorter than that."""
    sources = "".join(
        f'  - id: {name}\n    title: {name}\n    url: "{base}/{name}"\n    regions: [fr]\n'
        "    select: main\n    wait_for: h1\n" + ("    timeout: 90s\n" if name == "heavy" else "")
        for name in ("heavy", *HEALTHY)
    )
    return (
        "regions:\n  fr: {locale: fr-FR, timezone: Europe/Paris, "
        'accept_language: "fr-FR,fr;q=0.9"}\n'
        "defaults: {timeout: 8s, confirm: false}\n"
        "browser: {max_concurrency: 1}\n"
        f"sources:\n{sources}"
    )


class LagProbe:
    """A callback the event loop should run every 50 ms: the longest gap between two runs is
    how long the loop was kept from its work."""

    TICK_S = 0.05

    def __init__(self) -> None:
        self.longest = 0.0
        self._loop = asyncio.get_running_loop()
        self._last = time.monotonic()
        self._handle = self._loop.call_later(self.TICK_S, self._tick)

    def _tick(self) -> None:
        now = time.monotonic()
        self.longest = max(self.longest, now - self._last)
        self._last = now
        self._handle = self._loop.call_later(self.TICK_S, self._tick)

    def stop(self) -> None:
        self._handle.cancel()


def test_a_heavy_page_leaves_the_loop_free_for_healthy_targets(
    pages: str, chromium_available: None, tmp_path: Path
) -> None:
    config = parse_config(_config(pages))
    database = Database(f"sqlite:///{tmp_path / 'watcher.db'}")
    database.upgrade()

    async def run() -> tuple[dict[str, str], float]:
        async with PlaywrightFetcher(browser_settings(config)) as fetcher:
            with Checker(fetcher, database) as checker:
                probe = LagProbe()
                try:
                    reports = await checker.check_many(config.targets())
                finally:
                    probe.stop()
        outcomes = {r.target_id: r.failure_kind or r.outcome.value for r in reports}
        return outcomes, probe.longest

    try:
        outcomes, longest_gap = asyncio.run(run())
    finally:
        database.dispose()

    assert {outcomes[f"{name}@fr"] for name in HEALTHY} == {"first"}, outcomes
    assert outcomes["heavy@fr"] == "first", outcomes
    assert longest_gap < 2.0, f"the event loop stalled for {longest_gap:.1f}s"
