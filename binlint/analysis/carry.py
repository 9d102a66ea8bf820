"""Values found in the nodes of the last module, carried over to the next one.

An editor re-checks a document after every keystroke, and the re-parsed module keeps most
of its statements (the very same node objects) from the version before. A `NodeCache`
holds values per node for the module asked about last and for the one before it, so what
was found in a kept statement is not found again; a run over many files keeps no more
than two files' values alive. Each entry holds its node, so a node's id cannot be reused
by another node while the entry lives. Outside the editor nothing is carried over: the
engine calls `release()` after each file, so no tree outlives its check.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Hashable, TypeVar

import libcst as cst

V = TypeVar("V")

_CACHES: "list[NodeCache[Any]]" = []  # every cache made, for `release`


# Whether the module checked now may share statements with the next one (an editor's document):
# outside the editor the engine says it does not, and what is kept only for that is not made.
_carrying = True


def carry_over(carrying: bool) -> None:
    """Say whether the next modules checked may share statements with one another."""
    global _carrying
    _carrying = carrying


def carrying() -> bool:
    return _carrying


def release() -> None:
    """Forget what every cache holds (the trees it keeps alive with it)."""
    for cache in _CACHES:
        cache.clear()


class NodeCache(Generic[V]):
    """Values per node (and per `shape`: whatever else the value depends on) of the last two modules."""

    def __init__(self) -> None:
        self._module = 0
        self._current: dict[int, tuple[cst.CSTNode, Hashable, V]] = {}
        self._previous: dict[int, tuple[cst.CSTNode, Hashable, V]] = {}
        _CACHES.append(self)

    def clear(self) -> None:
        self._module, self._current, self._previous = 0, {}, {}

    def get(self, module: cst.Module, node: cst.CSTNode, make: Callable[[], V], shape: Hashable = None) -> V:
        """The value kept for `node` with `shape`, else `make()` (then kept for `module`)."""
        if self._module != id(module):
            self._module, self._previous, self._current = id(module), self._current, {}
        key = id(node)
        for cache in (self._current, self._previous):
            known = cache.get(key)
            if known is not None and known[0] is node and known[1] == shape:
                self._current[key] = known
                return known[2]
        value = make()
        self._current[key] = (node, shape, value)
        return value
