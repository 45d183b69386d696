"""The quality benchmark through the real path: the simulated site served over HTTP, each
region fetched by `PlaywrightFetcher` through its egress proxy in its own language, pages moved
through their history with `set_version`, every fetched page checked and normalized as a check
does (see `quality.py` for the scores and the command).
"""

from __future__ import annotations

import asyncio
import sys
from itertools import chain
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality_scoring import (
    REMOVE,
    SELECT,
    Combo,
    Pair,
    Scope,
    Scoreboard,
    combos_for,
    noise_pairs,
    score,
    version_pairs,
)

from watcher.demo import demo_fetch_request
from watcher.fetch.base import Fetcher, FetchFailure, FetchRequest
from watcher.fetch.browser import BrowserSettings
from watcher.fetch.playwright_fetcher import PlaywrightFetcher
from watcher.health import assess_page
from watcher.normalize import Document, SelectorMatchedNothing, normalize_html
from watcher.simsite import (
    LATEST_VERSION,
    PAGES,
    SimulatedMetaSite,
    legal_variant,
)

FETCH_TIMEOUT_S = 30.0
BROWSER_PAGES: tuple[str, ...] = ("genai", "privacy_center", "privacy_policy", "help_ai_objection")


# ---- browser: the simulated site over HTTP, fetched by Chromium ---------------------------


def fetch_request(site: SimulatedMetaSite, combo: Combo, number: int) -> FetchRequest:
    """The request a check of this combo makes: the region's context, proxy and language."""
    return demo_fetch_request(
        site,
        combo.region,
        target_id=f"{combo.page_id}@{combo.region}#{number}",
        url=site.url(combo.page_id, locale=combo.locale),
        timeout_s=FETCH_TIMEOUT_S,
    )


async def fetch_document(
    site: SimulatedMetaSite, fetcher: Fetcher, combo: Combo, number: int
) -> Document | str:
    """The fetched page normalized as a check does, or why there is none."""
    outcome = await fetcher.fetch(fetch_request(site, combo, number))
    if isinstance(outcome, FetchFailure):
        return f"{outcome.kind.value}: {outcome.detail}"
    unhealthy = assess_page(
        outcome, expected_variant=legal_variant(combo.region), select=SELECT, remove=REMOVE
    ).failure
    if unhealthy is not None:
        return f"{unhealthy.kind.value}: {unhealthy.detail}"
    try:
        return normalize_html(
            outcome.html, base_url=outcome.final_url, select=SELECT, remove=REMOVE
        )
    except SelectorMatchedNothing as error:
        return f"select_matched_nothing: {error}"


class _BrowserRun:
    """Moves one page at a time through its history and fetches it at each version."""

    def __init__(self, site: SimulatedMetaSite, fetcher: Fetcher, board: Scoreboard) -> None:
        self.site, self.fetcher, self.board = site, fetcher, board
        self.documents: dict[tuple[Combo, int], Document] = {}

    async def fetch(self, combo: Combo, version: int) -> Document | None:
        self.board.fetches += 1
        got = await fetch_document(self.site, self.fetcher, combo, self.board.fetches)
        if isinstance(got, str):
            where = f"{combo.page_id} {combo.region} {combo.locale} v{version}"
            self.board.failures.append(f"{where}: {got}")
            return None
        return got

    async def page(self, page_id: str, combos: list[Combo], noise: list[Pair]) -> None:
        start = PAGES[page_id].since_version
        for version in range(start, LATEST_VERSION + 1):
            self.site.set_version(page_id, version)
            loaded = await asyncio.gather(*(self.fetch(c, version) for c in combos))
            for combo, document in zip(combos, loaded, strict=True):
                if document is not None:
                    self.documents[(combo, version)] = document
            await self.refetch([p for p in noise if p.old == version])
        for pair in chain.from_iterable(version_pairs(c, published_only=True) for c in combos):
            old = self.documents.get((pair.combo, pair.old))
            new = self.documents.get((pair.combo, pair.new))
            if old is not None and new is not None:
                score(self.board, pair, old, new)
            else:
                self.board.unscored += 1

    async def refetch(self, pairs: list[Pair]) -> None:
        again = await asyncio.gather(*(self.fetch(p.combo, p.old) for p in pairs))
        for pair, document in zip(pairs, again, strict=True):
            first = self.documents.get((pair.combo, pair.old))
            if first is not None and document is not None:
                score(self.board, pair, first, document)
            else:
                self.board.unscored += 1


async def run_browser(site: SimulatedMetaSite, fetcher: Fetcher, scope: Scope) -> Scoreboard:
    """The same scores through the real path; the site's pages are left at their last version."""
    board = Scoreboard()
    combos = combos_for(scope.pages, scope.regions, every_language=scope.every_language)
    noise = noise_pairs(combos, scope.noise_pairs, published_only=True)
    run = _BrowserRun(site, fetcher, board)
    for page_id in dict.fromkeys(c.page_id for c in combos):
        mine = [c for c in combos if c.page_id == page_id]
        await run.page(page_id, mine, [p for p in noise if p.combo.page_id == page_id])
    return board


async def browse(scope: Scope, concurrency: int) -> Scoreboard:
    with SimulatedMetaSite() as site:
        async with PlaywrightFetcher(BrowserSettings(max_concurrency=concurrency)) as fetcher:
            return await run_browser(site, fetcher, scope)
