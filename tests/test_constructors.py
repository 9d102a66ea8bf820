"""`plain_init`: the analysis's small value types construct through their slots, as before."""

from __future__ import annotations

import dataclasses

import pytest

from binlint.constructors import plain_init


@plain_init
@dataclasses.dataclass(frozen=True, slots=True)
class _Pair:
    name: str
    keys: frozenset[str] = frozenset()
    parts: tuple[int, ...] = ()
    seen: list[str] = dataclasses.field(default_factory=list)


def test_a_value_type_gets_a_constructor_that_makes_the_same_objects() -> None:
    assert _Pair.__init__.__qualname__ == "_Pair.__init__"
    assert "__setattr__" not in _Pair.__init__.__code__.co_names  # not the one dataclasses wrote
    made = _Pair("a", frozenset({"x"}), parts=(1,))
    assert (made.name, made.keys, made.parts, made.seen) == ("a", frozenset({"x"}), (1,), [])
    assert made == _Pair("a", frozenset({"x"}), (1,), [])
    assert _Pair("b").seen is not _Pair("b").seen  # a fresh default each time
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        _Pair()  # type: ignore[call-arg]


def test_a_class_that_needs_its_own_constructor_keeps_it() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived:
        value: int
        double: int = dataclasses.field(init=False, default=0)

    own_checked, own_derived = Checked.__init__, Derived.__init__
    assert plain_init(Checked).__init__ is own_checked and plain_init(Derived).__init__ is own_derived
    with pytest.raises(ValueError):
        Checked(-1)
    assert Derived(2).double == 0


def test_the_analysis_value_types_have_plain_constructors() -> None:
    from binlint.analysis.module import Binding
    from binlint.analysis.requests import EndpointCall
    from binlint.analysis.signing.common import KeySet, Part, Payload
    from binlint.analysis.values import DictItem, StrValue

    for value_type in (Binding, EndpointCall, KeySet, Part, Payload, DictItem, StrValue):
        assert "__setattr__" not in value_type.__init__.__code__.co_names, value_type
    assert KeySet(frozenset({"a"})) == KeySet(frozenset({"a"}), True)
