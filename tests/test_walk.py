"""The tree index is what one plain walk from the module gives, also when statements are kept
from an earlier module; its lookups answer what walking the parents answers."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import libcst as cst
import pytest

import binlint
from binlint.analysis.walk import TreeIndex, children
from binlint.rules import all_rules
from binlint.testing import fill
from bench.botgen import bot_source



def _parses(source: str) -> bool:
    try:
        cst.parse_module(source)
    except cst.ParserSyntaxError:
        return False
    return True


SOURCES = [
    bot_source(200),
    bot_source(200, style="class"),
    "",
    "x = 1",
    "@d\nclass C:\n    def f(self):\n        return lambda y: [z for z in y]\n",
    "def f():\n    def g():\n        class K:\n            x = lambda: 1\n        return K\n    return g\n",
] + [source for source in (fill(case.source) for rule in all_rules() for case in (*rule.VALID, *rule.INVALID)
                           if case.filename.endswith(".py")) if _parses(source)][:40]

# Classes the analyses test with `type(node) is C`: the same as isinstance() only while
# no node class derives from them.
EXACT_TYPES = (
    cst.Name, cst.Attribute, cst.Call, cst.Await, cst.SimpleString, cst.ConcatenatedString, cst.Subscript,
    cst.FormattedString, cst.BinaryOperation, cst.Add, cst.Modulo, cst.Tuple, cst.List, cst.Set, cst.Dict,
    cst.DictElement, cst.FunctionDef, cst.Lambda, cst.ClassDef,
)
# `type(x) is cst.C`, `type(x) in (cst.C, cst.D)` (also over several lines) in binlint's code.
_EXACT_TEST = re.compile(r"type\((?:[^()]|\([^()]*\))*\) (?:is(?: not)?|(?:not )?in) (cst\.\w+|\((?:\s*cst\.\w+,?)+\s*\))")


def _classes_tested_by_exact_type() -> set[type]:
    found: set[type] = set()
    for path in Path(binlint.__file__).parent.rglob("*.py"):
        for match in _EXACT_TEST.finditer(path.read_text()):
            found.update(getattr(cst, name) for name in re.findall(r"cst\.(\w+)", match.group(1)))
    return found


def _plain_walk(module: cst.Module) -> tuple[dict, dict, dict, dict]:
    """Parents, pre-order numbers, subtree ends and per-type lists, the simple way."""
    parent: dict[int, cst.CSTNode] = {}
    order: dict[int, int] = {}
    end: dict[int, int] = {}
    by_type: dict[type, list[cst.CSTNode]] = defaultdict(list)

    counter = 0

    def visit(node: cst.CSTNode) -> None:
        nonlocal counter
        order[id(node)] = counter
        counter += 1
        by_type[type(node)].append(node)
        for kid in children(node):
            parent[id(kid)] = node
            visit(kid)
        end[id(node)] = counter

    visit(module)
    return parent, order, end, dict(by_type)


def _assert_index_is_plain_walk(module: cst.Module) -> TreeIndex:
    tree = TreeIndex(module)
    parent, order, end, by_type = _plain_walk(module)
    assert tree._parent == parent
    assert tree._order == order
    # A leaf's end (right after it) may be left out of the table.
    assert set(tree._end) <= set(end)
    assert {key: tree._end.get(key, start + 1) for key, start in order.items()} == end
    assert dict(tree._by_type) == by_type
    return tree


@pytest.mark.parametrize("source", SOURCES)
def test_index_is_a_plain_walk(source: str) -> None:
    _assert_index_is_plain_walk(cst.parse_module(source))
    _assert_index_is_plain_walk(cst.parse_module(source))  # its statements' subtrees kept from the first


@pytest.mark.parametrize("source", SOURCES)
def test_index_made_in_one_walk_outside_the_editor_is_a_plain_walk(source: str) -> None:
    from binlint.analysis import carry

    carry.carry_over(False)
    try:
        _assert_index_is_plain_walk(cst.parse_module(source))
    finally:
        carry.carry_over(True)


def test_statements_kept_from_an_earlier_module_are_renumbered() -> None:
    module = cst.parse_module(bot_source(300))
    _assert_index_is_plain_walk(module)
    body = list(module.body)
    inserted = cst.parse_statement("x = [1, (2, 3)]\n")
    for changed in (
        [*body[:5], inserted, *body[5:]],  # the statements after the edit move down
        [*body[:5], *body[6:]],  # ... or up
        [body[0], *body[3:], body[1]],  # reordered, one statement twice
    ):
        _assert_index_is_plain_walk(module.with_changes(body=changed))


def test_class_members_kept_from_an_earlier_module_are_renumbered() -> None:
    module = cst.parse_module(bot_source(300, style="class"))
    _assert_index_is_plain_walk(module)
    index = next(i for i, s in enumerate(module.body) if isinstance(s, cst.ClassDef))
    klass = module.body[index]
    members = list(klass.body.body)
    method = cst.parse_statement("def extra(self):\n    return [self.a, (1, 2)]\n")
    for changed in ([*members[:3], method, *members[3:]], members[:2] + members[4:], [members[-1], *members]):
        edited = klass.with_changes(body=klass.body.with_changes(body=changed))
        _assert_index_is_plain_walk(module.with_changes(body=[*module.body[:index], edited, *module.body[index + 1:]]))


@pytest.mark.parametrize("source", SOURCES[:6])
def test_lookups_answer_what_the_parents_answer(source: str) -> None:
    module = cst.parse_module(source)
    tree = TreeIndex(module)
    nodes = [node for nodes in tree._by_type.values() for node in nodes]
    for types in ((cst.FunctionDef, cst.Lambda), (cst.FunctionDef,), (cst.ClassDef,), (cst.BaseCompoundStatement,)):
        for node in nodes:
            expected = next((a for a in tree.ancestors(node) if isinstance(a, types)), None)
            assert tree.nearest(node, *types) is expected
            assert tree.nearest_of(*types)(node) is expected
    for root in nodes:
        for node_type in (cst.Name, cst.Call):
            expected = [n for n in tree.of_type(node_type) if tree.contains(root, n)]
            assert tree.within(root, node_type) == expected
    assert tree.nearest(cst.Name("elsewhere"), cst.FunctionDef) is None
    assert tree.nearest_of(cst.FunctionDef)(cst.Name("elsewhere")) is None


def test_classes_tested_by_exact_type_have_no_subclasses() -> None:
    found = _classes_tested_by_exact_type()
    assert cst.Name in found and len(found) > 40  # the scan finds them
    for node_class in (*EXACT_TYPES, *found):
        assert not node_class.__subclasses__(), node_class


QUALNAME_CHAINS = """\
import binance.client as bc
from binance.client import Client
a = Client("k", "s")
b = a
c = b
d = c
e = d
f = e
g = f
h = g
loop = loop
x = y
y = x
def run(client: bc.Client):
    return h.create_order, client.get_account, getattr(bc, "Client"), loop, x
