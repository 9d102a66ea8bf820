"""Where every node of a module is: libcst's `PositionProvider` ranges, four times faster.

libcst finds positions by generating the module's code again while tracking line and
column token by token (a regex split per token, two objects per node), which costs
about twice the parse. This pass generates the code the same way — so every node gets
exactly the range `PositionProvider` gives it, syntactic positions and hoisted
start/end nodes included — but records only token indices, and turns the few it is
asked for into lines and columns afterwards.

The code is generated one top-level statement at a time (a *piece*: the module's code
is its header, each statement and its footer, one after the other, each ending with a
line break). A statement's piece depends on nothing but the statement and the module's
default newline and indentation, so the pieces of the last module are kept: when the
next module shares statements with it (an editor's document re-parsed statement by
statement after a keystroke), only the new statements are generated again.

`SourcePositions` goes further for a module parsed from a known source text: libcst
renders a parsed module back to its source byte for byte, and a statement of a block
starts a line and ends one, so the piece of any such statement, generated alone with the
indentation of the blocks around it, is its text in the source. Only the innermost
statements holding the nodes asked about are generated, each placed where its text occurs
exactly once at the start of a line between the statements already placed around it
(where it occurs more than once, the statement around it is placed instead, and a
top-level statement right after the one before it). A text not found where it must be
(a source that is not the module's text) makes the whole module count, as in `positions`.

It relies on libcst's code generation protocol (`CodegenState`, `Module._codegen`),
as `PositionProvider` itself does; `positions()` falls back to the provider should
that protocol ever change.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from itertools import accumulate
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence, cast

import libcst as cst
from libcst.metadata import CodePosition, CodeRange

from binlint.analysis.carry import NodeCache

if TYPE_CHECKING:
    from libcst._nodes.internal import CodegenState

    from binlint.analysis.walk import TreeIndex

    class _SpanState(CodegenState):
        """The code generation state `_state_class` builds."""

        spans: dict[int, tuple[int, int]]
        nodes: list[cst.CSTNode]

        def __init__(self, module: cst.Module) -> None: ...

    class _IntoState(CodegenState):
        """The code generation state `_into_state_class` builds."""

        target: cst.CSTNode | None
        at: int

# The newlines libcst's provider counts.
_NEWLINE = re.compile(r"\r\n?|\n")
# What ends a line for a statement's text to start after it.
_LINE_END = re.compile(r"[\r\n]")
# A statement whose rarest line starts more lines than this in its room is not looked for among
# them (that would cost the lines of the room for every node: quadratic in a module of many
# alike statements); the statement around it is placed instead.
_MAX_CANDIDATES = 32
# How far along its block a statement is placed from one placed before: the statements between are placed on the way.
_MAX_SIBLINGS = 16
_UNDECIDED = -2
# Nodes whose statements are placed one by one, and nodes that indent what they hold.
_BLOCKS = (cst.Module, cst.IndentedBlock)
_INDENTING = (cst.IndentedBlock, cst.Match)


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

    def __init__(self, state: _SpanState, node: cst.CSTNode, start_node: cst.CSTNode | None,
                 end_node: cst.CSTNode | None) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node
        self.start = 0

    def __enter__(self) -> None:
        self.start = len(self.state.tokens)

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:  # a header's generation stopped inside the node: only its start is known
            starts = getattr(self.state, "starts", None)
            if starts is not None:
                start_span = self.state.spans.get(id(self.start_node)) if self.start_node is not None else None
                if self.start_node is None or start_span is not None:
                    starts[id(self.node)] = start_span[0] if start_span is not None else self.start
                else:  # it starts where a node after the stop does
                    starts.pop(id(self.node), None)
            return
        spans = self.state.spans
        start = spans[id(self.start_node)][0] if self.start_node is not None else self.start
        end = spans[id(self.end_node)][1] if self.end_node is not None else len(self.state.tokens)
        spans[id(self.node)] = (start, end)


def _state_class() -> type[_SpanState]:
    from libcst._nodes.internal import CodegenState

    class _State(CodegenState):
        """Code generation that notes the token span of each node (by id: a node's own hash is Python code)."""

        def __init__(self, module: cst.Module) -> None:
            super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
            self.spans: dict[int, tuple[int, int]] = {}
            self.nodes: list[cst.CSTNode] = []
            self.stack: list[int] = []

        def pop_trailing_newline(self) -> None:
            """Keep it: libcst's provider counts positions as if the file ended in a newline."""

        def before_codegen(self, node: cst.CSTNode) -> None:
            self.stack.append(len(self.tokens))
            self.nodes.append(node)

        def after_codegen(self, node: cst.CSTNode) -> None:
            start = self.stack.pop()
            if id(node) not in self.spans:  # the syntactic range, when recorded, wins
                self.spans[id(node)] = (start, len(self.tokens))

        # A plain class, cheaper than libcst's @contextmanager, hence the override's type.
        def record_syntactic_position(self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,  # type: ignore[override]
                                      end_node: cst.CSTNode | None = None) -> _Syntactic:
            return _Syntactic(cast("_SpanState", self), node, start_node, end_node)

    return cast("type[_SpanState]", _State)


class _Stop(Exception):
    """Raised when a header's generation reaches the first statement of the body."""


def _header_state_class(base: type[_SpanState]) -> type[_SpanState]:
    class _HeaderState(base):  # type: ignore[valid-type,misc]
        """Code generation that stops before a given node."""

        stop: cst.CSTNode | None = None

        def __init__(self, module: cst.Module) -> None:
            super().__init__(module)
            self.starts: dict[int, int] = {}  # token index where a node stopped inside starts
            self.open: list[cst.CSTNode] = []

        def before_codegen(self, node: cst.CSTNode) -> None:
            if node is self.stop:
                for open_node, start in zip(self.open, self.stack):
                    self.starts.setdefault(id(open_node), start)  # its syntactic start, when recorded, wins
                raise _Stop
            super().before_codegen(node)
            self.open.append(node)

        def after_codegen(self, node: cst.CSTNode) -> None:
            self.open.pop()
            super().after_codegen(node)

    return cast("type[_SpanState]", _HeaderState)


# How many tokens of a node `_code_into` generates: enough to tell the statements of a block apart
# by their first words (`signature = `), few enough to cost next to nothing.
_TOKENS_INTO = 4
# The largest room (in characters) searched for such a beginning of a statement: the search reads the
# whole room, so a block larger than this places its statements by their whole text instead.
_MAX_PREFIX_ROOM = 20_000


def _code_into(module: cst.Module, statement: cst.CSTNode, indents: tuple[str, ...], node: cst.CSTNode
               ) -> tuple[str, int] | None:
    """The code of `statement` (a statement of blocks indented by `indents`) up to a few tokens into
    `node`, or to the end of the line it starts on, and where `node` starts in it; None when the
    statement's code does not reach `node`."""
    global _INTO_STATE
    if _INTO_STATE is None:
        _INTO_STATE = _into_state_class()
    state = _INTO_STATE(default_indent=module.default_indent, default_newline=module.default_newline)
    state.target = node
    state.indent_tokens.extend(indents)
    try:
        statement._codegen(state)
    except _Stop:
        pass
    if state.at < 0:
        return None
    return "".join(state.tokens), sum(map(len, state.tokens[: state.at]))


def _into_state_class() -> "type[_IntoState]":
    from libcst._nodes.internal import CodegenState

    class _Into(CodegenState):
        """Code generation that stops a few tokens into `target` (or at the end of its first line)."""

        target: cst.CSTNode | None = None
        at = -1  # the token `target` starts at

        def before_codegen(self, node: cst.CSTNode) -> None:
            if node is self.target:
                self.at = len(self.tokens)

        def add_token(self, value: str) -> None:
            self.tokens.append(value)
            if self.at >= 0 and (len(self.tokens) - self.at >= _TOKENS_INTO or "\n" in value or "\r" in value):
                raise _Stop

    return cast("type[_IntoState]", _Into)


_INTO_STATE: "type[_IntoState] | None" = None
_STATE: type[_SpanState] | None = None
_HEADER_STATE: type[_SpanState] | None = None


class _Piece:
    """The code of consecutive nodes (a statement, the header or the footer), generated on its own:
    each node's span in characters from the piece's start, and where the piece's lines start."""

    __slots__ = ("nodes", "spans", "starts", "offsets", "line_starts", "length", "text")

    def __init__(self, module: cst.Module, nodes: Sequence[cst.CSTNode], extra: str = "",
                 indents: tuple[str, ...] = (), stop: cst.CSTNode | None = None) -> None:
        global _STATE, _HEADER_STATE
        if _STATE is None:
            _STATE = _state_class()
        if stop is None:
            state = _STATE(module)
        else:  # the code up to `stop` only: the nodes before it get their spans, the ones around it none
            if _HEADER_STATE is None:
                _HEADER_STATE = _header_state_class(_STATE)
            state = _HEADER_STATE(module)
            state.stop = stop  # type: ignore[attr-defined]
        state.indent_tokens.extend(indents)  # the blocks around a nested statement
        try:
            for node in nodes:
                node._codegen(state)
        except _Stop:
            pass
        if extra:
            state.add_token(extra)
        self.nodes: list[cst.CSTNode] = state.nodes
        self.spans: dict[int, tuple[int, int]] = state.spans  # token indices
        # Where the nodes a header's generation stopped inside start (their ends lie beyond it).
        self.starts: dict[int, int] = getattr(state, "starts", {})
        self.offsets = list(accumulate(map(len, state.tokens), initial=0))
        self.text = "".join(state.tokens)
        self.length = len(self.text)
        self.line_starts = [0, *(match.end() for match in _NEWLINE.finditer(self.text))]

    def char_span(self, key: int) -> tuple[int, int]:
        start, end = self.spans[key]
        return self.offsets[start], self.offsets[end]

    def char_start(self, key: int) -> int | None:
        """Where a node starts, in characters from the piece's start; None when not in the piece."""
        span = self.spans.get(key)
        if span is not None:
            return self.offsets[span[0]]
        start = self.starts.get(key)
        return None if start is None else self.offsets[start]


# Statement pieces of the last modules, by what shapes a statement's code besides the statement:
# the module's newline and indentation and the indentation of the blocks around it.
_PIECES: NodeCache[_Piece] = NodeCache()


def _statement_piece(module: cst.Module, statement: cst.CSTNode, indents: tuple[str, ...] = ()) -> _Piece:
    """The piece of a statement of `module` inside blocks indented by `indents` (none: a top-level
    statement): kept from an earlier module, or generated."""
    return _PIECES.get(module, statement, lambda: _Piece(module, (statement,), indents=indents),
                       (module.default_newline, module.default_indent, indents))


# Headers of compound statements (their code up to the first statement of their block), likewise.
_HEADERS: NodeCache[_Piece] = NodeCache()


def _header_piece(module: cst.Module, statement: cst.CSTNode, indents: tuple[str, ...] = ()) -> _Piece:
    """The code of `statement` up to the first statement of its indented block (what precedes it:
    decorators, the header line, the comments after the colon); the whole statement when it has no
    such block. Its text starts the statement's text, and its nodes have the spans of the whole piece."""
    body = getattr(statement, "body", None)
    stop = body.body[0] if type(body) is cst.IndentedBlock and body.body else None
    if stop is None:
        return _statement_piece(module, statement, indents)
    return _HEADERS.get(module, statement, lambda: _Piece(module, (statement,), indents=indents, stop=stop),
                        (module.default_newline, module.default_indent, indents))


class _Positions(Mapping[cst.CSTNode, CodeRange]):
    def __init__(self, module: cst.Module) -> None:
        statements = [_statement_piece(module, statement) for statement in module.body]
        pieces = [_Piece(module, module.header), *statements, _Piece(module, module.footer)]
        if module.has_trailing_newline and not any(p.length for p in pieces):
            pieces.append(_Piece(module, (), module.default_newline))  # what Module._codegen adds
        self._module = module
        self._pieces = pieces
        self._starts = list(accumulate((p.length for p in pieces), initial=0))
        self._lines = list(accumulate((len(p.line_starts) - 1 for p in pieces), initial=0))
        self._where: dict[int, int] = {}
        for index, piece in enumerate(pieces):
            self._where.update(dict.fromkeys(piece.spans, index))
        if not self._lines_line_up():  # pragma: no cover - not seen in a parsed module
            whole = _Piece(module, (module,))
            whole.nodes = [node for node in whole.nodes if node is not module]
            self._pieces = [whole]
            self._starts = [0, whole.length]
            self._lines = [0, len(whole.line_starts) - 1]
            self._where = dict.fromkeys(whole.spans, 0)

    def _lines_line_up(self) -> bool:
        """Whether every piece ends a line of its own, so that it starts one: a `\\r` at the end of
        one piece and a `\\n` at the start of the next would be one line break in the whole code."""
        written = [piece for piece in self._pieces if piece.length]
        for before, after in zip(written, written[1:]):
            if before.line_starts[-1] != before.length or (before.text.endswith("\r") and after.text.startswith("\n")):
                return False
        return True

    def _position(self, offset: int) -> CodePosition:
        index = max(bisect.bisect_right(self._starts, offset) - 1, 0)
        index = min(index, len(self._pieces) - 1)
        piece = self._pieces[index]
        relative = offset - self._starts[index]
        line = bisect.bisect_right(piece.line_starts, relative)
        return CodePosition(self._lines[index] + line, relative - piece.line_starts[line - 1])

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        if node is self._module:
            return CodeRange(self._position(0), self._position(self._starts[-1]))
        index = self._where[id(node)]
        start, end = self._pieces[index].char_span(id(node))
        offset = self._starts[index]
        return CodeRange(self._position(offset + start), self._position(offset + end))

    def __iter__(self) -> Iterator[cst.CSTNode]:
        yield self._module
        for piece in self._pieces:
            yield from piece.nodes

    def __len__(self) -> int:
        return 1 + sum(len(piece.nodes) for piece in self._pieces)


class SourcePositions:
    """Positions of the nodes of a module parsed from `source`, found statement by statement.

    `range(node)` gives `PositionProvider`'s range of a node from the piece of the innermost
    statement of a block (or of the module) that holds it, generated alone with the indentation
    of the blocks around it (a statement starts a line and ends one: its code is its text in the
    source). It is placed where its text occurs exactly once at a line start between the
    statements already placed around it; else the statement around it is tried, and a
    top-level statement is placed after the one before it.
    """

    def __init__(self, module: cst.Module, source: str, tree: "TreeIndex") -> None:
        self._module = module
        self._tree = tree
        # The code the positions count in: libcst's provider counts as if the file ended in a newline.
        self._text = source if module.has_trailing_newline else source + module.default_newline
        self._placed: dict[int, tuple[int, int, _Piece]] = {}  # id(statement) -> (start, end, piece)
        # The statements placed, for the bounds of the next one (Fenwick trees over pre-order numbers):
        # the largest end in the text of those whose subtree ends by a number, and the smallest start
        # (negated) of those that begin from a number on (keyed from the end).
        self._ends_before: _PrefixMax | None = None
        self._starts_after: _PrefixMax | None = None
        self._top: dict[int, tuple[int, int]] = {}  # top-level statements placed: index -> (start, end)
        self._top_placed: _PrefixMax | None = None  # the largest index of a top-level statement placed, by index
        self._line_index: dict[int, list[int]] | None = None  # hash of a line -> where lines of that text start
        self._line_starts: list[int] | None = None
        self._whole: Mapping[cst.CSTNode, CodeRange] | None = None
        self._top_indexes: dict[int, int] | None = None
        self._block_indexes: dict[int, dict[int, int]] = {}  # id(block) -> id(statement) -> index in its body
        self._headers: dict[int, tuple[int, _Piece]] = {}  # id(statement) -> (start, header piece)

    def placed_lines(self) -> list[tuple[cst.SimpleStatementLine, int, int, "_Piece"]]:
        """The simple statement lines placed so far: (statement, start, end) in characters of the source,
        and the line's code (its piece: the spans of its nodes)."""
        found: dict[int, tuple[cst.SimpleStatementLine, int, int, _Piece]] = {}
        for start, _end, piece in self._placed.values():
            self._add_line(found, piece, start)
        for start, piece in self._headers.values():
            self._add_line(found, piece, start)
        return list(found.values())

    def placed_code(self, node: cst.CSTNode) -> str | None:
        """The text of `node`'s range when a statement placed so far holds it (None otherwise):
        its code up to whitespace (the indentation of its lines) and the whitespace around it."""
        holders = self._holders(node)
        if not holders:
            return None
        placed = self._placed.get(id(holders[0]))
        piece = placed[2] if placed is not None else None
        if piece is None:
            header = self._headers.get(id(holders[0]))
            piece = header[1] if header is not None else None
        if piece is None or id(node) not in piece.spans:
            return None
        start, end = piece.char_span(id(node))
        return piece.text[start:end]

    @staticmethod
    def _add_line(found: dict[int, tuple[cst.SimpleStatementLine, int, int, _Piece]], piece: _Piece,
                  start: int) -> None:
        statement = piece.nodes[0] if piece.nodes else None  # a simple statement's piece is its whole code
        if type(statement) is cst.SimpleStatementLine:
            found[id(statement)] = statement, start, start + piece.length, piece

    def start(self, node: cst.CSTNode) -> CodePosition:
        """Where `node` starts: `range(node).start`, found without its end (a compound statement's
        start from its header alone)."""
        if self._whole is None:
            holders = self._holders(node)
            found = None
            if len(holders) > 1 and id(holders[0]) not in self._placed:
                # A node of a statement of a block, not placed yet: from a statement placed just before it
                # in its block, else from the headers around it, and the statement's code a few tokens
                # into the node (the rest of it is not generated).
                begins = self._start_after_placed(node, holders[0])
                if begins is not None:
                    return begins
                found = self._by_headers(node, holders, start_only=True, by_prefix=True)
            found = found or self._in_simple_statement(node, holders) or self._by_headers(node, holders,
                                                                                          start_only=True)
            if found is not None:
                return found.start
        return self.range(node).start

    def range(self, node: cst.CSTNode) -> CodeRange:
        if self._whole is None:
            holders = self._holders(node)
            found = self._in_simple_statement(node, holders) or self._by_headers(node, holders)
            if found is not None:
                return found
            for statement in holders:
                placed = self._place(statement)
                if placed is not None and id(node) in placed[2].spans:
                    start, end = placed[2].char_span(id(node))
                    return CodeRange(self._position(placed[0] + start), self._position(placed[0] + end))
        if self._whole is None:  # the module itself, its header and footer, or a source that is not its text
            self._whole = positions(self._module)
        return self._whole[node]

    def _in_simple_statement(self, node: cst.CSTNode, holders: list[cst.CSTNode]) -> CodeRange | None:
        """The range of a node of a simple statement line placed on its own (`_place`, without
        placing the top-level statements before it): none of the headers of the statements around
        it is generated. None when it is not a simple statement's or not placed so."""
        if not holders or type(holders[0]) is not cst.SimpleStatementLine:
            return None
        placed = self._place(holders[0], from_previous=False)
        if placed is None or id(node) not in placed[2].spans:
            return None
        first, last = placed[2].char_span(id(node))
        return CodeRange(self._position(placed[0] + first), self._position(placed[0] + last))

    def _by_headers(self, node: cst.CSTNode, holders: list[cst.CSTNode], start_only: bool = False,
                    by_prefix: bool = False) -> CodeRange | None:
        """The range of `node` found from the headers of the statements that hold it, outermost first:
        each header is placed (exactly once at a line start) between the end of the header around it
        and the start of the statement after that one, and the innermost statement's header (or the
        whole statement, when it holds no block) gives the range. None when one is not placed so.
        With `start_only`, a range whose end is its start may be given (a statement whose header
        alone is placed). With `by_prefix`, the innermost statement (a simple statement line) is only
        looked for by its code a few tokens into `node` (`_start_by_prefix`): None when that does not
        place it."""
        if not holders:
            return None
        span = self._tree.span(holders[-1])
        if span is None:
            return None
        low, high = self._room(holders[-1], *span)
        for depth in range(len(holders) - 1, -1, -1):
            statement = holders[depth]
            placed = self._placed.get(id(statement))
            if placed is not None:
                start, piece = placed[0], placed[2]
            else:
                indents = () if depth == len(holders) - 1 else self._indents(statement)
                if depth == 0 and by_prefix and id(statement) not in self._headers:
                    begins = self._start_by_prefix(node, statement, indents, low, high)
                    if begins is None:
                        return None
                    at = self._position(begins)
                    return CodeRange(at, at)
                header = self._header(statement, indents, low, high)
                if header is None:
                    return None
                start, piece = header
            if depth == 0:
                if id(node) in piece.spans:
                    first, last = piece.char_span(id(node))
                    return CodeRange(self._position(start + first), self._position(start + last))
                begins = piece.char_start(id(node)) if start_only else None
                if begins is None:
                    return None
                at = self._position(start + begins)
                return CodeRange(at, at)
            if placed is not None:
                low, high = max(low, start), min(high, placed[1])
            else:
                low = start + piece.length
                high = self._next_start(statement, indents, low, high)
        return None  # pragma: no cover - the loop returns at depth 0

    def _start_after_placed(self, node: cst.CSTNode, statement: cst.CSTNode) -> CodePosition | None:
        """Where `node`, a small statement or an expression of the simple statement line `statement`,
        starts when a statement a few places before it in its block is placed and only simple statement
        lines stand between them (`_end_after_placed`), and `statement`'s code a few tokens into `node`
        stands right after them. None otherwise."""
        block = self._tree.parent(statement)
        if type(block) is not cst.IndentedBlock or not _prefix_target(node, statement):
            return None
        indents = self._indents(statement)
        end = self._end_after_placed(block, self._index_in(block, statement), indents, simple_only=True)
        if end is None:
            return None
        found = _code_into(self._module, statement, indents, node)
        if found is None or not self._text.startswith(found[0], end):
            return None
        return self._position(end + found[1])

    def _end_after_placed(self, block: cst.IndentedBlock, index: int, indents: tuple[str, ...],
                          simple_only: bool = False) -> int | None:
        """Where the statement `block.body[index]` starts, from the nearest statement before it in its block
        that is placed, at most _MAX_SIBLINGS away: the statements between follow it piece by piece, each
        placed (checked against the text) on the way. None when none is placed, a piece does not match, or
        (`simple_only`) a compound statement not placed stands between (its whole body would be generated)."""
        body = block.body
        placed = self._placed
        for before in range(index - 1, max(index - _MAX_SIBLINGS, 0) - 1, -1):
            known = placed.get(id(body[before]))
            if known is None:
                if simple_only and type(body[before]) is not cst.SimpleStatementLine:
                    return None
                continue
            end = known[1]
            for between in range(before + 1, index):
                recorded = self._record(body[between], end, _statement_piece(self._module, body[between], indents))
                if recorded is None:
                    return None
                end = recorded[1]
            return end
        return None

    def _start_by_prefix(self, node: cst.CSTNode, statement: cst.CSTNode, indents: tuple[str, ...], low: int,
                         high: int) -> int | None:
        """Where `node`, a small statement or an expression of the simple statement line `statement`
        (inside a block whose room is [low, high)), starts in the text, found from the statement's code
        a few tokens into `node` (`_code_into`): that code occurs exactly once at a line start in the
        room. None when it does not, when the room is larger than `_MAX_PREFIX_ROOM`, or when `node` is
        an expression with parentheses of its own (its range leaves them out: it does not start where
        its code does)."""
        if not _prefix_target(node, statement) or high - low > _MAX_PREFIX_ROOM:
            return None
        found = _code_into(self._module, statement, indents, node)
        if found is None:
            return None
        text, offset = found
        start = self._scan(text, low, high)
        return None if start is None else start + offset

    def _header(self, statement: cst.CSTNode, indents: tuple[str, ...], low: int,
                high: int) -> tuple[int, _Piece] | None:
        """Where `statement` starts, found by its header alone in [low, high), with the header."""
        known = self._headers.get(id(statement))
        if known is not None:
            return known
        piece = _header_piece(self._module, statement, indents)
        start = self._only_line_start(piece.text, low, high)
        if start is None or start == _UNDECIDED:
            return None
        found = self._headers[id(statement)] = (start, piece)
        return found

    def _next_start(self, statement: cst.CSTNode, indents: tuple[str, ...], low: int, high: int) -> int:
        """Where the statement after `statement` in its block starts, found in [low, high); else `high`."""
        parent = self._tree.parent(statement)
        if parent is self._module:
            body: Sequence[cst.CSTNode] = self._module.body
            index = self._top_index(statement)
        elif type(parent) is cst.IndentedBlock:
            body = parent.body
            index = self._index_in(parent, statement)
        else:  # pragma: no cover - a holder's parent is a block
            return high
        if index + 1 >= len(body):
            return high
        after = body[index + 1]
        placed = self._placed.get(id(after))
        if placed is not None:
            return min(high, placed[0])
        header = self._header(after, indents, low, high)
        return high if header is None else header[0]

    def _holders(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """The statements of blocks (and of the module) that hold `node` or are it, innermost first."""
        tree = self._tree
        found = []
        current: cst.CSTNode | None = node
        while current is not None:
            parent = tree.parent(current)
            if type(parent) in _BLOCKS:
                found.append(current)
            current = parent
        return found

    def _indents(self, statement: cst.CSTNode) -> tuple[str, ...]:
        """The indentation the blocks around `statement` add (what `IndentedBlock` and `Match` add)."""
        default = self._module.default_indent
        found = [node.indent if node.indent is not None else default  # type: ignore[attr-defined]
                 for node in self._tree.ancestors(statement) if type(node) in _INDENTING]
        return tuple(reversed(found))

    def _place(self, statement: cst.CSTNode, from_previous: bool = True) -> tuple[int, int, _Piece] | None:
        """Where `statement` starts and ends in the text, with its piece; None when that is not found.
        `from_previous`: a top-level statement not found by its text is placed after the one before it."""
        known = self._placed.get(id(statement))
        if known is not None:
            return known
        span = self._tree.span(statement)
        if span is None:
            return None
        top_level = self._tree.parent(statement) is self._module
        indents = () if top_level else self._indents(statement)
        piece = _statement_piece(self._module, statement, indents)
        low, high = self._room(statement, *span)
        start = self._only_line_start(piece.text, low, high)
        if start == _UNDECIDED:
            start = None
        if start is None:
            if top_level:
                start = self._after_previous(statement) if from_previous else None
            else:  # from a statement of its block placed near it, else the statement around it is tried
                return self._beside_placed(statement, indents)
        return None if start is None else self._record(statement, start, piece)

    def _beside_placed(self, statement: cst.CSTNode, indents: tuple[str, ...]) -> tuple[int, int, _Piece] | None:
        """Place a statement of a block from the nearest statement of the same block placed before it
        (or after it), at most _MAX_SIBLINGS away: the statements of a block follow one another, each
        piece starting where the one before ends. The statements between are placed on the way."""
        block = self._tree.parent(statement)
        if type(block) is not cst.IndentedBlock:
            return None
        body = block.body
        index = self._index_in(block, statement)
        placed = self._placed
        module = self._module
        end = self._end_after_placed(block, index, indents)
        if end is not None:
            return self._record(statement, end, _statement_piece(module, statement, indents))
        for after in range(index + 1, min(index + _MAX_SIBLINGS, len(body) - 1) + 1):
            known = placed.get(id(body[after]))
            if known is None:
                continue
            pieces = [_statement_piece(module, body[between], indents) for between in range(index, after)]
            start = known[0] - sum(p.length for p in pieces)
            found = None
            for between, piece in zip(range(index, after), pieces):
                placed_here = self._record(body[between], start, piece)
                if placed_here is None:
                    return None
                found = found or placed_here
                start = placed_here[1]
            return found
        return None

    def _index_in(self, block: cst.IndentedBlock, statement: cst.CSTNode) -> int:
        """The index of `statement` in `block.body` (by identity), from a table made once per block."""
        table = self._block_indexes.get(id(block))
        if table is None:
            table = self._block_indexes[id(block)] = {}
            for index, other in enumerate(block.body):
                table.setdefault(id(other), index)
        return table[id(statement)]

    def _room(self, statement: cst.CSTNode, first: int, end: int) -> tuple[int, int]:
        """Bounds in the text of `statement`, whose subtree is [first, end) in pre-order: the
        statements placed before it end before it, those after it start after it, those around it
        hold it."""
        low, high = 0, len(self._text)
        if self._ends_before is None or self._starts_after is None:
            return low, high
        low = max(low, self._ends_before.max(first))
        high = min(high, -self._starts_after.max(self._size() + 1 - end))
        placed = self._placed
        for ancestor in self._tree.ancestors(statement):
            around = placed.get(id(ancestor))
            if around is not None:
                low, high = max(low, around[0]), min(high, around[1])
        return low, high

    def _size(self) -> int:
        span = self._tree.span(self._module)
        return span[1] if span is not None else 0

    def _after_previous(self, statement: cst.CSTNode) -> int | None:
        """Where a top-level statement starts when each statement from the last placed one before it
        (or from the module's header) is placed right after the one before."""
        index = self._top_index(statement)
        before = self._top_placed.max(index) if self._top_placed is not None else -1
        end = self._top[before][1] if before >= 0 else _Piece(self._module, self._module.header).length
        for between in range(before + 1, index):
            other = self._module.body[between]
            placed = self._record(other, end, _statement_piece(self._module, other))
            if placed is None:
                return None
            end = placed[1]
        return end

    def _top_index(self, statement: cst.CSTNode) -> int:
        """`module.body.index(statement)`: nodes are equal only when they are the same node, so
        the index of the first statement that is it, found in a table made once."""
        if self._top_indexes is None:
            self._top_indexes = {}
            for index, other in enumerate(self._module.body):
                self._top_indexes.setdefault(id(other), index)
        found = self._top_indexes.get(id(statement))
        if found is None:
            raise ValueError("not a top-level statement")  # what tuple.index raises
        return found

    def _record(self, statement: cst.CSTNode, start: int, piece: _Piece) -> tuple[int, int, _Piece] | None:
        if start < 0 or not self._text.startswith(piece.text, start):
            return None
        found = self._placed[id(statement)] = (start, start + piece.length, piece)
        span = self._tree.span(statement)
        assert span is not None
        if self._ends_before is None or self._starts_after is None:
            size = self._size()
            self._ends_before, self._starts_after = _PrefixMax(size + 1, 0), _PrefixMax(size + 1, -len(self._text))
        self._ends_before.add(span[1], start + piece.length)
        self._starts_after.add(self._size() + 1 - span[0], -start)
        if self._tree.parent(statement) is self._module:
            index = self._top_index(statement)
            self._top[index] = (start, start + piece.length)
            if self._top_placed is None:
                self._top_placed = _PrefixMax(len(self._module.body), -1)
            self._top_placed.add(index + 1, index)
        return found

    def _only_line_start(self, text: str, low: int, high: int) -> int | None:
        """The one offset in [low, high) where `text` occurs at the start of a line, or None; _UNDECIDED
        when more than _MAX_CANDIDATES lines there are each line of `text`."""
        if _LINE_END.search(text) is None:  # pragma: no cover - a statement's text ends a line
            return self._scan(text, low, high)
        # Every occurrence of `text` at a line start holds each of its lines at the same offset, at a
        # line start too: the candidates are where its rarest line stands in the room (a statement
        # repeated in many functions often differs from the others in one line only).
        best: tuple[list[int], int, int, int] | None = None  # (starts, begin, stop, offset in text)
        start = 0
        last = high - len(text)
        for match in _LINE_END.finditer(text):
            end = match.end()
            starts = self._lines_like(text[start:end])
            begin, stop = bisect.bisect_left(starts, low + start), bisect.bisect_right(starts, last + start)
            if best is None or stop - begin < best[2] - best[1]:
                best = (starts, begin, stop, start)
                if stop - begin <= 1:
                    break
            start = end
        assert best is not None
        starts, begin, stop, offset = best
        if stop - begin > _MAX_CANDIDATES:
            return _UNDECIDED
        found = None
        for at in starts[begin:stop]:
            at -= offset
            if (at == 0 or self._text[at - 1] in "\r\n") and self._text.startswith(text, at):
                if found is not None:
                    return None
                found = at
        return found

    def _lines_like(self, line: str) -> list[int]:
        """Where lines of the text start whose first line (up to its first line-ending character) is `line`
        (and, rarely, other lines with the same hash), in order; indexed once."""
        if self._line_index is None:
            index: dict[int, list[int]] = defaultdict(list)
            text = self._text
            start = 0
            for match in _LINE_END.finditer(text):
                end = match.end()
                index[hash(text[start:end])].append(start)
                start = end
            if start < len(text):
                index[hash(text[start:])].append(start)
            self._line_index = dict(index)
        return self._line_index.get(hash(line), [])

    def _scan(self, text: str, low: int, high: int) -> int | None:
        """The one offset in [low, high) where `text` occurs at the start of a line, or None."""
        found = None
        at = self._text.find(text, low, high)
        while at >= 0:
            if at == 0 or self._text[at - 1] in "\r\n":
                if found is not None:
                    return None
                found = at
            at = self._text.find(text, at + 1, high)
        return found

    def _position(self, offset: int) -> CodePosition:
        if self._line_starts is None:
            self._line_starts = [0, *(match.end() for match in _NEWLINE.finditer(self._text))]
        line = bisect.bisect_right(self._line_starts, offset)
        return CodePosition(line, offset - self._line_starts[line - 1])


def _prefix_target(node: cst.CSTNode, statement: cst.CSTNode) -> bool:
    """Whether `node` starts where the code of the simple statement line `statement` reaches it: a small
    statement of it, or an expression without parentheses of its own (a range leaves them out)."""
    if type(statement) is not cst.SimpleStatementLine or node is statement:
        return False
    if isinstance(node, cst.BaseExpression):
        return not node.lpar
    return isinstance(node, cst.BaseSmallStatement)


class _PrefixMax:
    """The largest value added under a key up to k, for keys 1..size (a Fenwick tree)."""

    __slots__ = ("_tree", "_empty")

    def __init__(self, size: int, empty: int) -> None:
        self._tree = [empty] * (size + 1)
        self._empty = empty

    def add(self, key: int, value: int) -> None:
        tree = self._tree
        while 0 < key < len(tree):
            if tree[key] < value:
                tree[key] = value
            key += key & -key

    def max(self, key: int) -> int:
        tree = self._tree
        best = self._empty
        key = min(key, len(tree) - 1)
        while key > 0:
            if tree[key] > best:
                best = tree[key]
            key -= key & -key
        return best
