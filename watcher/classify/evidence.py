"""The sentences of a block operation that changed: what a finding quotes and what the lexicon
is matched against."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from watcher.classify.pages import Pages, sentence_key
from watcher.classify.sentences import quote, sentence_spans
from watcher.diff import BlockOp, OpKind
from watcher.normalize import Block

Span = tuple[int, int]


@dataclass(frozen=True)
class Side:
    """One side (before or after) of an op: its block and the spans of its changed sentences."""

    block: Block | None
    spans: tuple[Span, ...]

    @property
    def sentences(self) -> list[str]:
        if self.block is None:
            return []
        return [self.block.text[s:e] for s, e in self.spans]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    def text_of(self, span: Span) -> str:
        return self.block.text[span[0] : span[1]] if self.block is not None else ""

    def matching(self, predicate: Callable[[str], bool]) -> tuple[Span, ...]:
        if self.block is None:
            return ()
        text = self.block.text
        return tuple((s, e) for s, e in self.spans if predicate(text[s:e]))

    def quote(self, spans: Sequence[Span] | None = None, *, with_links: bool = False) -> str:
        if self.block is None:
            return ""
        chosen = self.spans if spans is None else spans
        return " ".join(quote(self.block, s, e, with_links=with_links) for s, e in chosen)

    def sentence_around(self, start: int, end: int) -> tuple[Span, Span | None]:
        """The span of the sentence containing `[start, end)`, and of the sentence before."""
        if self.block is None:
            return (start, end), None
        spans = sentence_spans(self.block.text)
        for index, (s, e) in enumerate(spans):
            if s <= start and end <= e:
                return (s, e), spans[index - 1] if index else None
        return (0, len(self.block.text)), None


@dataclass(frozen=True)
class OpEvidence:
    op: BlockOp
    before: Side
    after: Side


def evidence_of(op: BlockOp, pages: Pages | None = None) -> OpEvidence:
    """The sentences of an op that changed. Knowing the whole documents (`pages`), a sentence
    the other document has anywhere is not among them: it moved, or was shown expanded."""
    old, new = op.old_block, op.new_block
    if op.op is OpKind.REPLACE and old is not None and new is not None:
        before, after = _changed_sentences(old, new, pages or Pages.none())
        return OpEvidence(op, Side(old, before), Side(new, after))
    if op.op is OpKind.MOVE or pages is None or not pages.known:
        return OpEvidence(op, _whole(old), _whole(new))
    return OpEvidence(op, _unseen(old, pages.in_new), _unseen(new, pages.in_old))


def _unseen(block: Block | None, seen: Callable[[str], bool]) -> Side:
    """The sentences of a whole block that the other document does not have."""
    if block is None:
        return Side(None, ())
    spans = tuple((s, e) for s, e in sentence_spans(block.text) if not seen(block.text[s:e]))
    return Side(block, spans)


def _whole(block: Block | None) -> Side:
    if block is None:
        return Side(None, ())
    return Side(block, tuple(sentence_spans(block.text)))


def _changed_sentences(
    old: Block, new: Block, pages: Pages
) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """Sentences of each side that the other side does not have word for word (renames
    aside), nor the other document anywhere; when the text is the same (a link target
    changed), the sentences holding the links that changed."""
    old_spans, new_spans = sentence_spans(old.text), sentence_spans(new.text)
    old_keys = {pages.old_key(old.text[s:e]) for s, e in old_spans}
    new_keys = {sentence_key(new.text[s:e]) for s, e in new_spans}
    removed = tuple(
        (s, e)
        for s, e in old_spans
        if pages.old_key(old.text[s:e]) not in new_keys and not pages.in_new(old.text[s:e])
    )
    added = tuple(
        (s, e)
        for s, e in new_spans
        if sentence_key(new.text[s:e]) not in old_keys and not pages.in_old(new.text[s:e])
    )
    if removed or added:
        return removed, added
    if pages.known and old.hrefs == new.hrefs:
        return (), ()  # the same sentences, renamed or moved about: nothing was said anew
    around_old = _spans_with_links(old, old_spans, set(old.hrefs) - set(new.hrefs))
    around_new = _spans_with_links(new, new_spans, set(new.hrefs) - set(old.hrefs))
    if around_old or around_new:
        return around_old, around_new
    return tuple(old_spans), tuple(new_spans)


def _spans_with_links(block: Block, spans: list[Span], hrefs: set[str]) -> tuple[Span, ...]:
    if block.href is not None and block.href in hrefs:
        return tuple(spans)
    wanted = [link for link in block.links if link.href in hrefs]
    return tuple(
        (s, e) for s, e in spans if any(s <= link.start and link.end <= e for link in wanted)
    )
