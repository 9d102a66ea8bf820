"""One fast pass over a libcst tree: parents, tree order, and nodes grouped by type.

libcst's visitor machinery costs nearly as much as the parse itself; a direct walk
over each node type's child fields (whitespace and punctuation left out) costs about
a tenth of it. Every analysis reads this index instead of walking the tree again.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Iterator, TypeVar

import libcst as cst

N = TypeVar("N", bound=cst.CSTNode)

# Fields that never hold a node any analysis reads.
_SKIP_FIELDS = frozenset(
    {
        "lpar", "rpar", "comma", "leading_lines", "header", "footer",
        "lines_after_decorators", "semicolon", "equal", "colon", "dot", "star",
        "lbracket", "rbracket", "lbrace", "rbrace", "operator", "trailing_whitespace",
        "whitespace", "newline", "asynchronous",
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(node_type: type) -> tuple[str, ...]:
    names = _FIELDS.get(node_type)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(node_type)
            if f.name not in _SKIP_FIELDS and not f.name.startswith("whitespace")
        )
        _FIELDS[node_type] = names
    return names


# What a field value is, by its type: 1 a node, 2 a sequence, 0 anything else. Asked of
# libcst's ABC-based classes, isinstance() runs Python code on every miss; a dict does not.
_KIND: dict[type, int] = {}


def _kind(value_type: type) -> int:
    kind = 1 if issubclass(value_type, cst.CSTNode) else 2 if issubclass(value_type, (list, tuple)) else 0
    _KIND[value_type] = kind
    return kind


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The meaningful child nodes of `node`, in source order."""
    found: list[cst.CSTNode] = []
    kinds = _KIND
    names = _FIELDS.get(type(node)) or _child_fields(type(node))
    for name in names:
        value = getattr(node, name)
        kind = kinds.get(type(value))
        if kind is None:
            kind = _kind(type(value))
        if kind == 1:
            found.append(value)
        elif kind == 2:
            for item in value:
                item_kind = kinds.get(type(item))
                if item_kind is None:
                    item_kind = _kind(type(item))
                if item_kind == 1:
                    found.append(item)
    return found


class TreeIndex:
    """Parents, pre-order numbers and per-type lists for every node of a module."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._parent: dict[int, cst.CSTNode] = {}
        self._order: dict[int, int] = {}
        self._end: dict[int, int] = {}
        self._by_type: dict[type, list[cst.CSTNode]] = defaultdict(list)
        self._nearest: dict[tuple[int, tuple[type, ...]], tuple[cst.CSTNode, cst.CSTNode | None]] = {}
        self._build(module)

    def _build(self, root: cst.CSTNode) -> None:
        parent = self._parent
        order = self._order
        end = self._end
        by_type = self._by_type
        counter = 0
        # (node, exiting): the second visit marks where the subtree ends.
        stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
        while stack:
            node, exiting = stack.pop()
            key = id(node)
            if exiting:
                end[key] = counter
                continue
            order[key] = counter
            counter += 1
            by_type[type(node)].append(node)
            stack.append((node, True))
            kids = children(node)
            for kid in reversed(kids):
                parent[id(kid)] = node
                stack.append((kid, False))

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self._parent.get(id(node))

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        current = self._parent.get(id(node))
        while current is not None:
            yield current
            current = self._parent.get(id(current))

    def order(self, node: cst.CSTNode) -> int:
        """Pre-order number: a node that starts later in the source has a larger one."""
        return self._order.get(id(node), -1)

    def contains(self, outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
        """Whether `inner` lies inside `outer` (or is it)."""
        start = self._order.get(id(outer))
        position = self._order.get(id(inner))
        if start is None or position is None:
            return False
        return start <= position < self._end[id(outer)]

    def of_type(self, *types: type[N]) -> list[N]:
        """All nodes of the given types, in source order."""
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))  # type: ignore[arg-type]
        found: list[cst.CSTNode] = []
        for node_type in types:
            found.extend(self._by_type.get(node_type, ()))
        found.sort(key=self.order)
        return found  # type: ignore[return-value]

    def nearest(self, node: cst.CSTNode, *types: type[N]) -> N | None:
        """The closest enclosing node of one of `types`."""
        # Asked again and again for the same names (scopes of bindings): remembered. The
        # node is kept in the entry, so its id cannot be reused while the entry lives.
        key = (id(node), types)
        known = self._nearest.get(key)
        if known is not None and known[0] is node:
            return known[1]  # type: ignore[return-value]
        found = self._find_nearest(node, types)
        self._nearest[key] = (node, found)
        return found

    def _find_nearest(self, node: cst.CSTNode, types: tuple[type[N], ...]) -> N | None:
        # isinstance() on libcst's ABC-based classes runs Python code for every miss;
        # which node classes match is remembered per `types` instead.
        matches = _MATCHES.get(types)
        if matches is None:
            matches = _MATCHES[types] = {}
        parent = self._parent
        current = parent.get(id(node))
        while current is not None:
            node_type = type(current)
            hit = matches.get(node_type)
            if hit is None:
                hit = matches[node_type] = issubclass(node_type, types)
            if hit:
                return current  # type: ignore[return-value]
            current = parent.get(id(current))
        return None


_MATCHES: dict[tuple[type, ...], dict[type, bool]] = {}
