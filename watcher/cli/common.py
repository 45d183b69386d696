"""Pieces the commands share: opening the database, building the fetcher, running a pass.

Heavy modules (the database layer, Playwright, the pipeline) are imported inside the functions
that use them: command modules import this one at start-up, `watcher --help` included.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from watcher.settings import database_url, evidence_dir

if TYPE_CHECKING:
    from storage import BlobStore, Database
    from watcher.alerts.subscriptions import Subscription
    from watcher.config import Config, Target
    from watcher.fetch.browser import BrowserSettings
    from watcher.fetch.playwright_fetcher import PlaywrightFetcher
    from watcher.pipeline import Checker, CheckReport


def open_database(flag: str | None) -> Database:
    """The database of `--db`/$WATCHER_DB (SQLite by default), migrated to the newest schema."""
    from storage import Database

    database = Database(database_url(flag))
    database.upgrade()
    return database


def evidence_store(database: Database) -> BlobStore:
    """The evidence files' store that goes with `database` (see `settings.evidence_dir`)."""
    from storage import BlobStore

    # An SQLite URL has no password: its shown form is the URL itself.
    return BlobStore(evidence_dir(database.display_url))


def browser_settings(config: Config) -> BrowserSettings:
    from watcher.fetch.browser import BrowserSettings
    from watcher.fetch.limits import PageLimits

    browser = config.browser
    return BrowserSettings(
        executable_path=browser.executable_path,
        headless=browser.headless,
        max_concurrency=browser.max_concurrency,
        context_reuse=browser.context_reuse,
        limits=PageLimits(
            max_page_bytes=browser.max_page_bytes,
            max_dom_nodes=browser.max_dom_nodes,
            max_text_chars=browser.max_text_chars,
        ),
    )


def run_pass(
    config: Config,
    targets: Sequence[Target],
    database: Database,
    on_report: Callable[[CheckReport], None] | None = None,
    *,
    subscriptions: Sequence[Subscription] = (),
) -> list[CheckReport]:
    """One pass over `targets` with one browser, closed at the end; changes found are queued
    for `subscriptions` (resolved at start-up, `startup.load_setup`)."""
    import asyncio

    from watcher.fetch.playwright_fetcher import PlaywrightFetcher
    from watcher.pipeline import Checker
    from watcher.scheduling import PoliteFetcher

    async def go() -> list[CheckReport]:
        fetcher = PlaywrightFetcher(browser_settings(config))
        polite = PoliteFetcher(fetcher, config.politeness)
        with Checker(
            polite,
            database,
            page_limits=fetcher.settings.limits,
            subscriptions=subscriptions,
            blobs=evidence_store(database),
        ) as checker:
            async with started(checker, fetcher):
                return await checker.check_many(targets, on_report)

    return asyncio.run(go())


@asynccontextmanager
async def started(checker: Checker, fetcher: PlaywrightFetcher) -> AsyncIterator[None]:
    """The browser and the analysis workers, started side by side; the browser closed after."""
    import asyncio

    warming = asyncio.ensure_future(asyncio.to_thread(checker.analysis.start))
    async with fetcher:
        await warming
        yield


def is_terminal() -> bool:
    return sys.stdout.isatty()
