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
which makes the whole parse about a tenth faster. They are written once a process has parsed
a quarter of a megabyte (writing them costs what they save on that much). A class it cannot
write one for (a field without a slot, a signature it does not know) keeps its own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterator

from binlint.constructors import constructor_source

if TYPE_CHECKING:
    import libcst as cst

_lock = threading.Lock()
_depth = 0  # parses under way (threads of the language server may overlap)
_validate: Callable[[Any], None] | None = None
# (class, its own constructor, the plain one) for every node class that gets one while parsing,
# written once a process has parsed enough for them to pay off (writing them takes about 15 ms,
# they save about a tenth of each parse); the ones in place while a parse runs.
PLAIN_FROM = 256 * 1024
_constructors: list[tuple[type, Any, Any]] | None = None
_installed: list[tuple[type, Any, Any]] = []
_parsed = 0  # characters parsed in this process


def _unchecked(self: object) -> None:
    """A node the parser built: valid by construction."""


def parse_module(source: str | bytes) -> "cst.Module":
    """The module libcst parses from `source` (raises as `libcst.parse_module` does)."""
    import libcst as cst

    with parsing(len(source)):
        return cst.parse_module(source)


@contextlib.contextmanager
def parsing(size: int = 0) -> Iterator[None]:
    """While it lasts, nodes are made as libcst's parser makes them here (not validated; with plain
    constructors once this process has parsed `PLAIN_FROM` characters, `size` of them now): around
    one parse, or around many (the pieces of a module) to set that up once."""
    import libcst as cst

    global _depth, _validate, _constructors, _installed, _parsed
    from libcst._nodes.base import CSTNode

    with _lock:
        if _depth == 0:
            hook = CSTNode.__dict__.get("__post_init__")
            usable = hook is not None and hook is not _unchecked
            if usable:
                _validate = hook
                _parsed += size
                if _constructors is None and _parsed >= PLAIN_FROM:
                    _constructors = _plain_constructors(CSTNode, cst.ConcatenatedString)
        else:
            usable = True
        if usable:
            _depth += 1
            if _depth == 1:
                CSTNode.__post_init__ = _unchecked  # type: ignore[method-assign]
                cst.ConcatenatedString.__post_init__ = _validate  # type: ignore[method-assign,assignment]
                _installed = _constructors or []
                for node_class, _, plain in _installed:
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
                for node_class, own, _ in _installed:
                    node_class.__init__ = own  # type: ignore[misc]
                _installed = []
                CSTNode.__post_init__ = _validate  # type: ignore[method-assign,assignment]
                del cst.ConcatenatedString.__post_init__  # inherits the hook again


def _plain_constructors(base: type, keep: type) -> list[tuple[type, Any, Any]]:
    """A plain constructor (see the module's docstring) for each concrete node class below `base`
    but `keep`, whose validation stays (all written in one `exec`: it runs once a process)."""
    classes: list[tuple[type, Any]] = []
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
        classes.append((node_class, own))
    namespace: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    written = [(node_class, own, constructor_source(node_class, f"_init{number}", namespace))
               for number, (node_class, own) in enumerate(classes)]
    exec("".join(source for _, _, source in written if source), namespace)  # noqa: S102 - see constructor_source
    found = []
    for number, (node_class, own, source) in enumerate(written):
        if source:
            plain = namespace[f"_init{number}"]
            plain.__qualname__ = f"{node_class.__qualname__}.__init__"
            found.append((node_class, own, plain))
    return found
