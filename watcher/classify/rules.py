"""One rule per kind of finding, each reading one block operation.

Severity rules (what a subscriber is woken up for):

- new_data_category: always high (a new kind of personal data is collected).
- data_use_expanded: always high (data put to a new purpose).
- opt_out_changed: high when an objection link or statement is removed, an objection link
  points somewhere else, or a form field is removed; medium when one is added or reworded.
- region_restriction: high when the watched region is named on one side of the clause only
  (the clause now covers it, or no longer does); medium for any other region clause change and
  for a block moved between sections whose headings are region clauses.
- legal_basis_changed: high when a basis is replaced by another or removed; medium when added.
- effective_date_changed: always medium (a date says nothing of what changed: read the rest).
- cosmetic: always low; given only when nothing else matched the whole change.

A replaced block whose only difference is a date gives `effective_date_changed` and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from watcher.classify.evidence import OpEvidence, Side, Span
from watcher.classify.finding import Finding, FindingKind, Severity
from watcher.classify.lexicon import Lexicon, Terms
from watcher.classify.pages import ISO_DATE, Pages, states_effective_date
from watcher.diff import BlockOp, OpKind, path_text
from watcher.normalize import BlockKind

# Contact-form URLs: where Meta's objection forms have lived (help/contact/<id>).
FORM_URL = re.compile(r"/(?:help/)?contact/\d+")
_LISTED_KINDS = (BlockKind.LIST_ITEM, BlockKind.TABLE_ROW)
# A purposes table: what is done, (the basis,) and the data used for it.
_PURPOSE_ROW_CELLS = 2


@dataclass(frozen=True)
class Context:
    """What every rule needs besides the op: the target's region and the vocabulary, and the
    link targets and objection words found anywhere on each side of the whole change (what
    left one block for another did not disappear)."""

    region: str
    lexicon: Lexicon
    hrefs_before: frozenset[str]
    hrefs_after: frozenset[str]
    # Objection words anywhere on the new side of the change: a statement that left one
    # block for another was not removed.
    opt_out_after: frozenset[str] = frozenset()
    # The two whole documents, when known: what the old one stated anywhere is not new.
    pages: Pages = field(default_factory=Pages.none)


Rule = Callable[[OpEvidence, Context], Finding | None]


def finding(
    kind: FindingKind,
    severity: Severity,
    evidence: OpEvidence,
    context: Context,
    note: str,
    *,
    before: tuple[Span, ...] | None = None,
    after: tuple[Span, ...] | None = None,
    terms: frozenset[str] = frozenset(),
    with_links: bool = False,
) -> Finding:
    """A finding quoting the matched sentences; a side with no matched sentence quotes all its
    changed sentences (the counterpart of what matched on the other side)."""
    return Finding(
        kind=kind,
        severity=severity,
        evidence_before=evidence.before.quote(before or None, with_links=with_links),
        evidence_after=evidence.after.quote(after or None, with_links=with_links),
        path=path_text(evidence.op.path),
        region=context.region,
        note=note,
        terms=tuple(sorted(terms)),
    )


def only_dates_changed(op: BlockOp) -> bool:
    old, new = op.old_block, op.new_block
    if op.op is not OpKind.REPLACE or old is None or new is None or old.hrefs != new.hrefs:
        return False
    return old.text != new.text and ISO_DATE.sub("#", old.text) == ISO_DATE.sub("#", new.text)


def date_only_change(evidence: OpEvidence, context: Context) -> Finding:
    old_dates = ISO_DATE.findall(evidence.before.text)
    new_dates = ISO_DATE.findall(evidence.after.text)
    effective = context.lexicon.effective_date.any_in(evidence.after.text)
    what = "effective date" if effective else "a date"
    note = f"{what} changed from {', '.join(old_dates)} to {', '.join(new_dates)}"
    return finding(FindingKind.EFFECTIVE_DATE_CHANGED, Severity.MEDIUM, evidence, context, note)


def effective_date(evidence: OpEvidence, context: Context) -> Finding | None:
    """A dated "Effective …" / "Last updated …" line added or removed."""

    def dated(sentence: str) -> bool:
        return states_effective_date(sentence, context.lexicon)

    before = evidence.before.matching(dated)
    after = evidence.after.matching(dated)
    if not before and not after:
        return None
    old = ", ".join(ISO_DATE.findall(evidence.before.quote(before))) if before else ""
    new = ", ".join(ISO_DATE.findall(evidence.after.quote(after))) if after else ""
    if old == new:
        return None  # the dated line was reworded ("Center" → "Centre"), its date is the same
    pages = context.pages
    if pages.known and pages.effective_dates[0] == pages.effective_dates[1]:
        return None  # a second dated line (a banner) came or went; the documents' dates stand
    note = f"effective date {old or '(none)'} → {new or '(none)'}"
    return finding(
        FindingKind.EFFECTIVE_DATE_CHANGED,
        Severity.MEDIUM,
        evidence,
        context,
        note,
        before=before,
        after=after,
    )


def _under(headings: Terms, op: BlockOp) -> str:
    return next((h for h in reversed(op.path) if headings.any_in(h)), "")


def new_data_category(evidence: OpEvidence, context: Context) -> Finding | None:
    """A kind of data the block did not name before, in a sentence that says it is collected
    (or anywhere in a section that lists collected data); an item added to such a list."""
    lexicon, op = context.lexicon, evidence.op
    if op.op is OpKind.DELETE:
        return None
    old_block = op.old_block.text if op.old_block is not None else ""
    before = lexicon.data_categories.found_in(old_block)
    if op.op is OpKind.INSERT and op.block.kind is BlockKind.HEADING:
        # A new heading (an expanded section's title) naming kinds of data the document
        # already named elsewhere is not a new category. In a new sentence, row or item a
        # named kind of data still is: the lexicon's words are too broad to tell a new use of
        # them from an old one ("interactions with" ≠ "AI interactions").
        before |= context.pages.old_data

    def names_new_data(sentence: str) -> bool:
        # "We don't use your interactions with AI for ads" names data without collecting it.
        new = lexicon.data_categories.found_in(sentence) - before
        return bool(new) and not lexicon.negations.any_in(sentence)

    spans = evidence.after.matching(names_new_data)
    texts = [evidence.after.text_of(span) for span in spans]
    added = frozenset().union(*(lexicon.data_categories.found_in(t) for t in texts)) - before
    section = _under(lexicon.collection_headings, op)
    said_collected = any(lexicon.collection_context.any_in(t) for t in texts)
    if added and (section or said_collected):
        note = "new kind of data: " + ", ".join(sorted(added))
    elif op.op is OpKind.INSERT and section and op.block.kind in _LISTED_KINDS:
        note = f"new item listed under '{section}'"
    else:
        return None
    return finding(
        FindingKind.NEW_DATA_CATEGORY,
        Severity.HIGH,
        evidence,
        context,
        note,
        after=spans,
        terms=added,
    )


def data_use_expanded(evidence: OpEvidence, context: Context) -> Finding | None:
    """A purpose that is new in the block, or that was denied or paused before ("we have paused
    our plans to use … to train AI") and is now stated plainly ("we will use … to train AI")."""
    lexicon, op = context.lexicon, evidence.op
    if op.op is OpKind.DELETE:
        return None
    added = lexicon.purposes_in(evidence.after.text) - lexicon.purposes_in(evidence.before.text)
    resumed = _affirmed(evidence.after, lexicon) & (
        _denied(evidence.before, lexicon) - _affirmed(evidence.before, lexicon)
    )
    fresh = added | resumed
    added_to_row = _data_added_to_row(evidence, lexicon)
    if added_to_row:
        note = f"now used for this purpose: {', '.join(sorted(added_to_row))} (added to its row)"
        spans = evidence.after.matching(lambda s: bool(lexicon.data_categories.found_in(s)))
        return finding(
            FindingKind.DATA_USE_EXPANDED,
            Severity.HIGH,
            evidence,
            context,
            note,
            after=spans,
            terms=added_to_row,
        )
    listed_use = _listed_under_use(evidence, lexicon)
    if listed_use:
        note = f"now used for {', '.join(sorted(listed_use))}: a new item in the list"
        return finding(
            FindingKind.DATA_USE_EXPANDED, Severity.HIGH, evidence, context, note, terms=listed_use
        )
    if not fresh:
        return None

    def states_use(sentence: str) -> bool:
        # Not "we don't use … to train", nor "Object to the use of … for AI": neither is a use.
        return (
            bool(_new_uses(sentence) & fresh)
            and not lexicon.negations.any_in(sentence)
            and not lexicon.opt_out.any_in(sentence)
        )

    def _new_uses(sentence: str) -> frozenset[str]:
        """The sentence's purposes that are new to the whole old document: a purpose it never
        stated, or one it stated but never together with a kind of data or another purpose
        this sentence names with it (personalizing ads is old, personalizing AI features may
        not be; a purpose stated again, with what it was stated with before, is a rewrite).
        A purpose resumed after a denial, here or anywhere in the old document, is new."""
        stated = lexicon.purposes_in(sentence)
        pages = context.pages
        if not pages.known:
            return stated
        uses = pages.old_uses
        named = lexicon.data_categories.found_in(sentence) | stated
        return frozenset(
            purpose
            for purpose in stated
            if purpose in resumed
            or purpose not in uses.purposes
            or any(
                (other, purpose) not in uses.pairs or (other, purpose) in uses.denied
                for other in named - {purpose}
            )
        )

    spans = evidence.after.matching(states_use)
    with_verb = tuple(s for s in spans if lexicon.use_verbs.any_in(evidence.after.text_of(s)))
    if not with_verb and not (spans and _under(lexicon.use_headings, op)):
        return None
    note = "data used for a new purpose: " + ", ".join(sorted(fresh))
    if resumed and not added:
        note = "a use no longer paused or denied: " + ", ".join(sorted(resumed))
    return finding(
        FindingKind.DATA_USE_EXPANDED,
        Severity.HIGH,
        evidence,
        context,
        note,
        after=with_verb or spans,
        terms=fresh,
    )


def _data_added_to_row(evidence: OpEvidence, lexicon: Lexicon) -> frozenset[str]:
    """Kinds of data a row of a purposes table lists now and did not list before, in a
    sentence or item of its own ("Messages you send and receive" added to the safety row)."""
    op = evidence.op
    if op.op is not OpKind.REPLACE or op.block.kind is not BlockKind.TABLE_ROW:
        return frozenset()
    if len(op.block.cells) < _PURPOSE_ROW_CELLS:
        return frozenset()
    named_before = lexicon.data_categories.found_in(evidence.before.text)
    added = frozenset().union(
        *(
            lexicon.data_categories.found_in(sentence)
            for sentence in evidence.after.sentences
            if not lexicon.negations.any_in(sentence)
        )
    )
    return added - named_before


def _listed_under_use(evidence: OpEvidence, lexicon: Lexicon) -> frozenset[str]:
    """The purposes named by the heading right above a new list item, when that heading says
    what the items are used for ("Information we use for ads")."""
    op = evidence.op
    if op.op is not OpKind.INSERT or op.block.kind not in _LISTED_KINDS:
        return frozenset()
    heading = op.path[-1] if op.path else ""
    if lexicon.use_verbs.any_in(heading) and not lexicon.negations.any_in(heading):
        return lexicon.purposes_in(heading)
    return frozenset()


def _affirmed(side: Side, lexicon: Lexicon) -> frozenset[str]:
    """Purposes stated in sentences without a negation."""
    return frozenset().union(
        *(lexicon.purposes_in(s) for s in side.sentences if not lexicon.negations.any_in(s))
    )


def _denied(side: Side, lexicon: Lexicon) -> frozenset[str]:
    """Purposes stated in sentences with a negation ("we don't use … to train")."""
    return frozenset().union(
        *(lexicon.purposes_in(s) for s in side.sentences if lexicon.negations.any_in(s))
    )
