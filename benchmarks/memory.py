"""Benchmark helpers: memory of a process tree from /proc (RSS, and PSS with shared pages
counted once), and printing results as a Markdown table."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def children_of(root: int) -> list[int]:
    """Every descendant of `root` (Linux /proc), found by walking parent ids."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces: the parent id follows the closing parenthesis.
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    found: list[int] = []
    frontier = [root]
    while frontier:
        current = frontier.pop()
        kids = [pid for pid, parent in parents.items() if parent == current]
        found += kids
        frontier += kids
    return found


def tree_memory_kib(pids: list[int]) -> tuple[int, int]:
    """(RSS, PSS) in KiB summed over `pids`; processes that ended meanwhile count as zero."""
    rss = pss = 0
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss, pss


class PeakSampler:
    """Samples the memory of this process's descendants (driver + browser) until stopped."""

    def __init__(
        self,
        every_s: float = 0.2,
        *,
        only_new: bool = False,
        exclude: frozenset[int] = frozenset(),
    ) -> None:
        self.every_s = every_s
        # With `only_new`, processes already running when sampling starts (and their children)
        # are left out: another test's browser is not this one's.
        self._before: frozenset[int] = (
            frozenset(children_of(os.getpid())) if only_new else frozenset()
        )
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        pids: list[int] = []
        rounds = 0
        while True:
            # Walking /proc is the costly part: find the processes once a second, sample often.
            if rounds % 5 == 0:
                pids = [p for p in children_of(me) if p not in self._before]
            rounds += 1
            rss, pss = tree_memory_kib(pids)
            self.peak_rss_kib = max(self.peak_rss_kib, rss)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)
            if self._stop.wait(self.every_s):
                return


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, text columns left-aligned and numbers right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def numeric(column: int) -> bool:
        return all(r[column].replace(".", "", 1).replace("-", "", 1).isdigit() for r in rows)

    def line(cells: list[str]) -> str:
        padded = [
            c.rjust(w) if rows and numeric(i) else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
