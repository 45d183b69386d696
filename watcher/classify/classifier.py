"""`classify`: a `Change` → the findings a subscriber reads (severity rules in `rules.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from watcher.classify.evidence import OpEvidence, evidence_of
from watcher.classify.finding import Finding, FindingKind, Severity
from watcher.classify.lexicon import Lexicon, default_lexicon
from watcher.classify.pages import Pages, sentence_key
from watcher.classify.rights import (
    legal_basis_changed,
    opt_out_changed,
    opt_out_link_changes,
    region_restriction,
)
from watcher.classify.rules import (
    Context,
    Rule,
    data_use_expanded,
    date_only_change,
    effective_date,
    new_data_category,
    only_dates_changed,
)
from watcher.diff import BlockOp, Change, OpKind, path_text
from watcher.diff.summary import summarize
from watcher.normalize import BlockKind, Document

# A cosmetic finding quotes the first few blocks it covers; its note counts them all.
_COSMETIC_QUOTES = 3
_RULES: tuple[Rule, ...] = (
    effective_date,
    new_data_category,
    data_use_expanded,
    opt_out_changed,
    region_restriction,
    legal_basis_changed,
)
_LINK_RULES: tuple[Rule, ...] = (opt_out_changed,)


def classify(
    change: Change,
    *,
    region: str,
    lexicon: Lexicon | None = None,
    before: Document | None = None,
    after: Document | None = None,
) -> list[Finding]:
    """Findings of a change, most severe first (page order within a severity).

    Given the two whole documents (`before`, `after`), a sentence the old document already
    had somewhere is not new where it shows up, a heading naming kinds of data it already
    named is not a new category, and a name substituted the same way throughout is
    a rename (see `pages`).
    The ops no rule explains (rewording, layout) are gathered in one `cosmetic` finding whose
    note summarizes them, so every stored change says something and nothing goes unmentioned.
    """
    words = lexicon or default_lexicon()
    pages = (
        Pages.of(change, before, after, words)
        if before is not None and after is not None
        else Pages.none()
    )
    context = Context(
        pages=pages,
        region=region,
        lexicon=words,
        hrefs_before=_hrefs(change.ops, before, after=False),
        hrefs_after=_hrefs(change.ops, after, after=True),
        opt_out_after=words.opt_out.found_in(
            " ".join(op.new_block.text for op in change.ops if op.new_block is not None)
        ),
    )
    evidences = [evidence_of(op, pages) for op in change.ops]
    link_findings = opt_out_link_changes(evidences, context)
    findings: list[Finding] = []
    unexplained: list[OpEvidence] = []
    for index, evidence in enumerate(evidences):
        linked = link_findings.by_op.get(index, [])
        covered = index in link_findings.covered
        found = linked + _classify_op(evidence, context, links_reported=covered)
        findings.extend(found)
        if not found and not covered:
            unexplained.append(evidence)
    findings = _merge_halves(findings, context)
    if unexplained:
        findings.append(_cosmetic(unexplained, context))
    unique = list(dict.fromkeys(findings))
    return sorted(unique, key=lambda f: -f.severity.rank)  # most severe first


def _classify_op(evidence: OpEvidence, context: Context, *, links_reported: bool) -> list[Finding]:
    if only_dates_changed(evidence.op):
        return [date_only_change(evidence, context)]
    if _says_nothing_new(evidence, context):
        return []
    # The same words with other links: only what the links lead to can have changed.
    rules = _LINK_RULES if _same_words(evidence.op, context) else _RULES
    findings: list[Finding] = []
    for rule in rules:
        if rule is opt_out_changed and links_reported:
            continue  # the objection link already tells this op's story
        found = rule(evidence, context)
        if found is not None:
            findings.append(found)
    return findings


def _same_words(op: BlockOp, context: Context) -> bool:
    old, new = op.old_block, op.new_block
    if op.op is not OpKind.REPLACE or old is None or new is None:
        return False
    return context.pages.old_key(old.text) == sentence_key(new.text)


def _says_nothing_new(evidence: OpEvidence, context: Context) -> bool:
    """Every sentence of the op is somewhere in the other document (renames aside), and its
    links lead where they led: text re-rendered, moved or renamed."""
    op = evidence.op
    if not context.pages.known or op.op is OpKind.MOVE or op.block.kind is BlockKind.FIELD:
        return False
    if evidence.before.spans or evidence.after.spans:
        return False
    return op.op is not OpKind.REPLACE or not op.link_target_changed


def _hrefs(ops: tuple[BlockOp, ...], document: Document | None, *, after: bool) -> frozenset[str]:
    """Every link target of one side: of the whole document when it is known (a link is
    added or gone only if its target is new to, or left, the whole page), else of the ops."""
    if document is not None:
        return frozenset(href for block in document.blocks for href in block.hrefs)
    blocks = (op.new_block if after else op.old_block for op in ops)
    return frozenset(href for block in blocks if block is not None for href in block.hrefs)


def _merge_halves(findings: list[Finding], context: Context) -> list[Finding]:
    """A dated line or a region clause removed in one place and another added elsewhere
    (reworded beyond recognition, so not paired as one edited block) is one change."""
    merged: dict[Finding, Finding | None] = {}
    for kind in (FindingKind.EFFECTIVE_DATE_CHANGED, FindingKind.REGION_RESTRICTION):
        removed = [f for f in findings if f.kind is kind and not f.evidence_after]
        added = [f for f in findings if f.kind is kind and not f.evidence_before]
        for old, new in zip(removed, added, strict=False):
            merged[old] = _joined_finding(old, new, context)
            merged[new] = None
    result: list[Finding] = []
    for f in findings:
        replacement = merged.get(f, f)
        if replacement is not None:
            result.append(replacement)
    return result


def _joined_finding(old: Finding, new: Finding, context: Context) -> Finding:
    if old.kind is FindingKind.EFFECTIVE_DATE_CHANGED:
        note = f"{old.note.split(' → ')[0]} → {new.note.split(' → ')[-1]}"
        severity = Severity.MEDIUM
    else:
        names = context.lexicon.region_names(context.region)
        concerned = names.any_in(old.evidence_before) != names.any_in(new.evidence_after)
        note = "region clause changed"
        severity = Severity.HIGH if concerned else Severity.MEDIUM
        if concerned:
            named = "now named" if names.any_in(new.evidence_after) else "no longer named"
            note += f" ({context.region} {named})"
    return replace(
        new,
        severity=severity,
        evidence_before=old.evidence_before,
        note=note,
        terms=tuple(sorted({*old.terms, *new.terms})),
    )


def _cosmetic(evidences: list[OpEvidence], context: Context) -> Finding:
    shown = evidences[:_COSMETIC_QUOTES]
    return Finding(
        kind=FindingKind.COSMETIC,
        severity=Severity.LOW,
        evidence_before=_joined(e.before.quote() for e in shown if e.op.op is not OpKind.MOVE),
        evidence_after=_joined(e.after.quote() for e in shown),
        path=path_text(shown[0].op.path),
        region=context.region,
        note=summarize([e.op for e in evidences]),
    )


def _joined(quotes: Iterable[str]) -> str:
    return " … ".join(q for q in quotes if q)
