"""`NodeCache`: values of the last two modules' nodes, reused only for the same node and shape."""

from __future__ import annotations

import libcst as cst

from binlint.analysis.carry import NodeCache


def test_values_live_for_two_modules_and_need_the_same_node_and_shape() -> None:
    cache: NodeCache[str] = NodeCache()
    first, second, third = (cst.parse_module("x = 1\n") for _ in range(3))
    statement = first.body[0]
    made: list[str] = []

    def make(value: str) -> str:
        made.append(value)
        return value

    assert cache.get(first, statement, lambda: make("a")) == "a"
    assert cache.get(first, statement, lambda: make("b")) == "a"  # kept
    assert cache.get(second, statement, lambda: make("c")) == "a"  # carried to the next module
    assert cache.get(second, statement, lambda: make("d"), shape="other") == "d"  # another shape
    assert cache.get(second, second.body[0], lambda: make("e")) == "e"  # an equal but other node
    cache.get(third, third.body[0], lambda: "f")
    cache.get(cst.parse_module("y = 2\n"), third.body[0], lambda: "g")
    assert cache.get(cst.parse_module("z = 3\n"), statement, lambda: make("h")) == "h"  # two modules on: gone
    assert made == ["a", "d", "e", "h"]
