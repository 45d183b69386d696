"""`Slots`: the browser's fetch slots, handed to waiting fetches with an eye on kept pages.

A fetch waits with a key (its browser context). When a slot frees, the waiting fetch that can
run cheapest goes first: one whose context has a kept page (no new page to open), then one whose
context has no page open at all (so the slots spread over the contexts and each keeps serving
its own), then the longest waiting. Opening a page costs several DevTools round trips; with
first-come order, slots moving together from one region's targets to the next opened a new page
at every move.

Skipping is bounded: a fetch with nothing of its context at work that was passed over
`max_passed` times goes next, whatever it costs. (A fetch whose context is at work is not
starved: that context's fetches go in their order as its page comes free.)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

# Ranks a key's cost: lower runs sooner.
KEPT_PAGE = 0
NOTHING_OPEN = 1
NEW_PAGE = 2


@dataclass(eq=False)
class _Waiter(Generic[K]):
    key: K
    granted: asyncio.Future[None]
    passed: int = 0


@dataclass(eq=False)
class Slots(Generic[K]):
    """`count` slots; `rank(key)` says how cheaply a fetch of that key would run now."""

    count: int
    rank: Callable[[K], int]
    max_passed: int
    _free: int = field(init=False)
    _waiting: list[_Waiter[K]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self._free = max(1, self.count)

    def wanted(self, key: K) -> bool:
        """Whether a waiting fetch has this key."""
        return any(waiter.key == key for waiter in self._waiting)

    @contextlib.asynccontextmanager
    async def held(self, key: K) -> AsyncIterator[None]:
        await self._take(key)
        try:
            yield
        finally:
            self._give()

    async def _take(self, key: K) -> None:
        if self._free and not self._waiting:
            self._free -= 1
            return
        waiter = _Waiter(key, asyncio.get_running_loop().create_future())
        self._waiting.append(waiter)
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            elif not waiter.granted.cancelled():
                self._give()  # handed a slot as it was cancelled: it goes to the next one
            raise

    def _give(self) -> None:
        self._free += 1
        # A waiter cancelled since its last turn is dropped here, before it could be chosen.
        self._waiting = [waiter for waiter in self._waiting if not waiter.granted.done()]
        while self._free and self._waiting:
            chosen = self._waiting.pop(self._choose())
            self._free -= 1
            chosen.granted.set_result(None)

    def _choose(self) -> int:
        for index, waiter in enumerate(self._waiting):
            if waiter.passed >= self.max_passed:
                return index
        ranks: dict[K, int] = {}
        best, best_rank = 0, NEW_PAGE + 1
        for index, waiter in enumerate(self._waiting):
            rank = ranks.get(waiter.key)
            if rank is None:
                rank = ranks[waiter.key] = self.rank(waiter.key)
            if rank < best_rank:
                best, best_rank = index, rank
                if rank == KEPT_PAGE:
                    break
        for waiter in self._waiting[:best]:
            # A fetch whose context is at work goes when that work is done; one with nothing
            # at work only waits for others, and that wait is what is bounded.
            if ranks[waiter.key] == NOTHING_OPEN:
                waiter.passed += 1
        return best
