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



def test_a_checked_file_leaves_no_tree_behind_outside_the_editor() -> None:
    """The engine empties every node cache (each entry holds a node, and with it the tree)
    after a file it checks without an editor's parser."""
    from binlint.analysis import carry
    from binlint.config import Config
    from binlint.pipeline.discover import FileKind
    from binlint.pipeline.engine import RunSettings, check_bytes

    source = b'import requests\n\ndef price(p):\n    return requests.get("https://api.binance.com/api/v3/time", params=p)\n'
    result = check_bytes(source, "bot.py", FileKind.PYTHON, RunSettings(Config()))
    assert result.parsed and [f.code for f in result.findings] == ["BL502"]
    assert carry._CACHES  # the tree index, positions and code caches
    assert all(not c._current and not c._previous for c in carry._CACHES)
