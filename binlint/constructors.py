"""Plain constructors for frozen dataclasses with slots.

The constructor `dataclasses` writes for a frozen class looks `object.__setattr__` up and
calls it for every field; one that stores each field through its slot's descriptor does the
same work in about a third of the time. libcst's node classes get one while libcst parses
(`pipeline.parse.unvalidated`); binlint's own small value types that the analysis makes tens
of thousands of in a large module get theirs for good (`plain_init`).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T", bound=type)


def plain_init(value_type: T) -> T:
    """Give a frozen dataclass with slots (declared below this decorator) the plain constructor:
    the same parameters and defaults, nothing else done. A class with a `__post_init__`, or whose
    constructor is not the one dataclasses wrote for its fields, keeps its own."""
    if getattr(value_type, "__post_init__", None) is None:
        plain = plain_constructor(value_type)
        if plain is not None:
            plain.__qualname__ = f"{value_type.__qualname__}.__init__"
            plain.__module__ = value_type.__module__
            value_type.__init__ = plain  # type: ignore[misc]
    return value_type


def plain_constructor(node_class: type) -> Any:
    """The plain constructor of one class (None when `constructor_source` writes none)."""
    namespace: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    source = constructor_source(node_class, "_init", namespace)
    if source is None:
        return None
    exec(source, namespace)  # noqa: S102 - see constructor_source
    return namespace["_init"]


def constructor_source(node_class: type, name: str, namespace: dict[str, Any]) -> str | None:
    """The code of a function `name` that constructs a frozen dataclass with slots: the same parameters
    and defaults, each field stored through its slot (what it refers to put in `namespace`, under names
    that start with `name`); None when the class is not such a class, or its constructor is not the
    one dataclasses wrote for its fields. The code holds only the class's own field names."""
    own = node_class.__dict__.get("__init__")
    code = getattr(own, "__code__", None)
    if not dataclasses.is_dataclass(node_class) or code is None:
        return None
    fields = list(dataclasses.fields(node_class))
    if any(not f.init or f.kw_only is True or not f.name.isidentifier() for f in fields):
        return None
    if code.co_kwonlyargcount or code.co_varnames[: code.co_argcount] != ("self", *(f.name for f in fields)):
        return None
    parameters: list[str] = []
    body: list[str] = []
    defaulted = False
    for number, field in enumerate(fields):
        slot = next((k.__dict__[field.name] for k in node_class.__mro__ if field.name in k.__dict__), None)
        if slot is None or not hasattr(slot, "__set__") or isinstance(slot, property):
            return None
        namespace[f"{name}_set{number}"] = slot.__set__
        if field.default is not dataclasses.MISSING:
            namespace[f"{name}_default{number}"] = field.default
            parameters.append(f"{field.name}={name}_default{number}")
            defaulted = True
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"{name}_factory{number}"] = field.default_factory
            parameters.append(f"{field.name}=_MISSING")
            body.append(f"if {field.name} is _MISSING: {field.name} = {name}_factory{number}()")
            defaulted = True
        elif defaulted:
            return None  # a field without a default after one with: not the signature dataclasses writes
        else:
            parameters.append(field.name)
        body.append(f"{name}_set{number}(self, {field.name})")
    return f"def {name}(self, {', '.join(parameters)}):\n    " + "\n    ".join(body or ["pass"]) + "\n"
