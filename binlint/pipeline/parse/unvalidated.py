"""`libcst.parse_module` without validating again each node its parser builds.

libcst validates every node as it is made (`CSTNode.__post_init__` calls `_validate`), which
guards trees built by hand; a tree its parser builds from source passes by construction
(libcst's own comment there says so), and the checks cost about a tenth of the parse. They
are left out while libcst parses (and while the pieces of one module parsed apart are put
back together, which only regroups nodes parsed), and only then: nodes made anywhere else are
validated as before. One check the grammar does not make is kept: strings next to each other
must not mix bytes and text (`b"a" "b"`, which Python refuses too). A libcst without that hook
parses as usual.

While it parses, each node class also gets a plainer constructor: the one `dataclasses` writes
for a frozen class looks `object.__setattr__` up and calls it for every field, then calls the
(here empty) validation hook; this one stores each field through its slot and stops there,
which makes the whole parse about a tenth faster. A class it cannot write one for (a field
without a slot, a signature it does not know) keeps its own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterator

if TYPE_CHECKING:
    import libcst as cst

_lock = threading.Lock()
_depth = 0  # parses under way (threads of the language server may overlap)
_validate: Callable[[Any], None] | None = None
# (class, its own constructor, the plain one) for every node class that gets one while parsing.
_constructors: list[tuple[type, Any, Any]] | None = None


def _unchecked(self: object) -> None:
    """A node the parser built: valid by construction."""


def parse_module(source: str | bytes) -> "cst.Module":
    """The module libcst parses from `source` (raises as `libcst.parse_module` does)."""
    import libcst as cst

    with parsing():
        return cst.parse_module(source)


@contextlib.contextmanager
def parsing() -> Iterator[None]:
    """While it lasts, nodes are made as libcst's parser makes them here (not validated, plain
    constructors): around one parse, or around many (the pieces of a module) to set that up once."""
    import libcst as cst

    global _depth, _validate, _constructors
    from libcst._nodes.base import CSTNode

    with _lock:
        if _depth == 0:
            hook = CSTNode.__dict__.get("__post_init__")
            usable = hook is not None and hook is not _unchecked
            if usable:
                _validate = hook
                if _constructors is None:
                    _constructors = _plain_constructors(CSTNode, cst.ConcatenatedString)
        else:
            usable = True
        if usable:
            _depth += 1
            if _depth == 1:
                CSTNode.__post_init__ = _unchecked  # type: ignore[method-assign]
                cst.ConcatenatedString.__post_init__ = _validate  # type: ignore[method-assign,assignment]
                for node_class, _, plain in _constructors or ():
                    node_class.__init__ = plain  # type: ignore[misc]
    if not usable:  # a libcst without the hook: parsed as usual
        yield
        return
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for node_class, own, _ in _constructors or ():
                    node_class.__init__ = own  # type: ignore[misc]
                CSTNode.__post_init__ = _validate  # type: ignore[method-assign,assignment]
                del cst.ConcatenatedString.__post_init__  # inherits the hook again


def _plain_constructors(base: type, keep: type) -> list[tuple[type, Any, Any]]:
    """A plain constructor (see the module's docstring) for each concrete node class below `base`
    but `keep`, whose validation stays."""
    found: list[tuple[type, Any, Any]] = []
    pending: list[type] = list(base.__subclasses__())
    seen: set[type] = set()
    while pending:
        node_class = pending.pop()
        if node_class in seen:
            continue
        seen.add(node_class)
        pending.extend(node_class.__subclasses__())
        own = node_class.__dict__.get("__init__")
        if own is None or node_class is keep or "__slots__" not in node_class.__dict__:
            continue  # inherits its constructor, or is not a node class libcst builds
        plain = _plain_constructor(node_class)
        if plain is not None:
            found.append((node_class, own, plain))
    return found


def _plain_constructor(node_class: type) -> Any:
    """The constructor of a frozen dataclass with slots: the same parameters and defaults, each field
    stored through its slot; None when the class is not such a class."""
    if not dataclasses.is_dataclass(node_class):
        return None
    fields = [f for f in dataclasses.fields(node_class) if f.init]
    if any(f.kw_only is True for f in fields) or any(not f.name.isidentifier() for f in fields):
        return None
    try:  # the class's own constructor must be the one dataclasses wrote for these fields
        own = inspect.signature(node_class.__dict__["__init__"]).parameters
    except (TypeError, ValueError):
        return None
    if list(own) != ["self", *(f.name for f in fields)]:
        return None
    namespace: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    parameters: list[str] = []
    body: list[str] = []
    defaulted = False
    for number, field in enumerate(fields):
        slot = next((k.__dict__[field.name] for k in node_class.__mro__ if field.name in k.__dict__), None)
        if slot is None or not hasattr(slot, "__set__") or isinstance(slot, property):
            return None
        namespace[f"_set{number}"] = slot.__set__
        if field.default is not dataclasses.MISSING:
            namespace[f"_default{number}"] = field.default
            parameters.append(f"{field.name}=_default{number}")
            defaulted = True
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"_factory{number}"] = field.default_factory
            parameters.append(f"{field.name}=_MISSING")
            body.append(f"if {field.name} is _MISSING: {field.name} = _factory{number}()")
            defaulted = True
        elif defaulted:
            return None  # a field without a default after one with: not the signature dataclasses writes
        else:
            parameters.append(field.name)
        body.append(f"_set{number}(self, {field.name})")
    code = f"def __init__(self, {', '.join(parameters)}):\n    " + "\n    ".join(body or ["pass"]) + "\n"
    exec(code, namespace)  # noqa: S102 - code made above from the class's own field names
    plain = namespace["__init__"]
    plain.__qualname__ = f"{node_class.__qualname__}.__init__"
    return plain
