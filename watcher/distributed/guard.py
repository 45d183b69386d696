"""The worker's watch over itself: its regions' legal variant at start-up and then now and then,
and a heartbeat in the database (`worker_status`) for /healthz and /metrics.

A region whose pages declare another region's text is refused: the worker stops taking its
queue's tasks (other workers, placed right, take them) and says so in the log and its status.
It takes them again once a later probe is served the right text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from storage import Database, StorageError
from watcher.distributed.probe import Served, VariantProbe

log = logging.getLogger("watcher.worker")

HEARTBEAT = timedelta(seconds=30)

Probe = Callable[[str], VariantProbe]
# Called with (region, accepted) when a region is refused or taken again.
OnChange = Callable[[str, bool], None]


class RegionGuard:
    def __init__(
        self,
        worker_id: str,
        regions: Sequence[str],
        probe: Probe,
        database: Database,
        *,
        probe_every: timedelta,
        checks_done: Callable[[], int] = lambda: 0,
        heartbeat: timedelta = HEARTBEAT,
    ) -> None:
        self.worker_id = worker_id
        self.regions = tuple(regions)
        self.probe = probe
        self.database = database
        self.probe_every = probe_every
        self.checks_done = checks_done
        self.heartbeat = heartbeat
        self.refused: dict[str, str] = {}
        self.on_change: OnChange | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def accepted(self) -> list[str]:
        with self._lock:
            return [r for r in self.regions if r not in self.refused]

    def refuses(self, region_id: str) -> bool:
        with self._lock:
            return region_id in self.refused

    def probe_all(self) -> None:
        """Probe every region once; refuse those served another variant, take back the others."""
        for region in self.regions:
            try:
                result = self.probe(region)
            except Exception as error:  # the browser away: inconclusive, keep the last verdict
                log.warning("worker: probe of region %s failed: %s", region, error)
                continue
            self._apply(result)
        self.report()

    def _apply(self, result: VariantProbe) -> None:
        region = result.region_id
        with self._lock:
            was_refused = region in self.refused
            if result.served is Served.WRONG:
                self.refused[region] = result.detail
            elif result.served is Served.RIGHT:
                self.refused.pop(region, None)
            now_refused = region in self.refused
        if now_refused and not was_refused:
            log.warning(
                "worker: region %s refused: %s; not taking its tasks", region, result.detail
            )
        elif was_refused and not now_refused:
            log.warning(
                "worker: region %s served right again (%s); taking its tasks", region, result.detail
            )
        elif result.served is Served.UNKNOWN:
            log.info("worker: region %s: legal variant not confirmed (%s)", region, result.detail)
        if was_refused != now_refused and self.on_change is not None:
            self.on_change(region, not now_refused)

    def report(self, *, stopped: bool = False) -> None:
        with self._lock:
            refused = dict(self.refused)
        try:
            with self.database.transaction() as repo:
                repo.report_worker(
                    self.worker_id,
                    regions=self.regions,
                    refused=refused,
                    checks_done=self.checks_done(),
                    now=datetime.now(UTC),
                    stopped=stopped,
                )
        except StorageError as error:
            log.error("worker: cannot write its status: %s", error)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="region-guard", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        next_probe = datetime.now(UTC) + self.probe_every
        while not self._stop.wait(self.heartbeat.total_seconds()):
            if datetime.now(UTC) >= next_probe:
                self.probe_all()
                next_probe = datetime.now(UTC) + self.probe_every
            else:
                self.report()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        self.report(stopped=True)
