"""Previous `Document` vs new `Document` → `Change`: block operations (insert, delete, replace,
move) with word-level detail, renderable as unified text or HTML and stored as JSON. Pure."""

from watcher.diff.change import Change, diff_documents, heading_paths
from watcher.diff.ops import BlockOp, ContextBlock, OpKind, SegmentKind, WordSegment
from watcher.diff.render import PATH_SEPARATOR, path_text

__all__ = [
    "PATH_SEPARATOR",
    "BlockOp",
    "Change",
    "ContextBlock",
    "OpKind",
    "SegmentKind",
    "WordSegment",
    "diff_documents",
    "heading_paths",
    "path_text",
]
