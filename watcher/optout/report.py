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
    """`opt_out_changed` findings for what only following the links shows: a form whose state
    changed behind the same link, or a new link that leads to no working form.

    One event, one alert: a link that appears, goes or moves is the page's own change (it
    carries the `opt_out_changed` finding), so a new link whose form works, or a link no longer
    followed, is no finding here, and the forms' target stores its new state quietly.
    """
    old, new = _states_by_link(before), _states_by_link(after)
    findings: list[Finding] = []
    for href, now in new.items():
        was = old.get(href, "")
        works = "form available" in now
        if was == now or (not was and works):
            continue
        # A form that works again is good news, still worth telling; anything else takes a
        # way to object away from people.
        severity = Severity.MEDIUM if works else Severity.HIGH
        said = f"{href}: {was}" if was else ""
        findings.append(_finding(severity, said, f"{href}: {now}", region, _note(href, was, now)))
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
    if not was:
        return f"the new objection link {href} leads to no working form: {state}"
    return f"the objection form at {href} changed: {state}"
