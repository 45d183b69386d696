"""One real Chromium for a whole test session, driven from synchronous tests.

The fetcher lives on an event loop in a background thread; tests call `harness.fetch(request)`
and get the outcome back. Skips (with the reason) where no Chromium can be found.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from benchmarks.memory import children_of
from watcher.fetch.base import FetchOutcome, FetchRequest
from watcher.fetch.browser import BrowserSettings
from watcher.fetch.playwright_fetcher import PlaywrightFetcher

T = TypeVar("T")


class BrowserHarness:
    def __init__(self, settings: BrowserSettings | None = None) -> None:
        # Processes of this test process already running (other tests' browsers): the memory
        # of this harness's browser is measured without them.
        self.others = frozenset(children_of(os.getpid()))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.fetcher = PlaywrightFetcher(settings or BrowserSettings(settle_quiet_ms=150))
        self.run(self.fetcher.start())

    def run(self, coroutine: Awaitable[T], timeout: float = 120) -> T:
        async def wrap() -> T:
            return await coroutine

        return asyncio.run_coroutine_threadsafe(wrap(), self.loop).result(timeout)

    def call(self, function: Callable[[], Awaitable[T]], timeout: float = 120) -> T:
        return self.run(function(), timeout)

    def fetch(self, request: FetchRequest) -> FetchOutcome:
        return self.run(self.fetcher.fetch(request))

    def close(self) -> None:
        self.run(self.fetcher.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
