"""The parse without node validation: the same trees as libcst's, and validation back afterwards."""

from __future__ import annotations

import threading
from pathlib import Path

import libcst as cst
import pytest

from binlint.pipeline.parse.unvalidated import parse_module

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").rglob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES[:8], ids=lambda p: p.name)
def test_the_tree_is_libcsts(path: Path) -> None:
    source = path.read_text()
    assert parse_module(source).deep_equals(cst.parse_module(source))
    assert parse_module(source).code == source


def _validation_holds() -> bool:
    try:
        cst.Name("not a name")
    except cst.CSTValidationError:
        return True
    return False


def test_nodes_made_after_a_parse_are_validated() -> None:
    parse_module("x = 1\n")
    assert _validation_holds()


def test_a_syntax_error_leaves_validation_in_place() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def (:\n")
    assert _validation_holds()


def test_overlapping_parses_in_threads_leave_validation_in_place() -> None:
    source = "".join(f"def f{i}(a, b):\n    return a + b * {i}\n" for i in range(300))
    errors: list[BaseException] = []

    def parse() -> None:
        try:
            for _ in range(3):
                parse_module(source)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=parse) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert _validation_holds()


@pytest.mark.parametrize("source", ['x = b"a" "b"\n', 'x = (f"a"\n     b"b")\n', 'x = "a" "b" b"c"\n'])
def test_bytes_next_to_text_is_refused_as_libcst_refuses_it(source: str) -> None:
    """The grammar lets strings of both kinds stand together; libcst's validation (and Python) refuse it."""
    with pytest.raises(cst.CSTValidationError):
        cst.parse_module(source)
    with pytest.raises(cst.CSTValidationError):
        parse_module(source)
    assert "__post_init__" not in vars(cst.ConcatenatedString)
    assert parse_module('x = b"a" b"b"\n').code == 'x = b"a" b"b"\n'
    assert _validation_holds()


def test_plain_constructors_are_written_once_enough_was_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    from binlint.pipeline.parse import unvalidated

    monkeypatch.setattr(unvalidated, "_constructors", None)
    monkeypatch.setattr(unvalidated, "_parsed", 0)
    own = vars(cst.Name)["__init__"]
    with unvalidated.parsing(1000):
        assert vars(cst.Name)["__init__"] is own and unvalidated._constructors is None
    assert parse_module("x = 1\n").code == "x = 1\n" and unvalidated._constructors is None
    with unvalidated.parsing(unvalidated.PLAIN_FROM):
        assert vars(cst.Name)["__init__"] is not own and unvalidated._constructors
    assert vars(cst.Name)["__init__"] is own


def test_node_classes_get_plain_constructors_only_while_parsing() -> None:
    """Inside `parsing()` node classes build through the plain constructors, which make the very nodes
    the classes' own do (defaults and default factories included); outside it, the own ones are back."""
    from binlint.pipeline.parse.unvalidated import PLAIN_FROM, parsing

    own = {node_class: vars(node_class)["__init__"] for node_class in (cst.Name, cst.Call, cst.Dict, cst.If)}
    outside = [cst.Name("x"), cst.Call(cst.Name("f"), [cst.Arg(cst.Integer("1"))]), cst.Dict([]),
               cst.If(cst.Name("a"), cst.IndentedBlock([cst.SimpleStatementLine([cst.Pass()])]))]
    with parsing(PLAIN_FROM):
        assert all(vars(node_class)["__init__"] is not constructor for node_class, constructor in own.items())
        assert "__init__" in vars(cst.ConcatenatedString)  # its own: its check of the parts stays
        inside = [cst.Name("x"), cst.Call(cst.Name("f"), [cst.Arg(cst.Integer("1"))]), cst.Dict([]),
                  cst.If(cst.Name("a"), cst.IndentedBlock([cst.SimpleStatementLine([cst.Pass()])]))]
        assert parse_module("x = 1\n").code == "x = 1\n"  # a parse inside keeps them for the rest
        assert all(vars(node_class)["__init__"] is not constructor for node_class, constructor in own.items())
    assert all(vars(node_class)["__init__"] is constructor for node_class, constructor in own.items())
    for made_inside, made_outside in zip(inside, outside):
        assert made_inside.deep_equals(made_outside)
        assert cst.Module([]).code_for_node(made_inside) == cst.Module([]).code_for_node(made_outside)
    assert _validation_holds()


def test_pieces_of_a_module_parse_to_libcsts_tree_with_plain_constructors() -> None:
    from binlint.pipeline.parse.chunked import parse_guarded

    source = "".join(f"def f{i}(a, *b, c=1, **d):\n    return [a, *b] + {{'k': c, **d}}[{i}:]  # {i}\n"
                     for i in range(3000))
    assert len(source) > 64 * 1024
    module = parse_guarded(source)
    assert module is not None and module.deep_equals(cst.parse_module(source)) and module.code == source
    assert _validation_holds()


def test_a_plain_constructor_is_written_only_for_the_one_dataclasses_wrote() -> None:
    import dataclasses

    from binlint.constructors import plain_constructor as _plain_constructor

    @dataclasses.dataclass(frozen=True, slots=True)
    class Plain:
        a: int
        b: tuple[int, ...] = ()
        c: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, slots=True)
    class OwnConstructor:
        a: int

        def __init__(self, value: str) -> None:  # not the fields: kept
            object.__setattr__(self, "a", int(value))

    plain = _plain_constructor(Plain)
    assert plain is not None and _plain_constructor(OwnConstructor) is None
    made = Plain.__new__(Plain)
    plain(made, 1)
    assert made == Plain(1) and made.c == [] and made.b == ()
    made = Plain.__new__(Plain)
    plain(made, 2, (3,), c=[4])
    assert made == Plain(2, (3,), [4])
