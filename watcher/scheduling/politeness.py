"""Politeness per host: at most N fetches of one host at once, their starts spaced apart.

Per process: each worker has its own egress address, and that is what a host counts. Hosts on
loopback (the simulated site, a local mirror) are not held back unless `politeness.hosts`
names them.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from watcher.config import PolitenessConfig
from watcher.fetch.base import Fetcher, FetchOutcome, FetchRequest

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class HostPolicy:
    max_concurrent: int
    min_spacing: timedelta


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HostPacer:
    """Decides when the next fetch of a host may start. Pure but for its own memory of the
    starts it granted; the time is passed in."""

    def __init__(self, politeness: PolitenessConfig) -> None:
        self.politeness = politeness
        self._next_start: dict[str, datetime] = {}

    def policy(self, host: str) -> HostPolicy | None:
        """The host's policy, or None for a loopback host nobody configured."""
        own = self.politeness.hosts.get(host)
        if own is None and _is_loopback(host):
            return None
        concurrent = own.max_concurrent if own and own.max_concurrent else None
        spacing = own.min_spacing if own and own.min_spacing is not None else None
        return HostPolicy(
            concurrent or self.politeness.max_concurrent,
            spacing if spacing is not None else self.politeness.min_spacing,
        )

    def reserve(self, host: str, now: datetime) -> datetime:
        """When a fetch of `host` asked for at `now` may start; the start is then taken."""
        policy = self.policy(host)
        if policy is None:
            return now
        start = max(now, self._next_start.get(host, now))
        self._next_start[host] = start + policy.min_spacing
        return start


def utc_now() -> datetime:
    return datetime.now(UTC)


class PoliteFetcher:
    """A `Fetcher` that holds each fetch until its host's policy lets it start."""

    def __init__(
        self,
        fetcher: Fetcher,
        politeness: PolitenessConfig,
        *,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.inner = fetcher
        self.pacer = HostPacer(politeness)
        self.clock = clock
        self.sleep = sleep
        self._slots: dict[str, asyncio.Semaphore] = {}

    async def fetch(self, request: FetchRequest) -> FetchOutcome:
        host = host_of(request.url)
        policy = self.pacer.policy(host)
        if policy is None:
            return await self.inner.fetch(request)
        slots = self._slots.setdefault(host, asyncio.Semaphore(policy.max_concurrent))
        async with slots:
            now = self.clock()
            wait = (self.pacer.reserve(host, now) - now).total_seconds()
            if wait > 0:
                await self.sleep(wait)
            return await self.inner.fetch(request)

    async def close(self) -> None:
        await self.inner.close()
