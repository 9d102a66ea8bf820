"""binlint's fast positions are exactly libcst's `PositionProvider` ranges, for every node."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from libcst._nodes.base import CSTCodegenError
from libcst.metadata import MetadataWrapper, PositionProvider

from binlint.analysis.positions import positions

# hypothesmith compiles what it generates; Python warns about code like `1()`.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

TRICKY = [
    "",
    "\n",
    "x = 1",  # no final newline
    "x = 1\r\ny = 2\r\n",
    "x = 1\ry = 2",
    "if x:\n\tpass",
    "def f():\n    return 1  # comment",
    "# only a comment",
    "a; b;",
    "x = (\n    1,\n)\n\n\n",
    "@decorator\nclass C:\n    '''doc'''\n    x: int = f'{a!r:>{width}}'\n",
    "x = 'é' + \"\\u00e9\"\\\n  + y",
    "async def f():\n    async with a as (b, c):\n        await g(*args, **kw)\n",
    "match p:\n    case [1, *rest] if rest:\n        pass\n    case {'k': v, **kw}:\n        pass\n",
    "lambda x=1, /, *a, k, **kw: (yield)\n",
    "try:\n    pass\nexcept* (A, B) as e:\n    raise\nfinally:\n    del x[1:2, ::3]\n",
    "x = [i for i in range(3) if i] + {k: v for k, v in d.items()}\n",
    "print(f'''{x\n}''')\n",
]


def assert_same_positions(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    found = positions(module)
    assert len(found) == len(expected)
    for node, code_range in expected.items():
        assert found[node] == code_range, (type(node).__name__, module.code_for_node(node))


@pytest.mark.parametrize("source", TRICKY)
def test_tricky_sources(source: str):
    assert_same_positions(source)


def _real_files() -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    names = ["json/decoder.py", "email/_header_value_parser.py", "string.py", "dataclasses.py"]
    ours = sorted((Path(__file__).resolve().parent.parent / "binlint").rglob("*.py"))[:10]
    return [stdlib / n for n in names if (stdlib / n).exists()] + ours


@pytest.mark.parametrize("path", _real_files(), ids=str)
def test_real_files(path: Path):
    assert_same_positions(path.read_text(encoding="utf-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_generated_sources(source: str):
    try:
        cst.parse_module(source)
    except Exception:
        return  # libcst cannot read every source the grammar allows
    assert_same_positions(source)


# --- positions found statement by statement, in the source -------------------------------------------

DUPLICATES = [
    "import os\nimport os\n\nx = 1\nx = 1\n",
    "def f():\n    pass\n\n\ndef f():\n    pass\n# trailing comment\n",
    "x = 1\n" * 5 + "if x:\n    x = 1\n" + "x = 1\n" * 3,
    "a = 1\r\nb = 2\r\n\r\na = 1\r\n",
    "# header comment\n\nx = 1\n\n# footer\n",
]


def assert_same_model_positions(source: str, order: str = "forward", lines: bool = False) -> None:
    """`ModuleModel.position` (statement by statement, placed in the source) is the provider's range;
    with `lines`, `ModuleModel.line` (a compound statement placed by its header alone) is asked first,
    for every other node, and is the line the range starts on."""
    import random

    from binlint.analysis.module import ModuleModel

    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    model = ModuleModel(module, "bot.py", source)
    nodes = [node for nodes in model.tree._by_type.values() for node in nodes]
    if order == "backward":
        nodes.reverse()
    elif order == "shuffled":
        random.Random(0).shuffle(nodes)
    elif order == "dicts first":  # as a rule asks, function by function: the payload, then the calls after it
        def top(node: cst.CSTNode) -> int:
            outer = [node, *model.tree.ancestors(node)]
            return model.tree.order(outer[-2]) if len(outer) > 1 else 0

        nodes.sort(key=lambda node: (top(node), type(node) is not cst.Dict, type(node) is not cst.Call))
    if lines:
        for node in nodes[::2]:
            assert model.line(node) == expected[node].start.line, (type(node).__name__, module.code_for_node(node))
    for node in nodes:
        assert model.position(node) == expected[node], (type(node).__name__, module.code_for_node(node))
        if lines:
            assert model.line(node) == expected[node].start.line


@pytest.mark.parametrize("source", TRICKY + DUPLICATES)
@pytest.mark.parametrize("order", ["forward", "backward", "shuffled"])
def test_model_positions_of_tricky_sources(source: str, order: str):
    assert_same_model_positions(source, order)


@pytest.mark.parametrize("path", _real_files(), ids=str)
def test_model_positions_of_real_files(path: Path):
    assert_same_model_positions(path.read_text(encoding="utf-8"), "shuffled")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_model_positions_of_generated_sources(source: str):
    try:
        cst.parse_module(source)
    except Exception:
        return
    assert_same_model_positions(source, "shuffled")


def test_a_source_that_is_not_the_module_text_falls_back_to_the_whole_module():
    from binlint.analysis.module import ModuleModel

    module = cst.parse_module("x = 1\ny = 2\n")
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    model = ModuleModel(module, "bot.py", "something else entirely\n")
    for node in (module.body[1], module.body[0]):
        assert model.position(node) == expected[node]


def test_statements_kept_from_the_last_module_keep_exact_positions():
    from bench.botgen import bot_source
    from binlint.analysis.module import ModuleModel

    module = cst.parse_module(bot_source(300))
    positions(module)
    body = list(module.body)
    for changed in ([*body[:4], cst.parse_statement("z = (\n    1,\n)\n"), *body[4:]], body[:3] + body[5:]):
        edited = module.with_changes(body=changed)  # the statements' code is kept from `module`
        expected = MetadataWrapper(edited, unsafe_skip_copy=True).resolve(PositionProvider)
        found = positions(edited)
        assert len(found) == len(expected)
        for node, code_range in expected.items():
            assert found[node] == code_range
        model = ModuleModel(edited, "bot.py", edited.code)
        for nodes in model.tree._by_type.values():
            for node in nodes:
                assert model.position(node) == expected[node]


_ONE_LINE_APART = "".join(
    f"def f{i}(p):\n    for a in range(3):\n        q = {{'a': 1,\n             'id': 'bot-{i}'}}\n"
    "        s = sign(q)\n        r = send(q, s)\n        if r:\n            return r\n\n" for i in range(34))

# More alike statements than are looked for among the lines that start like them: each is placed
# through the statement around it, in whatever order nodes are asked about.
MANY_ALIKE = [
    "".join(f"def f{i}(p):\n    x = p\n    for a in range(3):\n        x = p\n        return x\n\n" for i in range(34)),
    "x = 1\n" * 34 + "if x:\n" + "    x = 1\n" * 34 + "x = 2\n",
    "".join("@retry(stop=3)\ndef f(p):\n    return requests.get(URL, params=p, timeout=5)\n\n" for _ in range(34)),
    "class C:\n" + "".join(f"    def m{i}(self):\n        self.x = 1\n        self.x = 1\n" for i in range(34)),
    # Alike statements told apart by one line of theirs, then alike ones after them in their block
    # (placed from the statement before), in both kinds of line ending.
    _ONE_LINE_APART,
    _ONE_LINE_APART.replace("\n", "\r\n"),
]


@pytest.mark.parametrize("source", MANY_ALIKE)
@pytest.mark.parametrize("order", ["forward", "backward", "shuffled", "dicts first"])
def test_model_positions_among_many_alike_statements(source: str, order: str):
    assert_same_model_positions(source, order)


@pytest.mark.parametrize("source", TRICKY + DUPLICATES + MANY_ALIKE)
@pytest.mark.parametrize("order", ["forward", "backward", "shuffled"])
def test_model_lines_before_positions(source: str, order: str):
    assert_same_model_positions(source, order, lines=True)


@pytest.mark.parametrize("source", MANY_ALIKE + DUPLICATES)
def test_lines_found_from_a_statement_placed_before_them(source: str, monkeypatch: pytest.MonkeyPatch):
    """As a rule asks: the range of a payload (its statement placed), then the line of each node after it
    in its function, found from that statement and the simple statements between them."""
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.positions import SourcePositions

    found_so: list[int] = []
    after_placed = SourcePositions._start_after_placed

    def counted(self: SourcePositions, node: cst.CSTNode, statement: cst.CSTNode):  # type: ignore[no-untyped-def]
        begins = after_placed(self, node, statement)
        if begins is not None:
            found_so.append(begins.line)
        return begins

    monkeypatch.setattr(SourcePositions, "_start_after_placed", counted)
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    model = ModuleModel(module, "bot.py", source)
    nodes = [node for nodes in model.tree._by_type.values() for node in nodes]
    nodes.sort(key=model.tree.order)
    for node in nodes:
        if type(node) is cst.Dict:
            assert model.position(node) == expected[node]
        elif type(node) not in (cst.Module, cst.SimpleStatementLine):  # (the module's own range is the whole
            # module's, and asking for a line's own start places it)
            assert model.line(node) == expected[node].start.line, (type(node).__name__, module.code_for_node(node))
    for node in nodes:
        assert model.position(node) == expected[node]
    if "s = sign(q)" in source:
        assert found_so


@pytest.mark.parametrize("path", _real_files(), ids=str)
def test_model_lines_of_real_files(path: Path):
    assert_same_model_positions(path.read_text(encoding="utf-8"), "shuffled", lines=True)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_model_lines_of_generated_sources(source: str):
    try:
        cst.parse_module(source)
    except Exception:
        return
    assert_same_model_positions(source, "shuffled", lines=True)


def assert_short_code_as_whole_code(source: str, placed: bool = False) -> None:
    """`ModuleModel.short` (the code generated only as far as it shows, or the text of a statement
    placed for a finding, with `placed`) quotes what the whole code does."""
    from binlint.analysis.loops import short_text
    from binlint.analysis.module import ModuleModel

    module = cst.parse_module(source)
    model = ModuleModel(module, "bot.py", source)
    if placed:  # place the statements that hold expressions (asking for the module would generate it whole)
        for nodes in model.tree._by_type.values():
            for node in nodes:
                if isinstance(node, cst.BaseExpression):
                    model.position(node)
    for nodes in model.tree._by_type.values():
        for node in nodes:
            try:
                whole = model.code(node)
            except CSTCodegenError:  # a node whose code depends on its parent's (a default indicator)
                continue
            for limit, ellipsis in ((8, "..."), (48, "…"), (60, "...")):
                assert model.short(node, limit, ellipsis) == short_text(whole, limit, ellipsis), (whole, limit)


@pytest.mark.parametrize("source", TRICKY + MANY_ALIKE[:3])
@pytest.mark.parametrize("placed", [False, True], ids=["generated", "from placed text"])
def test_short_code_of_tricky_sources(source: str, placed: bool):
    assert_short_code_as_whole_code(source, placed)


@pytest.mark.parametrize("path", _real_files()[:3], ids=str)
@pytest.mark.parametrize("placed", [False, True], ids=["generated", "from placed text"])
def test_short_code_of_real_files(path: Path, placed: bool):
    assert_short_code_as_whole_code(path.read_text(encoding="utf-8"), placed)


def test_a_line_inside_a_block_is_found_from_a_few_tokens_of_its_statement():
    """`line` of a small statement or an expression of a simple statement in a block: found from the
    headers around it and the statement's code a few tokens into the node (unique in its block),
    without generating the whole statement; the line is the provider's."""
    from binlint.analysis.module import ModuleModel

    source = _ONE_LINE_APART
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    model = ModuleModel(module, "bot.py", source)
    placer = model._placer
    asked = 0
    for statement in model.tree._by_type[cst.SimpleStatementLine]:
        small = statement.body[0]
        if model.tree.parent(statement) is module or not isinstance(small, (cst.Assign, cst.Return)):
            continue
        for node in (small, small.value):
            if isinstance(node, cst.BaseExpression) and node.lpar:
                continue
            assert model.line(node) == expected[node].start.line
            asked += 1
        assert id(statement) not in placer._placed and id(statement) not in placer._headers
    assert asked == 34 * 4 * 2  # four statements of each function's loop, and their values


def test_a_block_too_large_to_search_places_its_statements_by_their_whole_text():
    """The search for a few tokens of a statement reads its whole block: in a block larger than
    `_MAX_PREFIX_ROOM` the statement is placed by its whole text, at the right line all the same."""
    from binlint.analysis import positions as positions_module
    from binlint.analysis.module import ModuleModel

    source = "def f(p):\n" + "".join(f"    x{i} = p + {i}\n" for i in range(2_000)) + "    return p\n"
    assert len(source) > positions_module._MAX_PREFIX_ROOM
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    model = ModuleModel(module, "bot.py", source)
    for statement in module.body[0].body.body[::250]:
        small = statement.body[0]
        assert model.line(small) == expected[small].start.line
        assert id(statement) in model._placer._placed or id(statement) in model._placer._headers
