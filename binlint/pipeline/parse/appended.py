"""Lines whose one edit appends to a dict literal or a call, built from their old nodes.

The fixer's most common edit adds an entry after the last one of a dict literal or an argument
after the last one of a call (`, "recvWindow": 5000`, `, timeout=10`). Re-parsing the line for it
makes a node for every token of the line again (about a hundred for a request's parameters);
here the line's tree is made from its old nodes and the new elements alone, which are parsed all
at once from short probes (`{**_, "recvWindow": 5000}`, `_(_, timeout=10)`).

The tree is the one a parse of the new line gives. The text goes right where the last element's
syntactic range ends (before its comma and the whitespace after it) and holds no line break. A
parser gives the comma it starts with to that element, as the probe's parser gave it to the
placeholder before it, makes the new elements as in the probe, and gives what followed the old
last element (its comma; a call argument's whitespace after it) to the new last one, as it gave
it to the old one. Anything else (another kind of sequence, several edits in a line, a text the
probe does not read as elements ending where it ends) is left to the caller's re-parse, and so is
a line Python's parser refuses (the caller asks it of every line).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Sequence

import libcst as cst

from binlint.analysis.walk import child_fields

if TYPE_CHECKING:
    from collections.abc import Mapping


class LineCode(Protocol):
    """The code of a simple statement line as the check generated it (`positions._Piece`): its nodes in
    the order generated (the statement first) and their spans."""

    @property
    def nodes(self) -> Sequence[cst.CSTNode]: ...

    @property
    def spans(self) -> "Mapping[int, tuple[int, int]]":
        """id(node) -> (first token, end token)."""
        ...

    def char_span(self, key: int) -> tuple[int, int]:
        """The span of node `key`, in characters from the start of the line's code."""
        ...


@dataclass(frozen=True, slots=True)
class Append:
    """One line's edit: `text` inserted `offset` characters into the line whose code is `code`."""

    code: LineCode
    offset: int
    text: str


_CONTAINERS = (cst.Dict, cst.Call)
_ELEMENTS = (cst.DictElement, cst.StarredDictElement, cst.Arg)
_PLACEHOLDER = "_"


def appended(appends: Sequence[Append]) -> list[cst.SimpleStatementLine | None]:
    """The new statement of each line, built from its old nodes; None where that cannot be done."""
    anchors = [_anchor(append) for append in appends]
    probes = [_probe(anchor[1], append.text) if anchor is not None else None
              for anchor, append in zip(anchors, appends)]
    parsed = _parse_probes(probes)
    found: list[cst.SimpleStatementLine | None] = []
    for append, anchor, probe in zip(appends, anchors, parsed):
        if anchor is None or probe is None:
            found.append(None)
            continue
        element, container = anchor
        try:
            new = _with_elements(container, element, probe)
            path = _path(append.code.nodes[0], container, append.code) if new is not None else None
            found.append(None if path is None or new is None else _rebuilt(path, new))
        except cst.CSTValidationError:  # a node libcst will not build: the line is re-parsed
            found.append(None)
    return found


def _anchor(append: Append) -> tuple[cst.CSTNode, cst.Dict | cst.Call] | None:
    """(the last element the text goes after, its dict or call), when the text goes right after the
    last element of one, starts with its comma and holds no line break."""
    text = append.text
    if not text.startswith(",") or "\n" in text or "\r" in text or "\x0c" in text:
        return None
    code = append.code
    if type(code.nodes[0]) is not cst.SimpleStatementLine:
        return None
    found = None
    containers: list[cst.CSTNode] = []  # the dicts and calls generated so far, innermost last
    for node in code.nodes:
        kind = type(node)
        if kind in _CONTAINERS:
            containers.append(node)
        elif kind in _ELEMENTS and id(node) in code.spans and code.char_span(id(node))[1] == append.offset:
            for container in reversed(containers):
                items = container.elements if type(container) is cst.Dict else container.args  # type: ignore[attr-defined]
                if items and items[-1] is node:
                    if found is not None:
                        return None  # two elements end there: which one it follows is not clear
                    found = (node, container)
                    break
    return found  # type: ignore[return-value]


def _probe(container: cst.CSTNode, text: str) -> str:
    """A short text whose parse holds the elements `text` appends: `text` after a placeholder element."""
    if type(container) is cst.Dict:
        return "{**" + _PLACEHOLDER + text + "}"
    return _PLACEHOLDER + "(" + _PLACEHOLDER + text + ")"


def _parse_probes(probes: Sequence[str | None]) -> list[cst.BaseExpression | None]:
    """The dict or call each probe parses to (one parse for all the different ones, each alone when that
    fails; a probe met again gets a copy of the nodes parsed for it). None for all when they nest too
    deeply for libcst's parser to take safely (the nesting guard, as for every parse)."""
    from binlint.pipeline.parse.nesting import too_deep
    from binlint.pipeline.parse.unvalidated import parse_module, parsing

    wanted = list(dict.fromkeys(probe for probe in probes if probe is not None))
    if not wanted or too_deep("".join(probe + "\n" for probe in wanted)) is not None:
        return [None] * len(probes)
    statements: list[cst.BaseStatement] | None
    try:
        statements = list(parse_module("".join(probe + "\n" for probe in wanted)).body)
    except Exception:
        statements = None
    if statements is None or len(statements) != len(wanted):
        statements = []
        for probe in wanted:
            try:
                statements.extend(parse_module(probe + "\n").body)
            except Exception:
                statements.append(cst.SimpleStatementLine(()))  # fails `_probe_value`
    values = dict(zip(wanted, map(_probe_value, statements)))
    found: list[cst.BaseExpression | None] = []
    given: set[str] = set()
    with parsing():  # copies of parsed nodes: made as the parser makes them
        for asked in probes:
            value = values.get(asked) if asked is not None else None
            if value is not None and asked in given:
                value = value.deep_clone()  # each node of a tree is a node of its own
            found.append(value)
            if asked is not None:
                given.add(asked)
    return found