"""


@pytest.mark.parametrize("source", [QUALNAME_CHAINS, SOURCES[0], SOURCES[1]])
def test_qualnames_remembered_across_depths_are_the_answers_asked_alone(source: str) -> None:
    """`qualname` shares an answer between depths when the depth cut-off did not shorten it:
    asked in any order, each answer is the one a fresh model gives."""
    from binlint.analysis.module import _MAX_DEPTH, ModuleModel

    module = cst.parse_module(source)
    names = [n for t in (cst.Name, cst.Attribute, cst.Call) for n in TreeIndex(module).of_type(t)]
    questions = [(node, depth) for node in names for depth in range(_MAX_DEPTH + 2)]
    shared = ModuleModel(module, "m.py", source)
    upward = ModuleModel(module, "m.py", source)
    alone = {(id(n), d): ModuleModel(module, "m.py", source).qualname(n, d) for n, d in questions}
    for node, depth in reversed(questions):
        assert shared.qualname(node, depth) == alone[(id(node), depth)], (shared.code(node), depth)
    for node, depth in questions:
        assert upward.qualname(node, depth) == alone[(id(node), depth)], (upward.code(node), depth)
    for call in TreeIndex(module).of_type(cst.Call):
        assert shared.call_name(call) == alone[(id(call.func), 0)]
