"""The states of a page's objection forms as a document, and findings from two such documents."""

from __future__ import annotations

from collections.abc import Sequence

from watcher.classify import Finding, FindingKind, Severity
from watcher.normalize import Block, BlockKind, Document, InlineLink
from watcher.optout.form import FormState

OPT_OUT_SUFFIX = "/opt-out"
TITLE = "Objection and opt-out forms linked from this page"


def opt_out_document(states: Sequence[FormState]) -> Document:
    """One heading, then per link a line naming it and its target, and a line with its state."""
    blocks = [Block(kind=BlockKind.HEADING, text=TITLE, level=1)]
    for state in states:
        label = _one_line(state.link_text) or state.href
        line = f"{label} → {state.href}"
        start = len(label) + 3
        blocks.append(
            Block(
                kind=BlockKind.LIST_ITEM,
                text=line,
                links=(InlineLink(start=start, end=len(line), href=state.href),),
            )
        )
        blocks.append(Block(kind=BlockKind.PARAGRAPH, text=f"State: {state.describe()}"))
        if state.final_url != state.href:
            blocks.append(Block(kind=BlockKind.PARAGRAPH, text=f"Opens: {state.final_url}"))
    return Document(tuple(blocks))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _states_by_link(document: Document) -> dict[str, str]:
    """href → the lines describing it, read back from a stored opt-out document."""
    states: dict[str, str] = {}
    current: str | None = None
    for block in document.blocks:
        if block.kind is BlockKind.LIST_ITEM and block.links:
            current = block.links[-1].href
            states[current] = ""
        elif current is not None and block.kind is BlockKind.PARAGRAPH:
            states[current] = f"{states[current]} {block.text}".strip()
    return states


def opt_out_findings(before: Document, after: Document, *, region: str) -> list[Finding]:
    """`opt_out_changed` findings for what only following the links shows.

    A link that appears, goes or moves is reported by the page's own diff (high or medium);
    here, a form whose state changed behind the same link, or a new link that leads to no
    working form. That a new link's form works, or that a link is no longer followed, is said
    at low severity: it completes the page's finding without alerting twice.
    """
    old, new = _states_by_link(before), _states_by_link(after)
    findings: list[Finding] = []
    for href, now in new.items():
        was = old.get(href, "")
        if was == now:
            continue
        works = "form available" in now
        if not was and works:
            severity = Severity.LOW
        else:
            # A form that works again is good news, still worth telling; anything else takes
            # a way to object away from people.
            severity = Severity.MEDIUM if works else Severity.HIGH
        said = f"{href}: {was}" if was else ""
        findings.append(_finding(severity, said, f"{href}: {now}", region, _note(href, was, now)))
    for href, was in old.items():
        if href not in new:
            note = f"the objection form at {href} is no longer linked from the page"
            findings.append(_finding(Severity.LOW, f"{href}: {was}", "", region, note))
    return findings


def _finding(severity: Severity, before: str, after: str, region: str, note: str) -> Finding:
    return Finding(
        kind=FindingKind.OPT_OUT_CHANGED,
        severity=severity,
        evidence_before=before,
        evidence_after=after,
        path=TITLE,
        region=region,
        note=note,
    )


def _note(href: str, was: str, now: str) -> str:
    state = now.removeprefix("State: ")
    if not was and "form available" in now:
        return f"the new objection link {href} leads to a working form: {state}"
    if not was:
        return f"the new objection link {href} leads to no working form: {state}"
    return f"the objection form at {href} changed: {state}"
