"""Pieces the commands share: opening the database, building the fetcher, running a pass."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from storage import Database
from watcher.alerts import resolve_subscriptions
from watcher.config import Config, Target
from watcher.fetch.browser import BrowserSettings
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.pipeline import Checker, CheckReport
from watcher.settings import database_url


def open_database(flag: str | None) -> Database:
    """The database of `--db`/$WATCHER_DB (SQLite by default), migrated to the newest schema."""
    database = Database(database_url(flag))
    database.upgrade()
    return database


def browser_settings(config: Config) -> BrowserSettings:
    browser = config.browser
    return BrowserSettings(
        executable_path=browser.executable_path,
        headless=browser.headless,
        max_concurrency=browser.max_concurrency,
        context_reuse=browser.context_reuse,
    )


def run_pass(
    config: Config,
    targets: Sequence[Target],
    database: Database,
    on_report: Callable[[CheckReport], None] | None = None,
) -> list[CheckReport]:
    """One pass over `targets` with one browser, closed at the end."""

    async def go() -> list[CheckReport]:
        fetcher = PlaywrightFetcher(browser_settings(config))
        with Checker(fetcher, database, subscriptions=resolve_subscriptions(config)) as checker:
            async with started(checker, fetcher):
                return await checker.check_many(targets, on_report)

    return asyncio.run(go())


@asynccontextmanager
async def started(checker: Checker, fetcher: PlaywrightFetcher) -> AsyncIterator[None]:
    """The browser and the analysis workers, started side by side; the browser closed after."""
    warming = asyncio.ensure_future(asyncio.to_thread(checker.analysis.start))
    async with fetcher:
        await warming
        yield


def is_terminal() -> bool:
    return sys.stdout.isatty()
