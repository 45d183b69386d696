"""Blocks ⇄ canonical text: the Markdown-like form storage keeps and people read.

One block per line:

    ## Heading                      heading (one `#` per level)
    A paragraph with [a link](https://example.org/).
    - list item                     (two more spaces of indent per nesting level)
    | cell | [linked cell](/x) |    table row
    [Object](https://example.org/form)         link standing on its own
    ::field[Email address]{type="email" name="email"}   form control
    ::field[Country]{type="select" name="country" options="France|Germany"}

`\\`, `[` and `]` are always escaped with a backslash, `|` inside table cells, and a paragraph's
first character when it would otherwise start another kind of line. Parsing is exact:
`parse_blocks(render_blocks(b)) == b` for every valid tuple of blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from watcher.normalize.blocks import CELL_SEPARATOR, Block, BlockKind, InlineLink, cell_bounds

_ALWAYS_ESCAPED = frozenset("\\[]")
_LINE_START_ESCAPED = frozenset("#-|:")
_FIELD_PREFIX = "::field["
# Between the options of a select field in its `options` attribute.
_OPTION_SEPARATOR = "|"
_GROUPED_KINDS = (BlockKind.LIST_ITEM, BlockKind.TABLE_ROW, BlockKind.FIELD)


class CanonicalSyntaxError(ValueError):
    """Canonical text that no rendering of blocks could have produced."""

    def __init__(self, line_number: int, line: str, problem: str) -> None:
        super().__init__(f"canonical line {line_number}: {problem}: {line[:80]!r}")
        self.line_number = line_number


def render_blocks(blocks: Sequence[Block]) -> str:
    lines: list[str] = []
    previous: Block | None = None
    for block in blocks:
        if previous is not None and not _grouped(previous, block):
            lines.append("")
        lines.append(render_block(block))
        previous = block
    return "\n".join(lines) + "\n" if lines else ""


def _grouped(previous: Block, block: Block) -> bool:
    """List items, table rows and fields that follow each other are not split by blank lines."""
    return previous.kind is block.kind and block.kind in _GROUPED_KINDS


def render_block(block: Block) -> str:
    """The canonical line of one block."""
    if block.kind is BlockKind.HEADING:
        return "#" * block.level + " " + render_inline(block.text, block.links)
    if block.kind is BlockKind.LIST_ITEM:
        return "  " * block.level + "- " + render_inline(block.text, block.links)
    if block.kind is BlockKind.TABLE_ROW:
        return "|" + "".join(f" {cell} |" for cell in _render_cells(block))
    if block.kind is BlockKind.LINK:
        assert block.href is not None
        return f"[{_escape(block.text)}]({_escape_href(block.href)})"
    if block.kind is BlockKind.FIELD:
        attributes = [
            ("type", block.control),
            ("name", block.name),
            ("options", _OPTION_SEPARATOR.join(_escape_option(o) for o in block.options)),
        ]
        rendered = " ".join(f'{key}="{_escape_attribute(v)}"' for key, v in attributes if v)
        return f"{_FIELD_PREFIX}{_escape(block.text)}]{{{rendered}}}"
    body = render_inline(block.text, block.links)
    if body[0] in _LINE_START_ESCAPED:
        return "\\" + body
    return body


def render_inline(text: str, links: Iterable[InlineLink], extra_escaped: str = "") -> str:
    """Text with its inline links as `[text](href)`, special characters escaped."""
    pieces: list[str] = []
    position = 0
    for link in links:
        pieces.append(_escape(text[position : link.start], extra_escaped))
        linked = _escape(text[link.start : link.end], extra_escaped)
        pieces.append(f"[{linked}]({_escape_href(link.href, extra_escaped)})")
        position = link.end
    pieces.append(_escape(text[position:], extra_escaped))
    return "".join(pieces)


def _render_cells(block: Block) -> Iterator[str]:
    for (start, end), cell in zip(cell_bounds(block.cells), block.cells, strict=True):
        inside = [
            InlineLink(link.start - start, link.end - start, link.href)
            for link in block.links
            if start <= link.start and link.end <= end
        ]
        yield render_inline(cell, inside, extra_escaped="|")


def _escape(text: str, extra: str = "") -> str:
    return "".join("\\" + c if c in _ALWAYS_ESCAPED or c in extra else c for c in text)


def _escape_href(href: str, extra: str = "") -> str:
    return "".join("\\" + c if c in "\\)" or c in extra else c for c in href)


def _escape_option(option: str) -> str:
    return option.replace("\\", "\\\\").replace(_OPTION_SEPARATOR, "\\" + _OPTION_SEPARATOR)


def _split_options(value: str) -> tuple[str, ...]:
    """The options of an `options` attribute: split at each unescaped separator."""
    if not value:
        return ()
    options: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            current.append(value[index + 1])
            index += 2
            continue
        if char == _OPTION_SEPARATOR:
            options.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    options.append("".join(current))
    return tuple(options)


def _escape_attribute(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def parse_blocks(text: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line:
            continue
        try:
            blocks.append(_parse_line(line))
        except (ValueError, IndexError) as error:
            raise CanonicalSyntaxError(number, line, str(error) or "cannot parse") from error
    return tuple(blocks)


def _parse_line(line: str) -> Block:
    if line.startswith("#"):
        hashes = len(line) - len(line.lstrip("#"))
        if line[hashes : hashes + 1] != " ":
            raise ValueError("a heading needs a space after its #")
        text, links = parse_inline(line[hashes + 1 :])
        return Block(BlockKind.HEADING, text, level=hashes, links=links)
    stripped = line.lstrip(" ")
    if stripped.startswith("- "):
        indent = len(line) - len(stripped)
        if indent % 2:
            raise ValueError("list indent must be a multiple of two spaces")
        text, links = parse_inline(stripped[2:])
        return Block(BlockKind.LIST_ITEM, text, level=indent // 2, links=links)
    if line.startswith("|"):
        return _parse_table_row(line)
    if line.startswith(_FIELD_PREFIX):
        return _parse_field(line)
    if line.startswith("\\") and line[1:2] in _LINE_START_ESCAPED:
        line = line[1:]
    text, links = parse_inline(line)
    if len(links) == 1 and links[0].start == 0 and links[0].end == len(text):
        return Block(BlockKind.LINK, text, href=links[0].href)
    return Block(BlockKind.PARAGRAPH, text, links=links)


def _parse_table_row(line: str) -> Block:
    pieces = _split_unescaped(line[1:], "|")
    if pieces[-1] != "":
        raise ValueError("a table row ends with |")
    cells: list[str] = []
    links: list[InlineLink] = []
    offset = 0
    for piece in pieces[:-1]:
        if len(piece) < 2 or piece[0] != " " or piece[-1] != " ":
            raise ValueError("table cells are padded with one space")
        cell, cell_links = parse_inline(piece[1:-1])
        links.extend(InlineLink(x.start + offset, x.end + offset, x.href) for x in cell_links)
        cells.append(cell)
        offset += len(cell) + len(CELL_SEPARATOR)
    return Block(
        BlockKind.TABLE_ROW,
        CELL_SEPARATOR.join(cells),
        cells=tuple(cells),
        links=tuple(links),
    )


def _split_unescaped(text: str, separator: str) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            current.append(text[index : index + 2])
            index += 2
            continue
        if char == separator:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    pieces.append("".join(current))
    return pieces


def _parse_field(line: str) -> Block:
    label, index = _read_until(line, len(_FIELD_PREFIX), "]")
    if line[index : index + 2] != "]{" or not line.endswith("}"):
        raise ValueError("a field is ::field[label]{attributes}")
    attributes = _parse_attributes(line[index + 2 : -1])
    unknown = set(attributes) - {"type", "name", "options"}
    if unknown:
        raise ValueError(f"unknown field attributes {sorted(unknown)}")
    return Block(
        BlockKind.FIELD,
        label,
        name=attributes.get("name"),
        control=attributes.get("type"),
        options=_split_options(attributes.get("options", "")),
    )


def _parse_attributes(text: str) -> dict[str, str]:
    attributes: dict[str, str] = {}
    index = 0
    while index < len(text):
        equals = text.index('="', index)
        key = text[index:equals]
        value, index = _read_until(text, equals + 2, '"')
        attributes[key] = value
        index += 1
        if index < len(text):
            if text[index] != " ":
                raise ValueError("attributes are separated by one space")
            index += 1
    return attributes


def _read_until(text: str, index: int, stop: str) -> tuple[str, int]:
    """Unescaped characters from `index` to the first unescaped `stop`, and stop's index."""
    chars: list[str] = []
    while text[index] != stop:
        if text[index] == "\\":
            index += 1
        chars.append(text[index])
        index += 1
    return "".join(chars), index


def parse_inline(body: str) -> tuple[str, tuple[InlineLink, ...]]:
    """The inverse of `render_inline`: plain text and its inline links."""
    chars: list[str] = []
    links: list[InlineLink] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            chars.append(body[index + 1])
            index += 2
        elif char == "[":
            start = len(chars)
            linked, index = _read_until(body, index + 1, "]")
            if body[index : index + 2] != "](":
                raise ValueError("a link is [text](href)")
            href, index = _read_until(body, index + 2, ")")
            chars.extend(linked)
            links.append(InlineLink(start, len(chars), href))
            index += 1
        elif char == "]":
            raise ValueError("unescaped ]")
        else:
            chars.append(char)
            index += 1
    return "".join(chars), tuple(links)
