"""Fetch slots: waiting fetches that can use a kept page go first, and no fetch waits forever."""

from __future__ import annotations

import asyncio

from watcher.fetch.slots import KEPT_PAGE, NEW_PAGE, NOTHING_OPEN, Slots


def run_in_order(slots: Slots[str], keys: list[str], ranks: dict[str, int]) -> list[str]:
    """Holds the only slot, queues a fetch per key, then frees the slot: the order they ran."""
    ran: list[str] = []

    async def scenario() -> None:
        async with slots.held("first"):
            waiting = [asyncio.create_task(fetch(slots, key, ran)) for key in keys]
            await queued(waiting)
        await asyncio.gather(*waiting)

    slots.rank = lambda key: ranks.get(key, NEW_PAGE)
    asyncio.run(scenario())
    return ran


async def fetch(slots: Slots[str], key: str, ran: list[str]) -> None:
    # Entering `held` queues the fetch before its task first waits.
    async with slots.held(key):
        ran.append(key)


async def queued(tasks: list[asyncio.Task[None]]) -> None:
    """Returns once every task has run up to its first wait (for a slot, here)."""
    started = asyncio.Event()
    # A task's first step runs before callbacks scheduled after the task was created.
    asyncio.get_running_loop().call_soon(started.set)
    await started.wait()
    assert not any(task.done() for task in tasks)


def test_a_fetch_with_a_kept_page_goes_before_earlier_ones() -> None:
    slots = Slots[str](1, lambda _: NEW_PAGE, max_passed=10)
    ran = run_in_order(slots, ["de", "fr", "us"], {"us": KEPT_PAGE})
    assert ran[0] == "us"


def test_a_context_with_nothing_open_goes_before_one_already_at_work() -> None:
    slots = Slots[str](1, lambda _: NEW_PAGE, max_passed=10)
    ran = run_in_order(slots, ["de", "fr"], {"de": NEW_PAGE, "fr": NOTHING_OPEN})
    assert ran[0] == "fr"


def test_equal_costs_keep_the_order_of_arrival() -> None:
    slots = Slots[str](1, lambda _: NEW_PAGE, max_passed=10)
    assert run_in_order(slots, ["de", "fr", "us"], {}) == ["de", "fr", "us"]


def test_a_fetch_passed_over_too_often_goes_next() -> None:
    # "br" has nothing open and keeps being passed by fetches with a kept page.
    slots = Slots[str](1, lambda _: NEW_PAGE, max_passed=2)
    ran = run_in_order(slots, ["br", "fr", "fr", "fr", "fr"], {"br": NOTHING_OPEN, "fr": KEPT_PAGE})
    assert ran.index("br") == 2


def test_a_cancelled_waiter_gives_its_turn_away() -> None:
    async def scenario() -> list[str]:
        slots = Slots[str](1, lambda _: NEW_PAGE, max_passed=10)
        ran: list[str] = []
        async with slots.held("first"):
            gone = asyncio.create_task(fetch(slots, "gone", ran))
            stays = asyncio.create_task(fetch(slots, "stays", ran))
            await queued([gone, stays])
            gone.cancel()
        await stays
        await asyncio.gather(gone, return_exceptions=True)
        return ran

    assert asyncio.run(scenario()) == ["stays"]
