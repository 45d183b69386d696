"""`/compare/{source}`: one source's latest versions in two regions, through `watcher.compare`."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.responses import HTMLResponse

from storage import Database
from watcher.compare import RegionComparison, compare_regions
from watcher.normalize import CanonicalSyntaxError, parse_canonical
from watcher.web.language import text_language
from watcher.web.state import Web
from watcher.web.views import region_locale

router = APIRouter()


def load_comparison(database: Database, source_id: str, a: str, b: str) -> RegionComparison:
    """Raises HTTPException 404 when a region has no stored version of the source."""
    documents = []
    with database.reader() as repo:
        for region in (a, b):
            snapshot = repo.latest_snapshot(f"{source_id}@{region}")
            if snapshot is None:
                raise HTTPException(404, f"no version of {source_id}@{region} stored yet")
            try:
                documents.append(parse_canonical(snapshot.canonical_text))
            except CanonicalSyntaxError as error:
                raise HTTPException(409, f"{source_id}@{region}: unreadable version") from error
    return compare_regions(source_id, (a, documents[0]), (b, documents[1]))


def source_regions(database: Database, source_id: str) -> list[str]:
    with database.reader() as repo:
        return repo.regions_of_source(source_id)


@router.get("/compare/{source_id}", response_class=HTMLResponse, include_in_schema=False)
def compare_page(source_id: str, web: Web, a: str = "", b: str = "") -> HTMLResponse:
    regions = source_regions(web.context.database, source_id)
    if not regions:
        raise HTTPException(404, f"no source {source_id!r}")
    comparison = None
    if a and b:
        if a not in regions or b not in regions:
            raise HTTPException(404, f"{source_id} is watched in {', '.join(regions)} only")
        comparison = load_comparison(web.context.database, source_id, a, b)
    locales = {r: region_locale(web.context.targets, r) for r in regions}
    if comparison is not None:
        for view, blocks in (
            (comparison.a, comparison.only_in_a),
            (comparison.b, comparison.only_in_b),
        ):
            quoted = [*blocks, *view.region_clauses, *view.effective_dates]
            locales[view.region] = text_language(quoted, locales[view.region])
    return web.pages.html(
        "compare.html",
        source_id=source_id,
        regions=regions,
        a=a,
        b=b,
        comparison=comparison,
        locales=locales,
    )
