"""A large module parsed in pieces (`parse.chunked`) is the tree one parse of it gives.

Every test cuts wherever the rules allow (a piece size of one character), so that each
statement start the outline finds is tried; and each checks that cuts were made, so that a
parser that always fell back to the whole parse would fail it.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings, strategies as st

from binlint.pipeline.engine import _parse
from binlint.pipeline.parse.chunked import PIECE, PIECES_FROM, cut_points, parse_in_pieces
from binlint.pipeline.parse.nesting import Outline, too_deep
from bench.scaling import module_source

REPO = Path(__file__).resolve().parent.parent
REAL = sorted([*(REPO / "examples").rglob("*.py"), *(REPO / "tests" / "projects").rglob("*.py")])


def _outline(source: str) -> Outline:
    outline = Outline()
    assert too_deep(source, outline) is None
    return outline


def _same_tree(source: str, piece: int = 1) -> bool:
    """Whether the pieces give the whole parse's tree; raises as the whole parse does."""
    whole = cst.parse_module(source)
    pieces = parse_in_pieces(source, _outline(source), piece)
    return pieces.deep_equals(whole) and pieces.code == whole.code and \
        pieces.default_indent == whole.default_indent and pieces.default_newline == whole.default_newline


def test_real_modules_give_the_same_tree() -> None:
    cut = 0
    for path in REAL:
        source = path.read_text()
        assert _same_tree(source), path
        cut += bool(cut_points(source, _outline(source), 1))
    assert cut >= len(REAL) // 3  # most of them were cut somewhere


# Statements at column 0, each a few lines; `{i}` is the indentation of the module.
_STATEMENTS = [
    "x = 1\n",
    "def f(a, b):\n{i}return a + b\n",
    "@decorator\ndef g():\n{i}pass\n",
    "@decorator(\n    1,\n)\n\n# between\n@other\nclass C:\n{i}def m(self):\n{i}{i}if self:\n{i}{i}{i}return 1\n",
    "if x:\n{i}y = 1\nelif z:\n{i}y = 2\nelse:\n{i}y = 3\n",
    "try:\n{i}pass\nexcept ValueError:\n{i}pass\nelse:\n{i}pass\nfinally:\n{i}pass\n",
    "for a in b:\n{i}pass\nelse:\n{i}pass\n",
    "s = '''\ndef not_code():\n# not a comment\n'''\n",
    "t = (1,\n2,\n)\n",
    "u = 1 + \\\n2\n",
    "async def h():\n{i}await x  # trailing\n",
    "with a as b:\n{i}pass\n{i}# the block's comment\n",
    "class D: pass\n",
    "match v:\n{i}case 1:\n{i}{i}pass\n",
]
# What may stand between two statements.
_GAPS = ["\n", "# column 0\n", "{i}# indented\n", " # odd\n", "{i}\n", "  \n", "\t\n", "{i}{i}# deeper\n"]
# Statements of a large block (a class's or a function's), and what may stand between them.
_MEMBERS = [
    "{i}x = 1\n",
    "{i}def m(self):\n{i}{i}return 1\n",
    "{i}@property\n{i}def p(self):\n{i}{i}if self:\n{i}{i}{i}return 2\n{i}{i}# in the method\n",
    "{i}@decorator(\n1)\n\n{i}# between\n{i}async def a(self):\n{i}{i}pass\n",
    "{i}if X:\n{i}{i}y = 1\n{i}else:\n{i}{i}y = 2\n",
    "{i}try:\n{i}{i}pass\n{i}except E:\n{i}{i}pass\n{i}finally:\n{i}{i}pass\n",
    '{i}s = """\nclass Not:\n    pass\n"""\n',
    "{i}class Inner:\n{i}{i}pass\n",
]
_MEMBER_GAPS = ["\n", "{i}# a comment\n", "{i}{i}# deeper\n", "# column 0\n", "{i}\n", " \n"]


@st.composite
def _blocks(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(["class C:\n", "@decorator\nclass C(Base):\n", "def big():\n"]))
    parts = [head, draw(st.sampled_from(["", '{i}"""Doc."""\n']))]
    for _ in range(draw(st.integers(1, 8))):
        parts.append(draw(st.sampled_from(_MEMBERS)))
        parts.extend(draw(st.lists(st.sampled_from(_MEMBER_GAPS), max_size=3)))
    return "".join(parts)


