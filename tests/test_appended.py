"""The fixer's splice of an element appended to a dict or a call: built from the old nodes, it is
still the tree a whole parse of the new text gives.

`appended` builds such a line from its old nodes and the new elements alone (no re-parse of the
line). These tests hold every splice to the whole parse, node for node, on generated dicts and
calls of every layout (commas, comments, line breaks, parentheses, starred elements), and check
that the common fixes do take that path (a splicer that always re-parsed would pass the first).
"""

from __future__ import annotations

from typing import Iterator

import pytest
from hypothesis import given, strategies as st

from binlint.pipeline.parse import incremental
from tests.test_incremental import _apply, _assert_splice_is_exact, _parsed
from tests.test_properties import examples

_DICT_ELEMENTS = ["'a': 1", "**base", '"k": (v)', "'t': int(time.time() * 1000)", "1 : [x]", '"s": f"{a}"']
_CALL_ELEMENTS = ["u", "params=p", "*args", "**kw", "(x)", "key = 1", "x for x in y", "(y for y in z)", "a := 1"]
_SEPARATORS = [", ", ",", " , ", ",\n            ", ",  # note\n            ", ",\n\n            "]
_OPENINGS = ["", " ", "\n            ", "  # first\n            "]
_CLOSINGS = ["", " ", ",", ", ", " ,", ",\n        ", "\n        ", "  # last\n        ", ",  # last\n        "]
_INSERTS = [', "recvWindow": 5000', ", timeout=10", ",x", ", **more", ", *rest", ", 'b': 2, 'c': 3", ", y ", ", z  # c",
            ",", ", w,", ",\tq", ', "x": 1', ", k=v, j=w", ", (p)", ", lambda: 0", ", *"]


def _line(kind: str, opening: str, elements: list[str], separators: list[str], closing: str) -> tuple[str, int]:
    """A statement holding a dict or a call, and where its last element ends."""
    body = opening + "".join(e + s for e, s in zip(elements, separators)) + elements[-1]
    end = len(body)
    body += closing
    if kind == "dict":
        head = "        params = {"
        return f"{head}{body}}}\n", len(head) + end
    head = "        response = requests.get("
    return f"{head}{body})\n", len(head) + end


def _module(line: str) -> str:
    return f"import requests\n\n\nclass Api:\n    def order(self):\n        x = 1\n{line}        return x\n"


@st.composite
def _appends(draw: st.DrawFn) -> tuple[str, int, str]:
    kind = draw(st.sampled_from(["dict", "call"]))
    pool = _DICT_ELEMENTS if kind == "dict" else _CALL_ELEMENTS
    elements = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
    separators = [draw(st.sampled_from(_SEPARATORS)) for _ in elements[1:]]
    line, end = _line(kind, draw(st.sampled_from(_OPENINGS)), elements, separators, draw(st.sampled_from(_CLOSINGS)))
    source = _module(line)
    return source, source.index(line) + end, draw(st.sampled_from(_INSERTS))


@pytest.fixture
def built() -> Iterator[list[int]]:
    """How many lines each splice built from their old nodes."""
    counts: list[int] = []
    original = incremental.appended

    def counting(appends):  # type: ignore[no-untyped-def]
        found = original(appends)
        counts.append(sum(statement is not None for statement in found))
        return found

    incremental.appended = counting
    try:
        yield counts
    finally:
        incremental.appended = original


@examples(300)
@given(case=_appends())
def test_elements_appended_to_any_dict_or_call_splice_to_the_whole_parse(case: tuple[str, int, str]) -> None:
    source, at, text = case
    if _parsed(source) is None:
        return  # the elements drawn make no call (a positional argument after a keyword one)
    _assert_splice_is_exact(source, [(at, at, text)])


@pytest.mark.parametrize(("line", "after", "text"), [
    ('        params = {"symbol": symbol, "timestamp": int(time.time() * 1000)}\n', "1000)", ', "recvWindow": 5000'),
    ('        params = {\n            "symbol": symbol,\n            "timestamp": (ts),  # ms\n        }\n', "(ts)",
     ', "recvWindow": 5000'),
    ('        return self._signed("GET", "/api/v3/openOrders", symbol=(symbol))\n', "symbol=(symbol)",
     ", recvWindow=5000"),
    ("        response = requests.get(url, params=params, headers=headers)\n", "headers=headers", ", timeout=10"),
    ("        response = requests.get(\n            url,\n            params=params,\n        )\n", "params=params",
     ", timeout=10"),
])
def test_the_fixers_appends_are_built_from_the_old_nodes(line: str, after: str, text: str, built: list[int]) -> None:
    source = _module(line)
    at = source.index(after, source.index(line)) + len(after)
    assert _assert_splice_is_exact(source, [(at, at, text)])
    assert built[-1] == 1, _apply(source, [(at, at, text)])


@pytest.mark.parametrize(("line", "after", "text"), [
    ("        response = f(x for x in y)\n", "x for x in y", ", z"),  # Python refuses it: re-parsed and judged
    ("        params = {'a': 1}\n", "1", ", 'b': 2 "),  # white space the probe would lose
    ("        params = {'a': 1}\n", "1", ", 'b': 2,"),  # a comma after the new last element
    ("        params = {'a': 1}\n", "'a'", ", 'b'"),  # not after an element's end
    ("        params = [1, 2]\n", "2", ", 3"),  # a list: not a dict or a call
])
def test_other_edits_are_re_parsed(line: str, after: str, text: str, built: list[int]) -> None:
    source = _module(line)
    at = source.index(after, source.index(line)) + len(after)
    _assert_splice_is_exact(source, [(at, at, text)])
    assert not any(built)


def test_a_line_with_two_edits_is_re_parsed(built: list[int]) -> None:
    source = _module("        response = requests.get(url, params={'a': 1})\n")
    first = source.index("'a': 1") + len("'a': 1")
    second = first + 1
    assert _assert_splice_is_exact(source, [(first, first, ", 'b': 2"), (second, second, ", timeout=10")])
    assert built[-1] == 0


def test_a_node_libcst_will_not_build_leaves_the_line_to_the_re_parse(monkeypatch: pytest.MonkeyPatch,
                                                                      built: list[int]) -> None:
    import libcst as cst

    from binlint.pipeline.parse import appended

    def refuse(*args):  # type: ignore[no-untyped-def]
        raise cst.CSTValidationError("refused")

    monkeypatch.setattr(appended, "_with_elements", refuse)
    source = _module("        response = requests.get(url, params=params)\n")
    at = source.index("params=params") + len("params=params")
    assert _assert_splice_is_exact(source, [(at, at, ", timeout=10")])
    assert built[-1] == 0


def test_an_append_nested_past_the_guard_is_left_to_the_re_parse(built: list[int]) -> None:
    from binlint.pipeline.parse.nesting import too_deep

    deep = "-" * 400 + "x"  # Python's parser takes it; libcst's could overflow the C stack on it
    assert too_deep(deep) is not None
    source = _module("        params = {'a': 1}\n")
    at = source.index("'a': 1") + len("'a': 1")
    _assert_splice_is_exact(source, [(at, at, f", 'b': {deep}")])
    assert not any(built)
