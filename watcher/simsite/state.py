"""The mutable side of the simulated site: versions, modes and request counts, behind one lock.

Both the control API (`/__sim__/...`) and the Python methods of `SimulatedMetaSite` go through
this object, so tests can flip a page's mode from one thread while the server answers from others.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable

from watcher.simsite.catalog import LATEST_VERSION
from watcher.simsite.modes import Mode


class SiteState:
    def __init__(self, page_ids: Iterable[str], regions: Iterable[str], initial_version: int = 0):
        # A condition (and its lock): tests wait on request counts without polling.
        self._lock = threading.Condition()
        self._page_ids = tuple(page_ids)
        self._regions = tuple(regions)
        self._initial_version = self._valid_version(initial_version)
        self._versions = dict.fromkeys(self._page_ids, self._initial_version)
        # (page, region) → mode; region None is the page's mode in every region.
        self._modes: dict[tuple[str, str | None], Mode] = {}
        self._requests: Counter[tuple[str, str]] = Counter()
        self._request_number = 0

    # ---- validation ---------------------------------------------------------------------

    @staticmethod
    def _valid_version(version: int) -> int:
        if not 0 <= version <= LATEST_VERSION:
            raise ValueError(f"version must be between 0 and {LATEST_VERSION}, got {version}")
        return version

    def _pages(self, page_id: str | None) -> tuple[str, ...]:
        if page_id is None:
            return self._page_ids
        if page_id not in self._versions:
            raise ValueError(f"unknown page {page_id!r} (known: {', '.join(self._page_ids)})")
        return (page_id,)

    def _valid_region(self, region: str | None) -> str | None:
        if region is not None and region not in self._regions:
            raise ValueError(f"unknown region {region!r} (known: {', '.join(self._regions)})")
        return region

    # ---- versions -----------------------------------------------------------------------

    def advance(self, page_id: str | None = None) -> dict[str, int]:
        """Move one page (or every page) to its next version; the last version stays put."""
        with self._lock:
            for page in self._pages(page_id):
                self._versions[page] = min(self._versions[page] + 1, LATEST_VERSION)
            return {page: self._versions[page] for page in self._pages(page_id)}

    def set_version(self, page_id: str | None, version: int) -> dict[str, int]:
        version = self._valid_version(version)
        with self._lock:
            for page in self._pages(page_id):
                self._versions[page] = version
            return {page: self._versions[page] for page in self._pages(page_id)}

    def version_of(self, page_id: str) -> int:
        with self._lock:
            return self._versions[self._pages(page_id)[0]]

    # ---- modes --------------------------------------------------------------------------

    def set_mode(self, page_id: str | None, mode: Mode | str, region: str | None = None) -> None:
        try:
            chosen = Mode(mode)
        except ValueError:
            known = ", ".join(item.value for item in Mode)
            raise ValueError(f"unknown mode {mode!r} (known: {known})") from None
        region = self._valid_region(region)
        with self._lock:
            for page in self._pages(page_id):
                if chosen == Mode.NORMAL:
                    self._modes.pop((page, region), None)
                    if region is None:
                        # "normal" for the whole page also clears its per-region modes.
                        for key in [key for key in self._modes if key[0] == page]:
                            del self._modes[key]
                else:
                    self._modes[(page, region)] = chosen

    def mode_for(self, page_id: str, region: str) -> Mode:
        with self._lock:
            return self._modes.get((page_id, region)) or self._modes.get(
                (page_id, None), Mode.NORMAL
            )

    # ---- requests -----------------------------------------------------------------------

    def next_request(self, page_id: str, region: str) -> int:
        """Count a page request and return its number (the seed of its noise)."""
        with self._lock:
            self._request_number += 1
            self._requests[(page_id, region)] += 1
            self._lock.notify_all()
            return self._request_number

    def wait_for_requests(
        self, page_id: str, count: int, region: str | None, timeout_s: float
    ) -> bool:
        """Block until the page has been requested `count` times; False after `timeout_s`."""
        with self._lock:
            return self._lock.wait_for(
                lambda: self._count_locked(page_id, region) >= count, timeout_s
            )

    def request_count(self, page_id: str, region: str | None = None) -> int:
        with self._lock:
            return self._count_locked(page_id, region)

    def _count_locked(self, page_id: str, region: str | None) -> int:
        if region is not None:
            return self._requests[(page_id, region)]
        return sum(count for (page, _), count in self._requests.items() if page == page_id)

    def reset(self) -> None:
        """Back to the initial version, normal mode and zero counts for every page."""
        with self._lock:
            self._versions = dict.fromkeys(self._page_ids, self._initial_version)
            self._modes.clear()
            self._requests.clear()
            self._request_number = 0

    def snapshot(self) -> dict[str, object]:
        """JSON-ready view for `GET /__sim__/state`."""
        with self._lock:
            requests: dict[str, dict[str, int]] = {}
            for (page, region), count in sorted(self._requests.items()):
                requests.setdefault(page, {})[region] = count
            return {
                "versions": dict(self._versions),
                "modes": [
                    {"page": page, "region": region, "mode": mode.value}
                    for (page, region), mode in sorted(
                        self._modes.items(), key=lambda item: (item[0][0], item[0][1] or "")
                    )
                ],
                "requests": requests,
                "total_requests": self._request_number,
            }
