"""One fast pass over a libcst tree: parents, tree order, and nodes grouped by type.

libcst's visitor machinery costs nearly as much as the parse itself; a direct walk
over each node type's child fields (whitespace and punctuation left out) costs about
a tenth of it. Every analysis reads this index instead of walking the tree again.

The walk is made statement by statement (top-level statements and the statements of
class bodies), and what it finds in each statement is kept for the next module: an
editor's document re-parsed after a keystroke keeps its unchanged statements, and
only the new ones are walked again (the rest are renumbered).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import Callable, Iterator, Literal, TypeVar, cast

import libcst as cst

from binlint.analysis.carry import NodeCache, carrying

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


def child_fields(node_type: type) -> tuple[str, ...]:
    """The fields of a node type that hold its meaningful child nodes (no whitespace or punctuation)."""
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
    names = _FIELDS.get(type(node)) or child_fields(type(node))
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
    """Parents, pre-order numbers and per-type lists for every node of a module, and where the
    subtree of each node with children ends (a leaf's ends right after it)."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._parent: dict[int, cst.CSTNode] = {}
        self._order: dict[int, int] = {}
        self._end: dict[int, int] = {}
        self._by_type: dict[type, list[cst.CSTNode]] = defaultdict(list)
        self._nearest: dict[tuple[int, tuple[type, ...]], tuple[cst.CSTNode, cst.CSTNode | None]] = {}
        self._enclosing: dict[tuple[type, ...], "_Enclosing | Literal[False]"] = {}
        self._merged: dict[tuple[type, ...], list[cst.CSTNode]] = {}
        self._orders: dict[type, tuple[list[cst.CSTNode], list[int]]] = {}
        self._build(module)

    def _build(self, module: cst.Module) -> None:
        """The module, then each statement's subtree in turn: what one walk from the module gives.
        Outside the editor no statement is kept for the next module: one walk makes the tables."""
        if not carrying():
            self._parent, self._order, self._end, self._by_type = _walk_whole(module)
            return
        parent = self._parent
        order = self._order
        end = self._end
        by_type = self._by_type
        order[id(module)] = 0
        by_type[type(module)].append(module)
        counter = 1
        kids = children(module)
        for statement in kids:
            sub = _statement_subtree(module, statement, counter)
            _merge(sub, counter, parent, order, end, by_type)
            parent[id(statement)] = module
            counter += sub.size
        end[id(module)] = counter

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

    def span(self, node: cst.CSTNode) -> tuple[int, int] | None:
        """(pre-order number, end) of `node`'s subtree: a node lies inside it when its number is in
        [start, end); None for a node not in this tree."""
        key = id(node)
        start = self._order.get(key)
        return None if start is None else (start, self._end.get(key, start + 1))

    def _end_of(self, node: cst.CSTNode, start: int) -> int:
        """Where the subtree of `node`, numbered `start`, ends (a leaf's has no entry: right after it)."""
        return self._end.get(id(node), start + 1)

    def within(self, root: cst.CSTNode, node_type: type[N]) -> list[N]:
        """The nodes of exactly `node_type` inside `root` (or `root` itself), in source order."""
        # Asked tens of thousands of times a module, often of a type the module has none of (answered
        # first, from the type's list alone); `span` inlined.
        known = self._orders.get(node_type)
        if known is None:
            nodes = self._by_type.get(node_type, [])
            known = self._orders[node_type] = (nodes, list(map(self._order.__getitem__, map(id, nodes))))
        nodes, orders = known
        if not nodes:
            return []
        key = id(root)
        start = self._order.get(key)
        if start is None:
            return []
        end = self._end.get(key, start + 1)
        return nodes[bisect_left(orders, start):bisect_left(orders, end)]  # type: ignore[return-value]

    def contains(self, outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
        """Whether `inner` lies inside `outer` (or is it)."""
        key = id(outer)
        start = self._order.get(key)
        position = self._order.get(id(inner))
        if start is None or position is None:
            return False
        return start <= position < self._end.get(key, start + 1)

    def of_type(self, *types: type[N]) -> list[N]:
        """All nodes of the given types, in source order."""
        if len(types) == 1:
            return cast("list[N]", list(self._by_type.get(types[0], ())))
        found = self._merged.get(types)
        if found is None:  # asked again by other analyses: merged once
            found = []
            for node_type in types:
                found.extend(self._by_type.get(node_type, ()))
            found.sort(key=self.order)
            self._merged[types] = found
        return cast("list[N]", list(found))

    def nearest_of(self, *types: type[N]) -> Callable[[cst.CSTNode], N | None]:
        """`lambda node: self.nearest(node, *types)`, with the lookup of `types` done once (for
        the type sets asked on every name)."""
        enclosing = self._enclosing_of(types)
        if enclosing is False:
            return lambda node: self.nearest(node, *types)
        order = self._order
        around = enclosing.around

        def find(node: cst.CSTNode) -> N | None:
            position = order.get(id(node))
            return None if position is None else around(position, node)  # type: ignore[return-value]

        return find

    def _enclosing_of(self, types: tuple[type, ...]) -> "_Enclosing | Literal[False]":
        """The interval index of `types`, or False when some node class derives from one of them."""
        enclosing = self._enclosing.get(types)
        if enclosing is None:
            enclosing = self._enclosing[types] = _Enclosing.of(self, types) if _leaf_types(types) else False
        return enclosing

    def nearest(self, node: cst.CSTNode, *types: type[N]) -> N | None:
        """The closest enclosing node of one of `types`."""
        enclosing = self._enclosing_of(types)
        if enclosing is not False:
            position = self._order.get(id(node))
            return None if position is None else enclosing.around(position, node)  # type: ignore[return-value]
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


def _walk_whole(module: cst.Module) -> tuple[dict[int, cst.CSTNode], dict[int, int], dict[int, int],
                                              dict[type, list[cst.CSTNode]]]:
    """Parents, pre-order numbers, subtree ends and per-type lists of a whole module, in one walk
    (`children` inlined: this loop runs for every node of every module checked)."""
    parent: dict[int, cst.CSTNode] = {}
    order: dict[int, int] = {}
    end: dict[int, int] = {}
    by_type: dict[type, list[cst.CSTNode]] = defaultdict(list)
    kinds = _KIND
    fields = _FIELDS
    counter = 0
    # (node, its id, leaving it: its subtree ends). The id is taken once, when the node is pushed: the
    # tables share that one int as their key (a tenth less time, and one int object per node less).
    stack: list[tuple[cst.CSTNode, int, bool]] = [(module, id(module), False)]
    pop = stack.pop
    push = stack.append
    while stack:
        node, key, leaving = pop()
        if leaving:
            end[key] = counter
            continue
        order[key] = counter
        counter += 1
        node_type = type(node)
        by_type[node_type].append(node)
        kids: list[cst.CSTNode] = []
        for name in fields.get(node_type) or child_fields(node_type):
            value = getattr(node, name)
            kind = kinds.get(type(value))
            if kind is None:
                kind = _kind(type(value))
            if kind == 1:
                kids.append(value)
            elif kind == 2:
                for item in value:
                    item_kind = kinds.get(type(item))
                    if item_kind is None:
                        item_kind = _kind(type(item))
                    if item_kind == 1:
                        kids.append(item)
        if not kids:  # a leaf (most nodes): its subtree ends right after it, no end kept, no second visit
            continue
        push((node, key, True))
        for kid in reversed(kids):
            kid_key = id(kid)
            parent[kid_key] = node
            push((kid, kid_key, False))
    return parent, order, end, by_type


class _Subtree:
    """Parents, pre-order numbers (from `base`) and per-type lists of one statement's subtree.

    The statements of a class body are subtrees of their own, kept like top-level statements:
    a class (a whole module, in some code) is new after every edit inside it, its methods not."""

    __slots__ = ("base", "size", "parent", "order", "end", "by_type")

    def __init__(self, module: cst.Module, statement: cst.CSTNode, base: int) -> None:
        self.base = base
        self.parent: dict[int, cst.CSTNode] = {}
        self.order: dict[int, int] = {}
        self.end: dict[int, int] = {}
        self.by_type: dict[type, list[cst.CSTNode]] = defaultdict(list)
        self.size = self._walk(module, statement, base) - base

    def _walk(self, module: cst.Module, root: cst.CSTNode, counter: int) -> int:
        parent = self.parent
        order = self.order
        end = self.end
        by_type = self.by_type
        # (node, what): 0 enter the node, 1 leave it (its subtree ends), 2 a class member: its own subtree.
        stack: list[tuple[cst.CSTNode, int]] = [(root, 0)]
        while stack:
            node, what = stack.pop()
            key = id(node)
            if what == 1:
                end[key] = counter
                continue
            if what == 2:
                counter = self._splice(_statement_subtree(module, node, counter), counter)
                continue
            order[key] = counter
            counter += 1
            node_type = type(node)
            by_type[node_type].append(node)
            stack.append((node, 1))
            kids = children(node)
            members = 2 if node_type is cst.IndentedBlock and type(parent.get(key)) is cst.ClassDef else 0
            for kid in reversed(kids):
                parent[id(kid)] = node
                stack.append((kid, members))
        return counter

    def _splice(self, sub: "_Subtree", counter: int) -> int:
        """Take in the subtree `sub` of a statement that starts at pre-order number `counter`."""
        _merge(sub, counter, self.parent, self.order, self.end, self.by_type)
        return counter + sub.size


def _merge(sub: _Subtree, counter: int, parent: dict[int, cst.CSTNode], order: dict[int, int],
           end: dict[int, int], by_type: dict[type, list[cst.CSTNode]]) -> None:
    """Add a statement's subtree that starts at pre-order number `counter` to an index's tables."""
    parent.update(sub.parent)
    if sub.base == counter:
        order.update(sub.order)
        end.update(sub.end)
    else:  # kept from an earlier module, where it started elsewhere
        shift = counter - sub.base
        order.update({key: value + shift for key, value in sub.order.items()})
        end.update({key: value + shift for key, value in sub.end.items()})
    for node_type, nodes in sub.by_type.items():
        by_type[node_type].extend(nodes)


# The subtrees of the statements of the last modules: only an edited document's new
# statements are walked again.
_SUBTREES: NodeCache[_Subtree] = NodeCache()


def _statement_subtree(module: cst.Module, statement: cst.CSTNode, base: int) -> _Subtree:
    return _SUBTREES.get(module, statement, lambda: _Subtree(module, statement, base))


def _leaf_types(types: tuple[type, ...]) -> bool:
    """Whether no node class derives from any of `types` (then a node is one of them by its exact type)."""
    return all(not t.__subclasses__() for t in types)


class _Enclosing:
    """The nodes of some leaf types as nested pre-order intervals: the innermost one around a
    position is found by bisection instead of a walk up the parents."""

    __slots__ = ("starts", "ends", "nodes", "outer")

    def __init__(self, starts: list[int], ends: list[int], nodes: list[cst.CSTNode], outer: list[int]) -> None:
        self.starts = starts
        self.ends = ends
        self.nodes = nodes
        self.outer = outer  # index of the interval around each one, or -1

    @classmethod
    def of(cls, tree: "TreeIndex", types: tuple[type, ...]) -> "_Enclosing":
        nodes: list[cst.CSTNode] = tree.of_type(*types)
        starts = [tree._order[id(n)] for n in nodes]
        ends = [tree._end_of(n, start) for n, start in zip(nodes, starts)]
        outer: list[int] = []
        open_: list[int] = []  # the intervals around the current one, innermost last
        for index, start in enumerate(starts):
            while open_ and ends[open_[-1]] <= start:
                open_.pop()
            outer.append(open_[-1] if open_ else -1)
            open_.append(index)
        return cls(starts, ends, nodes, outer)

    def around(self, position: int, node: cst.CSTNode) -> cst.CSTNode | None:
        """The innermost node that holds the node at `position`, other than that node itself."""
        index = bisect_right(self.starts, position) - 1
        while index >= 0 and (position >= self.ends[index] or self.nodes[index] is node):
            index = self.outer[index]
        return self.nodes[index] if index >= 0 else None


_MATCHES: dict[tuple[type, ...], dict[type, bool]] = {}
