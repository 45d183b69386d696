"""Checks across entries that no single model can see: source ids unique, regions known.

They run on the raw parsed data, alongside model validation, so one run reports a misspelt
region and a wrong type together. Anything with an unexpected shape is skipped here: the models
report it.
"""

from __future__ import annotations

from watcher.config.explain import closest
from watcher.config.locations import Locations, Problem


def check_references(data: dict[str, object], locations: Locations) -> list[Problem]:
    sources = data.get("sources")
    if not isinstance(sources, list):
        return []
    regions = data.get("regions")
    known = [key for key in regions if isinstance(key, str)] if isinstance(regions, dict) else None
    problems = _duplicate_source_ids(sources, locations)
    if known is not None:
        for index, source in enumerate(sources):
            if isinstance(source, dict):
                problems.extend(_region_references(index, source, known))
    return problems


def _duplicate_source_ids(sources: list[object], locations: Locations) -> list[Problem]:
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    for index, source in enumerate(sources):
        source_id = source.get("id") if isinstance(source, dict) else None
        if not isinstance(source_id, str):
            continue
        if source_id not in first_index:
            first_index[source_id] = index
            continue
        earlier = first_index[source_id]
        line = locations.line_of(("sources", earlier, "id"))
        where = f"sources[{earlier}]" + (f" at line {line}" if line is not None else "")
        problems.append(
            Problem(("sources", index, "id"), f"duplicate source id {source_id!r} (also {where})")
        )
    return problems


def _region_references(index: int, source: dict[object, object], known: list[str]) -> list[Problem]:
    listed = source.get("regions")
    if not isinstance(listed, list):
        return []
    problems: list[Problem] = []
    seen: set[str] = set()
    for position, region in enumerate(listed):
        if not isinstance(region, str):
            continue
        loc = ("sources", index, "regions", position)
        if region in seen:
            problems.append(Problem(loc, f"region {region!r} is listed twice"))
        elif region not in known:
            guess = closest(region, known)
            did_you_mean = f"; did you mean {guess!r}?" if guess else ""
            shown = ", ".join(sorted(known)) or "none"
            problems.append(
                Problem(loc, f"unknown region {region!r}{did_you_mean} (known: {shown})")
            )
        seen.add(region)
    return problems
