"""How the browser's slots go to waiting fetches: a fetch whose region context keeps a page goes
first (it is served without opening a page), otherwise the oldest; no slot is lost when a
waiting fetch is cancelled. The policy alone, without a browser: the pool holds stand-ins."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from playwright.async_api import BrowserContext

from watcher.fetch.base import FetchRequest
from watcher.fetch.browser import BrowserSettings
from watcher.fetch.playwright_fetcher import PlaywrightFetcher, _PooledContext


def _request(region: str) -> FetchRequest:
    return FetchRequest(
        target_id=f"page@{region}",
        url=f"http://127.0.0.1:9/{region}",
        region_id=region,
        locale="en-US",
        timezone="UTC",
        accept_language="en-US",
        proxy=None,
    )


def _keeping_a_page(fetcher: PlaywrightFetcher, region: str) -> None:
    pooled = _PooledContext(context=cast(BrowserContext, object()))
    pooled.idle.append(cast(Any, (object(), object())))
    fetcher._pool[fetcher._key(_request(region))] = pooled


async def _waiting(fetcher: PlaywrightFetcher, region: str) -> asyncio.Task[None]:
    """A fetch of `region` waiting for a slot: returns once it is queued."""
    key = fetcher._key(_request(region))
    started = asyncio.Event()

    async def take() -> None:
        started.set()
        await fetcher._take_slot(key)  # queues itself before it first yields

    task = asyncio.create_task(take())
    await started.wait()
    assert any(entry[0] == key for entry in fetcher._waiting)
    return task


def test_a_fetch_with_a_kept_page_goes_before_older_ones() -> None:
    async def scenario() -> list[str]:
        fetcher = PlaywrightFetcher(BrowserSettings(max_concurrency=1))
        await fetcher._take_slot(fetcher._key(_request("holder")))
        _keeping_a_page(fetcher, "us")
        tasks = [await _waiting(fetcher, region) for region in ("fr", "de", "us")]
        granted: list[str] = []
        for _ in tasks:
            before = [key[0] for key, _ in fetcher._waiting]
            fetcher._busy -= 1  # the running fetch ends
            fetcher._hand_on_slot()
            after = [key[0] for key, _ in fetcher._waiting]
            granted += [region for region in before if region not in after]
            fetcher._pool.clear()  # the kept page was taken
        await asyncio.wait_for(asyncio.gather(*tasks), 1)
        return granted

    assert asyncio.run(scenario()) == ["us", "fr", "de"]


def test_a_cancelled_wait_loses_no_slot() -> None:
    async def scenario() -> tuple[int, bool]:
        fetcher = PlaywrightFetcher(BrowserSettings(max_concurrency=1))
        await fetcher._take_slot(fetcher._key(_request("holder")))
        gone = await _waiting(fetcher, "fr")
        after = await _waiting(fetcher, "de")
        gone.cancel()
        await asyncio.gather(gone, return_exceptions=True)
        fetcher._busy -= 1
        fetcher._hand_on_slot()
        await asyncio.wait_for(after, 1)
        return fetcher._busy, gone.cancelled()

    assert asyncio.run(scenario()) == (1, True)


def test_a_slot_granted_to_a_cancelled_fetch_goes_on_to_the_next() -> None:
    async def scenario() -> int:
        fetcher = PlaywrightFetcher(BrowserSettings(max_concurrency=1))
        await fetcher._take_slot(fetcher._key(_request("holder")))
        first = await _waiting(fetcher, "fr")
        second = await _waiting(fetcher, "de")
        fetcher._busy -= 1
        fetcher._hand_on_slot()  # granted to `first`, which is cancelled before it runs
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        await asyncio.wait_for(second, 1)
        return fetcher._busy

    assert asyncio.run(scenario()) == 1


def test_a_wait_cancelled_just_before_its_turn_is_passed_over() -> None:
    """Cancelled, and a slot handed on before its task has run again: the slot goes to the
    next fetch, never to the cancelled one (granting it raised and lost the slot)."""

    async def scenario() -> tuple[int, bool]:
        fetcher = PlaywrightFetcher(BrowserSettings(max_concurrency=1))
        await fetcher._take_slot(fetcher._key(_request("holder")))
        gone = await _waiting(fetcher, "fr")
        after = await _waiting(fetcher, "de")
        gone.cancel()  # its future is cancelled now; its task has not run its handler yet
        fetcher._busy -= 1
        fetcher._hand_on_slot()
        await asyncio.wait_for(after, 1)
        await asyncio.gather(gone, return_exceptions=True)
        return fetcher._busy, gone.cancelled()

    assert asyncio.run(scenario()) == (1, True)
