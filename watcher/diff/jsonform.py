"""Changes as JSON-ready dicts (storage keeps them so) and back, exactly."""

from __future__ import annotations

from typing import Any

from watcher.diff.ops import BlockOp, ContextBlock, OpKind, SegmentKind, WordSegment
from watcher.normalize import Block, BlockKind, InlineLink

JsonDict = dict[str, Any]


def block_to_json(block: Block) -> JsonDict:
    data: JsonDict = {"kind": block.kind.value, "text": block.text}
    if block.level:
        data["level"] = block.level
    if block.href is not None:
        data["href"] = block.href
    if block.links:
        data["links"] = [[link.start, link.end, link.href] for link in block.links]
    if block.cells:
        data["cells"] = list(block.cells)
    if block.name is not None:
        data["name"] = block.name
    if block.control is not None:
        data["control"] = block.control
    if block.options:
        data["options"] = list(block.options)
    return data


def block_from_json(data: JsonDict) -> Block:
    return Block(
        kind=BlockKind(data["kind"]),
        text=data["text"],
        level=data.get("level", 0),
        href=data.get("href"),
        links=tuple(InlineLink(s, e, h) for s, e, h in data.get("links", ())),
        cells=tuple(data.get("cells", ())),
        name=data.get("name"),
        control=data.get("control"),
        options=tuple(data.get("options", ())),
    )


def op_to_json(op: BlockOp) -> JsonDict:
    return {
        "op": op.op.value,
        "old_block": block_to_json(op.old_block) if op.old_block is not None else None,
        "new_block": block_to_json(op.new_block) if op.new_block is not None else None,
        "old_index": op.old_index,
        "new_index": op.new_index,
        "anchor": op.anchor,
        "path": list(op.path),
        "old_path": list(op.old_path),
        "words": [[segment.op.value, segment.text] for segment in op.words],
    }


def op_from_json(data: JsonDict) -> BlockOp:
    old_block, new_block = data["old_block"], data["new_block"]
    return BlockOp(
        op=OpKind(data["op"]),
        old_block=block_from_json(old_block) if old_block is not None else None,
        new_block=block_from_json(new_block) if new_block is not None else None,
        old_index=data["old_index"],
        new_index=data["new_index"],
        anchor=data["anchor"],
        path=tuple(data["path"]),
        old_path=tuple(data["old_path"]),
        words=tuple(WordSegment(SegmentKind(kind), text) for kind, text in data["words"]),
    )


def context_to_json(context: ContextBlock) -> JsonDict:
    return {
        "old_index": context.old_index,
        "new_index": context.new_index,
        "block": block_to_json(context.block),
        "path": list(context.path),
    }


def context_from_json(data: JsonDict) -> ContextBlock:
    return ContextBlock(
        old_index=data["old_index"],
        new_index=data["new_index"],
        block=block_from_json(data["block"]),
        path=tuple(data["path"]),
    )
