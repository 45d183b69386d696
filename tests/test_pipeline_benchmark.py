"""The pipeline benchmark without a browser: its page pair is as large as it says and differs by
a real change, padding keeps blocks distinct, and the table prints every row."""

from __future__ import annotations

import pytest

from benchmarks.pipeline import (
    ROW_FETCH,
    ROW_LABELS,
    ROW_TOTAL,
    PagePair,
    PipelineOutput,
    build_pair,
    byte_size,
    main,
    run_pipeline,
)
from watcher.classify import FindingKind
from watcher.normalize import BlockKind

LEAST_SIDE_BYTES = 140_000


def _pipeline(pair: PagePair) -> PipelineOutput:
    return run_pipeline(pair, {label: [] for label in ROW_LABELS})


def _headings(output: PipelineOutput) -> list[str]:
    blocks = output.new_document.blocks
    return [block.text for block in blocks if block.kind is BlockKind.HEADING]


def _edits(output: PipelineOutput) -> set[tuple[str, str, str]]:
    """Each operation as (kind, old text, new text), wherever in the page it happened."""
    return {
        (
            str(op.op),
            op.old_block.text if op.old_block else "",
            op.new_block.text if op.new_block else "",
        )
        for op in output.change.ops
    }


def test_pair_is_large_and_differs_by_a_material_change() -> None:
    pair = build_pair()
    assert byte_size(pair.old_html) >= LEAST_SIDE_BYTES
    assert byte_size(pair.new_html) >= LEAST_SIDE_BYTES
    output = _pipeline(pair)
    assert not output.change.is_empty
    assert output.findings
    assert any(finding.kind is not FindingKind.COSMETIC for finding in output.findings)


def test_padding_reaches_a_larger_size_with_distinct_numbered_headings() -> None:
    plain = build_pair()
    unpadded = _pipeline(plain)
    target = 2 * byte_size(plain.new_html)
    pair = build_pair(target_bytes=target)
    assert pair.copies >= 1
    assert min(byte_size(pair.old_html), byte_size(pair.new_html)) >= target
    output = _pipeline(pair)
    headings = _headings(output)
    assert len(headings) > len(_headings(unpadded))
    assert len(set(headings)) == len(headings)
    assert any(heading.endswith("(part 2)") for heading in headings)
    # The copies line up on both sides: the padded change repeats the real one in the copied
    # sections and holds nothing else.
    assert len(output.change.ops) > len(unpadded.change.ops)
    assert _edits(output) == _edits(unpadded)


def test_table_prints_every_row_without_a_browser(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--runs", "2", "--no-browser"]) == 0
    printed = capsys.readouterr().out
    for label in ROW_LABELS:
        assert f"| {label} " in printed
    total_row = next(line for line in printed.splitlines() if line.startswith(f"| {ROW_TOTAL} "))
    assert total_row.split("|")[4].strip() == "2"
    fetch_row = next(line for line in printed.splitlines() if line.startswith(f"| {ROW_FETCH} "))
    assert "n/a" in fetch_row
    assert "n/a (--no-browser)" in printed
