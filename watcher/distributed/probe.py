"""Is this worker served its regions' legal text? Fetch a page or two of the region and read the
variant the page reads as, by the rule a check applies (`health.page_variant`): a region is
refused exactly when its checks would fail as `region_mismatch`.

A worker whose egress is in the wrong country (a proxy that moved, a VPN gone) would otherwise
record every check of the region as a `region_mismatch` failure, or worse, with no
`legal_variant` configured, store another region's text as this region's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from watcher.classify.variant import VariantReading
from watcher.config import Target
from watcher.fetch.base import Fetcher, FetchFailure
from watcher.health import page_variant

# Pages tried per region before the probe gives up as inconclusive (help pages declare none).
PROBE_PAGES = 3


class Served(StrEnum):
    RIGHT = "right"  # a page read as the region's variant, or not clearly as another
    WRONG = "wrong"  # a page read clearly as another variant (a check's `region_mismatch`)
    UNKNOWN = "unknown"  # no page declared any, or none could be fetched


@dataclass(frozen=True)
class VariantProbe:
    region_id: str
    served: Served
    detail: str


def served(reading: VariantReading, expected: str) -> Served | None:
    """RIGHT or WRONG for a page that reads as some variant, None for one that names too few
    marks (help pages): WRONG exactly when a check of it would fail as `region_mismatch`."""
    if not reading.declared:
        return None
    return Served.WRONG if reading.contradicts(expected) else Served.RIGHT


async def probe_region(fetcher: Fetcher, region_id: str, targets: Sequence[Target]) -> VariantProbe:
    """Fetch up to `PROBE_PAGES` of the region's targets until one declares a variant."""
    ours = [t for t in targets if t.region_id == region_id]
    expected = ours[0].region.legal_variant if ours else None
    if expected is None:
        return VariantProbe(region_id, Served.UNKNOWN, "no legal_variant configured")
    problems: list[str] = []
    for target in ours[:PROBE_PAGES]:
        result = await fetcher.fetch(target.to_fetch_request())
        if isinstance(result, FetchFailure):
            problems.append(f"{target.id}: {result.kind.value}")
            continue
        reading = page_variant(result.html)
        verdict = served(reading, expected)
        if verdict is None:
            continue
        shown = "/".join(sorted(reading.declared))
        if verdict is Served.RIGHT:
            return VariantProbe(region_id, Served.RIGHT, f"{target.id} served the {shown} text")
        return VariantProbe(
            region_id,
            Served.WRONG,
            f"{target.id} served the {shown} text, expected {expected}",
        )
    detail = "; ".join(problems) or "no page of the region declared its variant"
    return VariantProbe(region_id, Served.UNKNOWN, detail)
