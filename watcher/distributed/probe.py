"""Is this worker served its regions' legal text? Fetch a page or two of the region and read the
variant the page declares (its controller line, `health.page_declared_variants`).

A worker whose egress is in the wrong country (a proxy that moved, a VPN gone) would otherwise
record every check of the region as a `region_mismatch` failure, or worse, with no
`legal_variant` configured, store another region's text as this region's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from watcher.config import Target
from watcher.fetch.base import Fetcher, FetchFailure
from watcher.health import page_declared_variants

# Pages tried per region before the probe gives up as inconclusive (help pages declare none).
PROBE_PAGES = 3


class Served(StrEnum):
    RIGHT = "right"  # a page declared the region's variant
    WRONG = "wrong"  # a page declared another variant only
    UNKNOWN = "unknown"  # no page declared any, or none could be fetched


@dataclass(frozen=True)
class VariantProbe:
    region_id: str
    served: Served
    detail: str


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
        declared = page_declared_variants(result.html)
        if not declared:
            continue
        shown = "/".join(sorted(declared))
        if expected in declared:
            return VariantProbe(region_id, Served.RIGHT, f"{target.id} served the {shown} text")
        return VariantProbe(
            region_id,
            Served.WRONG,
            f"{target.id} served the {shown} text, expected {expected}",
        )
    detail = "; ".join(problems) or "no page of the region declared its variant"
    return VariantProbe(region_id, Served.UNKNOWN, detail)
