"""Reads YAML into plain data while remembering the line of every key and value.

PyYAML's `safe_load` forgets positions and silently keeps the last of two equal keys, so the
node graph from `compose` is walked here instead: scalars are still built by PyYAML's safe
constructor, mappings and lists by this walker, which records lines and reports duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from watcher.config.locations import Loc, Locations, NodeSpot, Problem

MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

# libyaml's parser when PyYAML was built with it: five times faster on a real sources.yaml,
# which is most of `watcher validate`'s own time. Same nodes, same marks, same safe constructor.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Aliases let a tiny file expand into an enormous one ("billion laughs"); a real sources.yaml
# has a few thousand values at most.
MAX_VALUES = 100_000


@dataclass
class YamlDocument:
    """The document as plain Python data, where each value came from, and what was wrong."""

    data: object
    locations: Locations
    problems: list[Problem] = field(default_factory=list)


class _TooLargeError(Exception):
    pass


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def read_yaml(text: str) -> YamlDocument:
    """Parses one YAML document. Never raises for bad input: problems are returned instead."""
    try:
        # The reader checks for characters YAML forbids as soon as it is built.
        loader = _Loader(text)
    except yaml.YAMLError as error:
        return _failed(_syntax_problem(error, text))
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as error:
            return _failed(_syntax_problem(error, text))
        except RecursionError:
            return _failed(Problem((), "the document is nested too deeply", line=1))
        if root is None:
            empty = "the file is empty; expected a mapping with 'regions' and 'sources'"
            return _failed(Problem((), empty, line=1))
        walker = _Walker(loader)
        try:
            data = walker.value(root, (), key_line=None)
        except _TooLargeError:
            too_large = f"the document expands to more than {MAX_VALUES} values (aliases?)"
            return _failed(Problem((), too_large, line=1))
        except RecursionError:
            return _failed(Problem((), "the document is nested too deeply", line=1))
        return YamlDocument(data, Locations(walker.spots), walker.problems)
    finally:
        loader.dispose()


def _failed(problem: Problem) -> YamlDocument:
    return YamlDocument(None, Locations({}), [problem])


def _syntax_problem(error: yaml.YAMLError, text: str) -> Problem:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        what = error.problem or "invalid YAML"
        context = ""
        if error.context and error.context_mark is not None:
            context = f" ({error.context} at line {error.context_mark.line + 1})"
        message = f"YAML syntax error at column {mark.column + 1}: {what}{context}"
        return Problem((), message, line=mark.line + 1)
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(error.position, 0)) + 1
        return Problem((), f"the file contains a character YAML does not allow: {error}", line=line)
    return Problem((), f"YAML error: {error}", line=None)


class _Walker:
    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.spots: dict[Loc, NodeSpot] = {}
        self.problems: list[Problem] = []
        self.budget = MAX_VALUES
        # Collections being walked right now: meeting one again means an alias refers to one of
        # its own ancestors (`&a [*a]`), which has no finite value.
        self.active: set[int] = set()

    def value(self, node: Node, loc: Loc, *, key_line: int | None) -> object:
        self.budget -= 1
        if self.budget < 0:
            raise _TooLargeError
        # A plain (unquoted) scalar: style None in PyYAML's parser, "" in libyaml's.
        plain = node.value if isinstance(node, ScalarNode) and not node.style else None
        self.spots.setdefault(loc, NodeSpot(_line(node), key_line, plain))
        if isinstance(node, ScalarNode):
            return self.scalar(node, loc)
        if id(node) in self.active:
            self.problems.append(
                Problem(
                    loc, "an alias refers to a value that contains it", line=_line(node), masks=True
                )
            )
            return None
        if node.tag not in _COLLECTION_TAGS:
            self.problems.append(
                Problem(loc, f"unsupported YAML tag {node.tag!r}", line=_line(node), masks=True)
            )
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self.mapping(node, loc)
            assert isinstance(node, SequenceNode)
            return [
                self.value(item, (*loc, index), key_line=None)
                for index, item in enumerate(node.value)
            ]
        finally:
            self.active.discard(id(node))

    def scalar(self, node: ScalarNode, loc: Loc) -> object:
        try:
            return self.loader.construct_object(node, deep=True)
        except Exception as error:
            # An explicit tag (`!!int fr-FR`, `!!binary ...`) lets PyYAML's constructors raise
            # plain ValueError, TypeError, binascii errors...: all mean "cannot read this value".
            reason = getattr(error, "problem", None) or str(error) or type(error).__name__
            self.problems.append(
                Problem(loc, f"cannot read this value: {reason}", line=_line(node), masks=True)
            )
            return None

    def key(self, node: Node, loc: Loc) -> str | None:
        # Keys are names in this schema, so they are taken as written: `no:` (Norway) must not
        # become False, nor `1:` an integer.
        if isinstance(node, ScalarNode):
            return str(node.value)
        self.problems.append(
            Problem(loc, "a key must be a plain name, not a list or mapping", line=_line(node))
        )
        return None

    def mapping(self, node: MappingNode, loc: Loc) -> dict[str, object]:
        result: dict[str, object] = {}
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merged.extend(self.merge_pairs(value_node, loc))
                continue
            key = self.key(key_node, loc)
            if key is None:
                continue
            if key in result:
                first = self.spots[(*loc, key)]
                first_line = first.key_line if first.key_line is not None else first.line
                self.problems.append(
                    Problem(
                        (*loc, key),
                        f"duplicate key {key!r} (first defined at line {first_line}); "
                        "YAML would silently keep only the last one",
                        line=_line(key_node),
                    )
                )
                continue
            result[key] = self.value(value_node, (*loc, key), key_line=_line(key_node))
        # Keys written in the mapping itself win over merged ones (`<<: *defaults`), and earlier
        # merge sources win over later ones, as the YAML merge-key spec says.
        for key_node, value_node in merged:
            key = self.key(key_node, loc)
            if key is not None and key not in result:
                result[key] = self.value(value_node, (*loc, key), key_line=_line(key_node))
        return result

    def merge_pairs(self, node: Node, loc: Loc) -> list[tuple[Node, Node]]:
        if isinstance(node, MappingNode):
            if id(node) in self.active:
                self.problems.append(
                    Problem(loc, "a merge key refers to its own mapping", line=_line(node))
                )
                return []
            self.active.add(id(node))
            try:
                own = [(k, v) for k, v in node.value if k.tag != MERGE_TAG]
                nested = [
                    pair
                    for k, v in node.value
                    if k.tag == MERGE_TAG
                    for pair in self.merge_pairs(v, loc)
                ]
            finally:
                self.active.discard(id(node))
            return own + nested
        if isinstance(node, SequenceNode) and all(
            isinstance(item, MappingNode) for item in node.value
        ):
            return [pair for item in node.value for pair in self.merge_pairs(item, loc)]
        self.problems.append(
            Problem(loc, "'<<' (merge) takes a mapping or a list of mappings", line=_line(node))
        )
        return []
