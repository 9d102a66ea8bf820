"""`libcst.parse_module` without validating again each node its parser builds.

libcst validates every node as it is made (`CSTNode.__post_init__` calls `_validate`), which
guards trees built by hand; a tree its parser builds from source passes by construction
(libcst's own comment there says so), and the checks cost about a tenth of the parse. They
are left out while libcst parses, and only then: nodes made anywhere else are validated as
before. One check the grammar does not make is kept: strings next to each other must not mix
bytes and text (`b"a" "b"`, which Python refuses too). A libcst without that hook parses as usual.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import libcst as cst

_lock = threading.Lock()
_depth = 0  # parses under way (threads of the language server may overlap)
_validate: Callable[[Any], None] | None = None


def _unchecked(self: object) -> None:
    """A node the parser built: valid by construction."""


def parse_module(source: str | bytes) -> "cst.Module":
    """The module libcst parses from `source` (raises as `libcst.parse_module` does)."""
    import libcst as cst

    global _depth, _validate
    from libcst._nodes.base import CSTNode

    with _lock:
        if _depth == 0:
            hook = CSTNode.__dict__.get("__post_init__")
            usable = hook is not None and hook is not _unchecked
            if usable:
                _validate = hook
        else:
            usable = True
        if usable:
            _depth += 1
            CSTNode.__post_init__ = _unchecked  # type: ignore[method-assign]
            cst.ConcatenatedString.__post_init__ = _validate  # type: ignore[method-assign,assignment]
    if not usable:  # a libcst without the hook: parsed as usual (outside the lock)
        return cst.parse_module(source)
    try:
        return cst.parse_module(source)
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                CSTNode.__post_init__ = _validate  # type: ignore[method-assign,assignment]
                del cst.ConcatenatedString.__post_init__  # inherits the hook again
