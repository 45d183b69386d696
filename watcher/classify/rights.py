"""Rules about people's rights and the law: objection/opt-out, legal basis, region clauses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from watcher.classify.evidence import OpEvidence, Side, Span
from watcher.classify.finding import Finding, FindingKind, Severity
from watcher.classify.lexicon import Terms
from watcher.classify.rules import Context, finding
from watcher.diff import OpKind, path_text
from watcher.normalize import BlockKind

_BASIS_NAMES = {
    "consent": "consent",
    "legitimate_interests": "legitimate interests",
    "contract": "contract",
    "legal_obligation": "legal obligation",
    "vital_interests": "vital interests",
    "public_interest": "public interest",
}


# Share of words two wordings of an objection statement have in common, in order, above which
# the rewording changes nothing a reader relies on ("your information" → "this information").
_SAME_WORDING = 0.8
# Options of a select named in a finding's note before "and N more".
_OPTIONS_SHOWN = 8
# Words read on each side of a region clause when telling whether it changed.
_CLAUSE_WORDS_BEFORE = 6
_CLAUSE_WORDS_AFTER = 10


@dataclass(frozen=True)
class _Link:
    text: str
    href: str
    span: Span  # the sentence holding it
    lead_in: Span | None  # the sentence before, which often says what the link is for


def _opt_out_links(side: Side, context: Context) -> list[_Link]:
    """Links of one side that lead to an objection or opt-out: by their words, the words of
    their sentence or of the sentence before ("You can manage your objections in one place.
    [Go to privacy support]"), or a contact-form URL."""
    block = side.block
    if block is None:
        return []
    found: list[tuple[str, str, int, int]] = []
    if block.kind is BlockKind.LINK and block.href is not None:
        found.append((block.text, block.href, 0, len(block.text)))
    found.extend((block.link_text(x), x.href, x.start, x.end) for x in block.links)
    links: list[_Link] = []
    words, documents = context.lexicon.opt_out, context.lexicon.document_links
    for text, href, start, end in found:
        span, lead_in = side.sentence_around(start, end)
        if words.any_in(text):
            links.append(_Link(text, href, span, lead_in))
            continue
        # A contact form is not an objection form unless the words around it say so (Meta's
        # data-protection officer and support forms live at the same kind of address), and a
        # link naming a document ("View our previous policy") is that document, whatever the
        # sentence before it says.
        said = block.text[slice(*lead_in)] + " " if lead_in else ""
        said += block.text[slice(*span)]
        if words.any_in(said) and not documents.any_in(text):
            links.append(_Link(text, href, span, lead_in))
    return links


@dataclass(frozen=True)
class LinkFindings:
    """Objection-link findings keyed by the op they are shown at, and every op they cover."""

    by_op: dict[int, list[Finding]]
    covered: frozenset[int]


def opt_out_link_changes(evidences: Sequence[OpEvidence], context: Context) -> LinkFindings:
    """Objection links that appeared, disappeared or now point elsewhere, over the whole change
    (a link is gone only if its target left the whole page; a link removed in one block and
    another added elsewhere is one link that moved)."""
    words = context.lexicon.opt_out
    removed: list[tuple[int, _Link]] = []
    added: list[tuple[int, _Link]] = []
    for index, evidence in enumerate(evidences):
        if evidence.op.op is OpKind.MOVE:
            continue
        removed += [
            (index, link)
            for link in _opt_out_links(evidence.before, context)
            if link.href not in context.hrefs_after
        ]
        added += [
            (index, link)
            for link in _opt_out_links(evidence.after, context)
            if link.href not in context.hrefs_before
        ]
    found: dict[int, list[Finding]] = {}
    for (old_index, old), (new_index, new) in zip(removed, added, strict=False):
        note = f"objection link now points to {new.href} (was {old.href})"
        before = _quote_link(evidences[old_index], evidences[old_index].before, old, words)
        after = _quote_link(evidences[new_index], evidences[new_index].after, new, words)
        path = path_text(evidences[new_index].op.path)
        found.setdefault(new_index, []).append(
            Finding(
                FindingKind.OPT_OUT_CHANGED,
                Severity.HIGH,
                before,
                after,
                path,
                context.region,
                note,
            )
        )
    pairs = min(len(removed), len(added))
    for index, link in removed[pairs:]:
        note = f"objection link removed: {link.text} ({link.href})"
        quoted = _quote_link(evidences[index], evidences[index].before, link, words)
        path = path_text(evidences[index].op.path)
        found.setdefault(index, []).append(
            Finding(
                FindingKind.OPT_OUT_CHANGED, Severity.HIGH, quoted, "", path, context.region, note
            )
        )
    covered = frozenset(index for index, _ in removed + added)
    for index, link in added[pairs:]:
        note = f"objection link added: {link.text} ({link.href})"
        quoted = _quote_link(evidences[index], evidences[index].after, link, words)
        path = path_text(evidences[index].op.path)
        found.setdefault(index, []).append(
            Finding(
                FindingKind.OPT_OUT_CHANGED, Severity.MEDIUM, "", quoted, path, context.region, note
            )
        )
    return LinkFindings(found, covered)


def _quote_link(evidence: OpEvidence, side: Side, link: _Link, words: Terms) -> str:
    """The link's sentence with the sentences about objecting around it; in an edited block
    also the other sentences that changed with it ("If you already objected, you don't need
    to do it again.")."""
    spans = {link.span, *side.matching(words.any_in)}
    if link.lead_in is not None:
        spans.add(link.lead_in)
    if evidence.op.op is OpKind.REPLACE:
        spans.update(side.spans)
    return side.quote(sorted(spans), with_links=True)


def opt_out_changed(evidence: OpEvidence, context: Context) -> Finding | None:
    """Form fields of an objection form, and statements of the right to object (links are
    judged over the whole change by `opt_out_link_changes`)."""
    if evidence.op.block.kind is BlockKind.FIELD:
        return _field_changed(evidence, context)
    return _opt_out_wording(evidence, context)


def _field_changed(evidence: OpEvidence, context: Context) -> Finding:
    op = evidence.op
    block = op.block
    label = block.text or block.name or "(no label)"
    if op.op is OpKind.DELETE:
        note, severity = f"form field removed: {label}", Severity.HIGH
    elif op.op is OpKind.INSERT:
        note, severity = f"form field added: {label}", Severity.MEDIUM
    else:
        note, severity = f"form field changed: {label}", Severity.MEDIUM
        old_options = op.old_block.options if op.old_block is not None else ()
        dropped = [o for o in old_options if o not in block.options]
        offered = [o for o in block.options if o not in old_options]
        if dropped:
            note += f"; no longer offers {_listed(dropped)}"
            severity = Severity.HIGH  # someone there can no longer pick their country
        if offered:
            note += f"; now offers {_listed(offered)}"
    return finding(FindingKind.OPT_OUT_CHANGED, severity, evidence, context, note)


def _listed(options: list[str]) -> str:
    shown = ", ".join(options[:_OPTIONS_SHOWN])
    more = len(options) - _OPTIONS_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _opt_out_wording(evidence: OpEvidence, context: Context) -> Finding | None:
    words = context.lexicon.opt_out
    before = evidence.before.matching(words.any_in)
    after = evidence.after.matching(words.any_in)
    if not before and not after:
        return None
    # Removed only if none of its objection words is left anywhere on the new side (a
    # statement that moved to another block, reworded, is still there).
    said_before = words.found_in(evidence.before.text)
    lost = bool(said_before) and not said_before & context.opt_out_after
    still_in_block = evidence.after.block is not None and said_before <= words.found_in(
        evidence.after.block.text
    )
    if before and not after and lost:
        note, severity = "a statement of the right to object was removed", Severity.HIGH
    elif before and not after and still_in_block:
        return None  # the edited block still states it: sentences around it changed
    elif after and not before:
        note, severity = "a statement of the right to object was added", Severity.MEDIUM
    elif _same_statement(_joined(evidence.before, before), _joined(evidence.after, after), context):
        return None  # the same right in nearly the same words: the rewording is cosmetic
    else:
        note, severity = "a statement of the right to object was reworded", Severity.MEDIUM
    return finding(
        FindingKind.OPT_OUT_CHANGED,
        severity,
        evidence,
        context,
        note,
        before=before,
        after=after,
        terms=words.found_in(evidence.before.text) | words.found_in(evidence.after.text),
    )


def _joined(side: Side, spans: tuple[Span, ...]) -> str:
    return " ".join(side.text_of(span) for span in spans)


def _same_statement(before: str, after: str, context: Context) -> bool:
    """Two wordings of one statement: the same objection words, the same negations, and
    most words in common."""
    lexicon = context.lexicon
    if lexicon.opt_out.found_in(before) != lexicon.opt_out.found_in(after):
        return False
    if lexicon.negations.found_in(before) != lexicon.negations.found_in(after):
        return False
    old, new = before.casefold().split(), after.casefold().split()
    return SequenceMatcher(None, old, new, autojunk=False).ratio() >= _SAME_WORDING


def region_restriction(evidence: OpEvidence, context: Context) -> Finding | None:
    clauses = context.lexicon.region_clauses
    names = context.lexicon.region_names(context.region)
    op = evidence.op
    if op.op is OpKind.MOVE:
        return _moved_between_regions(evidence, context)
    transfers = context.lexicon.data_transfers
    if any(transfers.any_in(heading) for heading in op.path):
        return None  # under "data transfers": where information goes, not whom a text covers

    def limits_whom(sentence: str) -> bool:
        # "…outside the EEA, including to the United States" in a sentence on transfers says
        # where data goes; a clause limiting whom the text covers is not about transfers.
        return clauses.any_in(sentence) and not transfers.any_in(sentence)

    before = evidence.before.matching(limits_whom)
    after = evidence.after.matching(limits_whom)
    if not before and not after:
        return None
    clauses_before, clauses_after = _texts(evidence.before, before), _texts(evidence.after, after)
    if _clause_words(clauses_before, clauses) == _clause_words(clauses_after, clauses):
        return None  # the clauses read the same: only a link in them or words around changed
    named_before = any(names.any_in(s) for s in clauses_before)
    named_after = any(names.any_in(s) for s in clauses_after)
    concerned = named_before != named_after
    if before and not after:
        what = "region clause removed"
    elif after and not before:
        what = "region clause added"
    else:
        what = "region clause changed"
    if concerned:
        what += f" ({context.region} {'now named' if named_after else 'no longer named'})"
    terms = clauses.found_in(evidence.before.text) | clauses.found_in(evidence.after.text)
    return finding(
        FindingKind.REGION_RESTRICTION,
        Severity.HIGH if concerned else Severity.MEDIUM,
        evidence,
        context,
        what,
        before=before,
        after=after,
        terms=terms,
    )


def _moved_between_regions(evidence: OpEvidence, context: Context) -> Finding | None:
    op = evidence.op
    clauses = context.lexicon.region_clauses
    if op.path == op.old_path or not any(clauses.any_in(h) for h in (*op.path, *op.old_path)):
        return None
    note = f"moved from '{path_text(op.old_path)}' to '{path_text(op.path)}'"
    return finding(FindingKind.REGION_RESTRICTION, Severity.MEDIUM, evidence, context, note)


def _clause_words(sentences: list[str], clauses: Terms) -> list[str]:
    """Each region clause with the few words around it that say what it limits, the way a
    reader compares two versions of it ("…academics both in and outside the EEA")."""
    found: list[str] = []
    for sentence in sentences:
        folded = sentence.casefold()
        for start, end in clauses.spans_in(folded):
            before = folded[:start].split()[-_CLAUSE_WORDS_BEFORE:]
            after = folded[end:].split()[:_CLAUSE_WORDS_AFTER]
            found.append(" ".join([*before, folded[start:end], *after]))
    return sorted(found)


def _texts(side: Side, spans: tuple[Span, ...]) -> list[str]:
    return [side.block.text[s:e] for s, e in spans] if side.block is not None else []


def legal_basis_changed(evidence: OpEvidence, context: Context) -> Finding | None:
    lexicon, op = context.lexicon, evidence.op
    before = lexicon.bases_in(evidence.before.text)
    after = lexicon.bases_in(evidence.after.text)
    if before == after or op.op is OpKind.MOVE:
        return None
    about_basis = lexicon.legal_basis_context
    both_sides = op.op is OpKind.REPLACE and before and after
    stated = any(
        about_basis.any_in(text)
        for text in (evidence.before.text, evidence.after.text, *op.path, *op.old_path)
    )
    if not both_sides and not stated:
        return None  # "consent" in passing, not a statement of the legal basis
    old, new = _names(before), _names(after)
    if before and after:
        note, severity = f"legal basis changed from {old} to {new}", Severity.HIGH
    elif before:
        note, severity = f"legal basis removed: {old}", Severity.HIGH
    else:
        note, severity = f"legal basis added: {new}", Severity.MEDIUM
    in_before = evidence.before.matching(lambda s: bool(lexicon.bases_in(s)))
    in_after = evidence.after.matching(lambda s: bool(lexicon.bases_in(s)))
    return finding(
        FindingKind.LEGAL_BASIS_CHANGED,
        severity,
        evidence,
        context,
        note,
        before=in_before,
        after=in_after,
        terms=before ^ after,
    )


def _names(bases: frozenset[str]) -> str:
    return ", ".join(_BASIS_NAMES.get(b, b) for b in sorted(bases))