@st.composite
def _modules(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from(["    ", "  ", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    parts = [draw(st.sampled_from(["", "# header\n", '"""Doc."""\n', "import os\n\n"]))]
    for _ in range(draw(st.integers(1, 10))):
        parts.append(draw(st.one_of(st.sampled_from(_STATEMENTS), _blocks())))
        parts.extend(draw(st.lists(st.sampled_from(_GAPS), max_size=3)))
    source = "".join(parts).replace("{i}", indent).replace("\n", newline)
    if draw(st.booleans()):
        source = source.rstrip("\r\n")
    return source


@settings(max_examples=400, deadline=None)
@given(_modules())
def test_generated_modules_give_the_same_tree(source: str) -> None:
    try:
        cst.parse_module(source)
    except cst.ParserSyntaxError:
        with pytest.raises(cst.ParserSyntaxError):
            parse_in_pieces(source, _outline(source), 1)
        return
    assert _same_tree(source)


def test_cuts_are_made_where_the_rules_allow() -> None:
    source = ("import os\n\n\ndef f():\n    pass\n\n\n@decorator\ndef g():\n    pass\n"
              "try:\n    pass\nexcept ValueError:\n    pass\n    # owned by the block\n\nx = 1\n  \ny = 2\n")
    starts = {source[cut:].split("\n", 1)[0] for cut, _ in cut_points(source, _outline(source), 1)}
    # Not before the first indented line (it sets the module's indentation), after a decorator,
    # at `except`, or after a line of blanks or an indented comment.
    assert starts == {"@decorator", "try:"}


def test_the_first_indentation_is_the_modules() -> None:
    source = "a = 1\n" * 50 + "def f():\n\tpass\n" + "def g():\n\tpass\n" * 50
    assert _same_tree(source)
    assert parse_in_pieces(source, _outline(source), 1).default_indent == "\t"


def test_a_syntax_error_in_a_later_piece_is_the_whole_parses() -> None:
    source = "def f():\n    pass\n" * 20 + "def broken(:\n    pass\n" + "def g():\n    pass\n" * 20
    with pytest.raises(cst.ParserSyntaxError) as pieces:
        parse_in_pieces(source, _outline(source), 1)
    with pytest.raises(cst.ParserSyntaxError) as whole:
        cst.parse_module(source)
    assert str(pieces.value) == str(whole.value)


def test_a_large_module_is_parsed_in_pieces_by_the_engine() -> None:
    source = module_source("signed", 200)
    assert len(source) > PIECES_FROM
    assert len(cut_points(source, _outline(source))) >= len(source) // PIECE // 2
    module, error = _parse(source)
    assert error is None and module is not None
    assert module.deep_equals(cst.parse_module(source)) and module.code == source


def test_a_large_class_is_parsed_in_pieces_of_its_body() -> None:
    methods = "".join(f"    def method_{n}(self, value):\n        return value + {n}\n\n" for n in range(2_000))
    source = f"import os\n\n\nclass Bot:\n    \"\"\"Many methods.\"\"\"\n\n{methods}\ndef main():\n    pass\n"
    cuts = cut_points(source, _outline(source))
    assert sum(1 for _, level in cuts if level == 1) >= len(methods) // PIECE - 1
    assert _same_tree(source, PIECE)


def test_the_editor_parses_a_large_document_in_pieces_and_splices_into_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from binlint.pipeline.parse import incremental
    from binlint.pipeline.parse.incremental import DocumentParser

    calls: list[int] = []
    real = incremental.parse_in_pieces
    monkeypatch.setattr(incremental, "parse_in_pieces",
                        lambda text, outline: calls.append(outline is not None) or real(text, outline))
    source = module_source("signed", 200)
    parser = DocumentParser()
    module, error = _parse(source, parser)
    assert error is None and module is not None and calls == [True]
    assert module.deep_equals(cst.parse_module(source)) and module.code == source
    edited = source.replace('"newClientOrderId": f"bot-150"', '"newClientOrderId": f"bot-150x"')
    spliced, error = _parse(edited, parser)  # one statement re-parsed in the tree of pieces
    assert error is None and spliced is not None and spliced.code == edited
    assert spliced.deep_equals(cst.parse_module(edited)) and calls == [True]
