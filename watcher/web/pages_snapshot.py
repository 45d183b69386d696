"""`/snapshots/{id}`: one stored version as readable text, its fetch, and its neighbours."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.responses import HTMLResponse, PlainTextResponse

from watcher.normalize import Block, BlockKind, CanonicalSyntaxError, parse_canonical
from watcher.web.evidence import chain_place
from watcher.web.filters import MAX_ROW_ID
from watcher.web.language import text_language
from watcher.web.state import Web
from watcher.web.views import region_locale

router = APIRouter()


@router.get("/snapshots/{snapshot_id:int}", response_class=HTMLResponse, include_in_schema=False)
def snapshot_page(snapshot_id: int, web: Web) -> HTMLResponse:
    with web.context.database.reader() as repo:
        snapshot = repo.get_snapshot(snapshot_id) if snapshot_id <= MAX_ROW_ID else None
        if snapshot is None:
            raise HTTPException(404, f"no snapshot #{snapshot_id}")
        target = repo.get_target(snapshot.target_id)
        next_id = repo.next_snapshot_id(snapshot_id)
        chain = chain_place(repo, snapshot, web.context.evidence)
    blocks = readable_blocks(snapshot.canonical_text)
    region = target.region_id if target is not None else ""
    texts = (block.text for block in blocks)
    lang = text_language(texts, region_locale(web.context.targets, region))
    return web.pages.html(
        "snapshot.html",
        snapshot=snapshot,
        target=target,
        blocks=blocks,
        lang=lang,
        next_id=next_id,
        chain=chain,
        evidence_served=web.context.evidence is not None,
    )


@router.get("/snapshots/{snapshot_id:int}.txt", include_in_schema=False)
def snapshot_text(snapshot_id: int, web: Web) -> PlainTextResponse:
    with web.context.database.reader() as repo:
        snapshot = repo.get_snapshot(snapshot_id) if snapshot_id <= MAX_ROW_ID else None
    if snapshot is None:
        raise HTTPException(404, f"no snapshot #{snapshot_id}")
    return PlainTextResponse(snapshot.canonical_text)


def readable_blocks(canonical_text: str) -> list[Block]:
    """The version's blocks; a text this version cannot parse is shown as plain paragraphs."""
    try:
        return list(parse_canonical(canonical_text).blocks)
    except CanonicalSyntaxError:
        lines = (line.strip() for line in canonical_text.splitlines())
        return [Block(BlockKind.PARAGRAPH, line) for line in lines if line]