def _probe_value(statement: cst.BaseStatement) -> cst.BaseExpression | None:
    """The dict or call a probe's line holds, when that is the whole line."""
    if type(statement) is not cst.SimpleStatementLine or statement.leading_lines or len(statement.body) != 1:
        return None
    expr = statement.body[0]
    trailing = statement.trailing_whitespace
    if type(expr) is not cst.Expr or expr.semicolon is not cst.MaybeSentinel.DEFAULT or trailing.comment is not None \
            or trailing.whitespace.value:
        return None
    value = expr.value
    if type(value) not in _CONTAINERS or value.lpar or value.rpar:
        return None
    return value


def _with_elements(container: cst.Dict | cst.Call, element: cst.CSTNode, probe: cst.BaseExpression
                   ) -> cst.CSTNode | None:
    """`container` with the probe's elements after `element` (its last): the comma after the probe's
    placeholder goes to `element`, and what followed `element` to the last new element."""
    if type(container) is cst.Dict:
        if type(probe) is not cst.Dict or type(probe.rbrace.whitespace_before) is not cst.SimpleWhitespace \
                or probe.rbrace.whitespace_before.value:
            return None
        items: Sequence[cst.CSTNode] = probe.elements
        first = items[0] if items else None
        if type(first) is not cst.StarredDictElement or not _is_placeholder(first.value) or len(items) < 2:
            return None
        last = items[-1]
        if last.comma is not cst.MaybeSentinel.DEFAULT:  # type: ignore[attr-defined]
            return None
        elements = [*container.elements[:-1], element.with_changes(comma=first.comma), *items[1:-1],
                    last.with_changes(comma=element.comma)]  # type: ignore[attr-defined]
        return container.with_changes(elements=elements)
    if type(probe) is not cst.Call or not _is_placeholder(probe.func) or len(probe.args) < 2:
        return None
    first_arg, last_arg = probe.args[0], probe.args[-1]
    if first_arg.star or first_arg.keyword is not None or not _is_placeholder(first_arg.value) or \
            last_arg.comma is not cst.MaybeSentinel.DEFAULT or \
            type(last_arg.whitespace_after_arg) is not cst.SimpleWhitespace or last_arg.whitespace_after_arg.value:
        return None
    old = element
    assert type(old) is cst.Arg
    args = [*container.args[:-1],  # type: ignore[union-attr]
            old.with_changes(comma=first_arg.comma, whitespace_after_arg=first_arg.whitespace_after_arg),
            *probe.args[1:-1],
            last_arg.with_changes(comma=old.comma, whitespace_after_arg=old.whitespace_after_arg)]
    return container.with_changes(args=args)


def _is_placeholder(node: cst.CSTNode) -> bool:
    return type(node) is cst.Name and node.value == _PLACEHOLDER and not node.lpar


# (node, name of its field that holds the next node down, index in that field's sequence or None)
_Step = tuple[cst.CSTNode, str, "int | None"]


def _path(statement: cst.CSTNode, target: cst.CSTNode, code: LineCode) -> list[_Step] | None:
    """The fields from `statement` down to `target`, found by the spans the nodes on the way have;
    None when they do not lead there."""
    spans = code.spans
    low, high = spans[id(target)]
    steps: list[_Step] = []
    node = statement
    while node is not target:  # a dict or a call is never in a field of white space or punctuation
        step: tuple[str, int | None, cst.CSTNode] | None = None
        for name in child_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                if _holds(value, target, spans, low, high):
                    step = (name, None, value)
                    break
            elif isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    if isinstance(item, cst.CSTNode) and _holds(item, target, spans, low, high):
                        step = (name, index, item)
                        break
                if step is not None:
                    break
        if step is None:
            return None
        steps.append((node, step[0], step[1]))
        node = step[2]
    return steps


def _holds(node: cst.CSTNode, target: cst.CSTNode, spans: "Mapping[int, tuple[int, int]]", low: int,
           high: int) -> bool:
    if node is target:
        return True
    span = spans.get(id(node))
    return span is not None and span[0] < span[1] and span[0] <= low and high <= span[1]


def _rebuilt(path: list[_Step], new: cst.CSTNode) -> cst.SimpleStatementLine:
    """The nodes of `path` rebuilt, bottom up, around `new` (the last one's new child)."""
    for node, name, index in reversed(path):
        if index is None:
            new = node.with_changes(**{name: new})
        else:
            old = getattr(node, name)
            items = list(old)
            items[index] = new
            new = node.with_changes(**{name: items if isinstance(old, list) else tuple(items)})
    assert type(new) is cst.SimpleStatementLine
    return new
