"""A change shown to people: unified text, inline HTML and side-by-side HTML.

All page text is third-party text: in HTML it is always escaped and link targets are shown as
text, never as live links. Changes are marked by words and `<ins>`/`<del>`, not only colour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from watcher.diff.ops import BlockOp, ContextBlock, OpKind, SegmentKind, WordSegment
from watcher.normalize import Block, BlockKind, render_block

PATH_SEPARATOR = " › "
_TOP = "(top of the page)"
_MARKERS = {
    OpKind.REPLACE: ("Changed", "±"),
    OpKind.INSERT: ("Added", "+"),
    OpKind.DELETE: ("Removed", "−"),
    OpKind.MOVE: ("Moved", "↷"),
}
_KIND_LABELS = {
    BlockKind.HEADING: "Heading",
    BlockKind.PARAGRAPH: "Paragraph",
    BlockKind.LIST_ITEM: "List item",
    BlockKind.TABLE_ROW: "Table row",
    BlockKind.LINK: "Link",
    BlockKind.FIELD: "Form field",
}

Entry = BlockOp | ContextBlock
# Which version of a block to show: the old one, the new one, or both marked up (inline view).
Side = Literal["old", "new", "both"]


@dataclass(frozen=True, slots=True)
class Hunk:
    entries: tuple[Entry, ...]

    @property
    def path(self) -> tuple[str, ...]:
        """Where the first change of the hunk is (context above it may sit higher up)."""
        first = next((e for e in self.entries if isinstance(e, BlockOp)), self.entries[0])
        return first.path


def hunks(ops: Sequence[BlockOp], context: Sequence[ContextBlock], size: int) -> list[Hunk]:
    """Ops with up to `size` unchanged blocks around each, split where blocks are skipped."""
    shown: set[int] = set()
    for op in ops:
        last = op.anchor - 1 if op.op is OpKind.DELETE else op.anchor
        shown.update(range(op.anchor - size, last + size + 1))
    entries: list[Entry] = sorted(
        [*ops, *(c for c in context if c.new_index in shown)], key=lambda e: e.sort_key
    )
    groups: list[list[Entry]] = []
    previous_last: int | None = None
    for entry in entries:
        first, last = _span(entry)
        if previous_last is None or first > previous_last + 1:
            groups.append([])
        groups[-1].append(entry)
        previous_last = last if previous_last is None else max(previous_last, last)
    return [Hunk(tuple(group)) for group in groups]


def _span(entry: Entry) -> tuple[int, int]:
    """The new-document indexes an entry covers (a deletion covers none: it sits before)."""
    if isinstance(entry, ContextBlock):
        return entry.new_index, entry.new_index
    if entry.op is OpKind.DELETE:
        return entry.anchor, entry.anchor - 1
    return entry.anchor, entry.anchor


def path_text(path: tuple[str, ...]) -> str:
    return PATH_SEPARATOR.join(path) if path else _TOP


# -- unified text -----------------------------------------------------------------------------


def unified(ops: Sequence[BlockOp], context: Sequence[ContextBlock], size: int) -> str:
    lines: list[str] = []
    for hunk in hunks(ops, context, size):
        lines.append(f"@@ {path_text(hunk.path)} @@")
        for entry in hunk.entries:
            lines.extend(_unified_lines(entry))
    return "\n".join(lines) + "\n" if lines else ""


def _unified_lines(entry: Entry) -> list[str]:
    if isinstance(entry, ContextBlock):
        return ["  " + render_block(entry.block)]
    if entry.op is OpKind.MOVE:
        return [f"~ {render_block(entry.block)}  (moved from {path_text(entry.old_path)})"]
    lines: list[str] = []
    if entry.old_block is not None:
        lines.append("- " + render_block(entry.old_block))
    if entry.new_block is not None:
        lines.append("+ " + render_block(entry.new_block))
    return lines


# -- inline HTML ------------------------------------------------------------------------------


def html_inline(ops: Sequence[BlockOp], context: Sequence[ContextBlock], size: int) -> str:
    parts = ['<div class="watcher-diff watcher-diff-inline">']
    for hunk in hunks(ops, context, size):
        parts.append('<section class="hunk">')
        parts.append(f'<p class="path">{escape(path_text(hunk.path))}</p>')
        for entry in hunk.entries:
            parts.append(_inline_entry(entry))
        parts.append("</section>")
    parts.append("</div>")
    return "\n".join(parts)


def _inline_entry(entry: Entry) -> str:
    if isinstance(entry, ContextBlock):
        return f'<div class="context">{_block_html(entry.block)}</div>'
    word, _symbol = _MARKERS[entry.op]
    label = _KIND_LABELS[entry.block.kind].lower()
    header = f'<p class="marker"><strong>{word}</strong> {escape(label)}'
    if entry.op is OpKind.MOVE:
        header += f" (from {escape(path_text(entry.old_path))})"
    header += "</p>"
    return f'<div class="op op-{entry.op.value}">{header}{_op_body(entry, "both")}</div>'


def _op_body(op: BlockOp, side: Side) -> str:
    """The block(s) of an op, as shown on one side."""
    if op.op is OpKind.REPLACE and op.old_block is not None and op.new_block is not None:
        return _replaced_html(op, side)
    if op.op is OpKind.INSERT:
        return "" if side == "old" else _block_html(op.block, mark="ins")
    if op.op is OpKind.DELETE:
        return "" if side == "new" else _block_html(op.block, mark="del")
    return _block_html(op.block)


def _replaced_html(op: BlockOp, side: Side) -> str:
    assert op.old_block is not None and op.new_block is not None
    wanted = {
        "old": (SegmentKind.EQUAL, SegmentKind.DELETE),
        "new": (SegmentKind.EQUAL, SegmentKind.INSERT),
        "both": tuple(SegmentKind),
    }[side]
    text = _segments_html(s for s in op.words if s.op in wanted)
    block = op.new_block if side != "old" else op.old_block
    parts = [f'<p class="text">{_kind_prefix(block)}{text}</p>']
    old_targets, new_targets = op.old_block.hrefs, op.new_block.hrefs
    if old_targets != new_targets:
        shown_old = "" if side == "new" else _targets_html(old_targets, "del")
        shown_new = "" if side == "old" else _targets_html(new_targets, "ins")
        parts.append(f'<p class="targets">Link target: {shown_old} {shown_new}</p>')
    elif new_targets:
        parts.append(f'<p class="targets">Link target: {_targets_html(new_targets)}</p>')
    extra = _field_html(block)
    return "".join(parts) + extra


def _segments_html(segments: Iterable[WordSegment]) -> str:
    out: list[str] = []
    for segment in segments:
        text = escape(segment.text)
        if segment.op is SegmentKind.INSERT:
            out.append(f"<ins>{text}</ins>")
        elif segment.op is SegmentKind.DELETE:
            out.append(f"<del>{text}</del>")
        else:
            out.append(text)
    return "".join(out)


def _block_html(block: Block, mark: str = "") -> str:
    text = escape(block.text)
    if mark:
        text = f"<{mark}>{text}</{mark}>"
    html = f'<p class="text">{_kind_prefix(block)}{text}</p>'
    if block.hrefs:
        html += f'<p class="targets">Link target: {_targets_html(block.hrefs, mark)}</p>'
    return html + _field_html(block)


def _kind_prefix(block: Block) -> str:
    if block.kind is BlockKind.HEADING:
        return f'<span class="kind">Heading {block.level}:</span> '
    if block.kind in (BlockKind.PARAGRAPH,):
        return ""
    return f'<span class="kind">{_KIND_LABELS[block.kind]}:</span> '


def _field_html(block: Block) -> str:
    if block.kind is not BlockKind.FIELD:
        return ""
    details = ", ".join(
        f"{key} {escape(value)}"
        for key, value in (("type", block.control), ("name", block.name))
        if value
    )
    return f'<p class="field">({details})</p>' if details else ""


def _targets_html(targets: Iterable[str], mark: str = "") -> str:
    shown = ", ".join(f"<code>{escape(t)}</code>" for t in dict.fromkeys(targets))
    return f"<{mark}>{shown}</{mark}>" if mark and shown else shown


# -- side by side HTML ------------------------------------------------------------------------


def html_side_by_side(ops: Sequence[BlockOp], context: Sequence[ContextBlock], size: int) -> str:
    parts = [
        '<table class="watcher-diff watcher-diff-side-by-side">',
        '<thead><tr><th scope="col">Change</th><th scope="col">Before</th>'
        '<th scope="col">After</th></tr></thead>',
    ]
    for hunk in hunks(ops, context, size):
        parts.append(
            f'<tbody><tr class="path"><th colspan="3" scope="rowgroup">'
            f"{escape(path_text(hunk.path))}</th></tr>"
        )
        parts.extend(_side_by_side_row(entry) for entry in hunk.entries)
        parts.append("</tbody>")
    parts.append("</table>")
    return "\n".join(parts)


def _side_by_side_row(entry: Entry) -> str:
    if isinstance(entry, ContextBlock):
        cell = _block_html(entry.block)
        return f'<tr class="context"><th scope="row"></th><td>{cell}</td><td>{cell}</td></tr>'
    word, symbol = _MARKERS[entry.op]
    marker = f'<th scope="row"><span aria-hidden="true">{symbol}</span> {word}</th>'
    if entry.op is OpKind.MOVE:
        before = f'<p class="moved">Was under {escape(path_text(entry.old_path))}</p>'
        after = _block_html(entry.block)
    else:
        before = _op_body(entry, "old")
        after = _op_body(entry, "new")
    return f'<tr class="op op-{entry.op.value}">{marker}<td>{before}</td><td>{after}</td></tr>'
