"""Parse a large module in pieces, and join them into the tree one parse of the whole text gives.

libcst's native parser keeps every token and a native tree of the whole text until it has built
the Python tree: on a 1.3 MB module it peaks near 700 MB for a Python tree of about 70 MB, and its
time grows faster than the text (twice the text, about 2.2 times the time). Parsed in pieces of
about `PIECE` characters, the same module takes about 60% of the time and a tenth of the memory.

A piece starts at a logical line the nesting guard's scan found (`nesting.Outline`): a top-level
statement, or a statement of the block of a large top-level `def` or `class` (a client class of a
thousand methods), never the first of that block. It does not start at a line that continues the
statement before (`else`, `elif`, `except`, `finally`), at the line after a decorator, or before
the first indented line (libcst takes the module's indentation from it). Each piece but the first
is parsed after a first block in the module's newline and indentation, and a piece of a block
under an `if 1:` at the block's indentation (`incremental.in_block`), so its nodes say what they
would say in the whole tree. The lines between two statements lead the second one in the whole
tree; a piece ends with them, owned by its module's footer or by the block it ends in, and they
move to that statement. Only lines whose owner is the same there may stand between the statements
a piece starts at: empty lines, and at the top level comments at column 0 (blanks and indented
comments at the end of a piece may go to another block than in the whole module). Anything that
does not fit (a piece that fails to parse, another newline or indentation) falls back to one parse
of the whole text, which also gives the error a syntax error deserves.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from binlint.pipeline.parse.nesting import LINE_BREAK, Outline

if TYPE_CHECKING:
    import libcst as cst

PIECE = 16_384  # characters per piece, about: the time per character is lowest from about 4 to 64 KB
PIECES_FROM = 65_536  # modules from this size on are parsed in pieces
# Lines at column 0 that continue the statement before them.
_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b")
# How far back the lines between two statements are read (a longer run of them: no cut there).
_GAP_WINDOW = 4_096


def cut_points(source: str, outline: Outline, piece: int = PIECE) -> list[tuple[int, int]]:
    """Where the pieces after the first start, and at which level (0: a top-level statement; 1: a
    statement of the block of a large top-level `def` or `class`): at least `piece` apart."""
    cuts: list[tuple[int, int]] = []
    last = 0
    floor = outline.first_indented if outline.first_indented is not None else 0
    starts = outline.top_level
    inner = outline.second_level
    position = 0  # in `inner`
    for number, start in enumerate(starts):
        if start > floor and start - last >= piece and _starts_statement(source, start, 0, starts, number):
            cuts.append((start, 0))
            last = start
        # The block of this statement, when the statement is large and a `def` or a `class`.
        end = starts[number + 1] if number + 1 < len(starts) else len(source)
        while position < len(inner) and inner[position] < start:
            position += 1
        if end - start < 2 * piece or not _BLOCK_OWNER.match(source, start) or \
                (end < len(source) and not _starts_statement(source, end, 0, starts, number + 1)):
            continue
        first = position
        split = False
        while position < len(inner) and inner[position] < end:
            at = inner[position]
            if position > first and at > floor and at - last >= piece and end - at >= piece and \
                    _starts_statement(source, at, 1, inner, position):
                cuts.append((at, 1))
                last = at
                split = True
            position += 1
        if split and end < len(source) and (not cuts or cuts[-1][0] != end):
            cuts.append((end, 0))  # the next top-level statement starts a piece of its own
            last = end
    return cuts


# A top-level statement whose block may be parsed in pieces: a function or a class (no `else`).
_BLOCK_OWNER = re.compile(r"(?:@|class\b|def\b|async[ \t]+def\b)")


def _starts_statement(source: str, start: int, level: int, starts: list[int], number: int) -> bool:
    """Whether a piece can start at the logical line `starts[number]`, at `level`: not a decorated
    statement's line after its decorator, not a line that continues the statement before (`else`,
    `except` ...), and after lines the piece before may end with (`_plain_gap`)."""
    if number and source.startswith("@", _code_start(source, starts[number - 1], level)):
        return False
    return _CONTINUES.match(source, _code_start(source, start, level)) is None and _plain_gap(source, start, level)


def _code_start(source: str, start: int, level: int) -> int:
    """Where the code of the logical line starting at `start` starts (after its indentation)."""
    if not level:
        return start
    line = source[start:start + 256]
    return start + len(line) - len(line.lstrip(" \t"))


def _plain_gap(source: str, start: int, level: int = 0) -> bool:
    """Whether the lines between the statement starting at `start` and the code before it are all
    empty, or (at the top level) comments at column 0: the lines whose owner (the blocks before, or
    the statement) is the same at the end of a piece as in the whole module. Lines that hold blanks,
    and indented comments, may be owned otherwise at the end of a module."""
    window = max(0, start - _GAP_WINDOW)
    lines = LINE_BREAK.split(source[window:start])[:-1]  # the text before `start` ends with a line break
    for line in reversed(lines[1:] if window else lines):
        if not line or (line[0] == "#" and not level):
            continue
        return not line.isspace() and not line.lstrip().startswith("#")  # the last line of code before
    return False


def outline_for(source: str) -> Outline | None:
    """An outline for the nesting guard to fill (`nesting.too_deep`) when `source` is large enough to
    be parsed in pieces; None otherwise."""
    return Outline() if len(source) >= PIECES_FROM else None


def parse_guarded(source: str) -> "cst.Module | None":
    """The module of `source`, in pieces when it is large enough; None when it nests too deeply to
    parse safely (`nesting.too_deep`). Raises as `libcst.parse_module` does."""
    from binlint.pipeline.parse.nesting import too_deep

    outline = outline_for(source)
    if too_deep(source, outline) is not None:
        return None
    return parse_in_pieces(source, outline)


def parse_in_pieces(source: str, outline: Outline | None, piece: int = PIECE) -> "cst.Module":
    """The module of `source` (raises as `libcst.parse_module` does): in pieces, given the outline the
    nesting guard filled for it (`outline_for`), else in one parse."""
    from binlint.pipeline.parse.unvalidated import parse_module, parsing

    cuts = cut_points(source, outline, piece) if outline is not None else []
    if cuts:
        with parsing(len(source)):  # once for all the pieces (the joins only regroup the nodes parsed)
            module = _joined(source, cuts)
        if module is not None:
            return module
    return parse_module(source)


def _joined(source: str, cuts: list[tuple[int, int]]) -> "cst.Module | None":
    """The pieces of `source` cut at `cuts`, parsed and joined; None when one does not fit."""
    import libcst as cst

    from binlint.pipeline.parse.incremental import in_block
    from binlint.pipeline.parse.unvalidated import parse_module

    bounds = [*cuts, (len(source), 0)]
    try:
        first = parse_module(source[: bounds[0][0]])
    except Exception:
        return None
    body: list[Any] = list(first.body)
    footer = list(first.footer)  # the lines the next top-level statement leads with
    last = first
    # The block of the last top-level statement while pieces of it come: the block as its first
    # piece gave it, its statements so far, and the lines it ends with so far.
    opened: cst.IndentedBlock | None = None
    inner: list[Any] = []
    inner_footer: list[Any] = []
    for (start, level), (end, _) in zip(bounds, bounds[1:]):
        if level and opened is None:
            owner = body[-1] if body else None
            if not isinstance(owner, (cst.FunctionDef, cst.ClassDef)) or type(owner.body) is not cst.IndentedBlock:
                return None
            opened = owner.body
            inner, inner_footer = list(opened.body), list(opened.footer)
        elif not level and opened is not None:
            body[-1] = body[-1].with_changes(body=opened.with_changes(body=inner, footer=inner_footer))
            opened = None
        indent: tuple[str, ...] = ()
        if opened is not None:
            indent = (opened.indent if opened.indent is not None else first.default_indent,)
        try:
            part = parse_module(in_block(source[start:end], indent, first))
        except Exception:
            return None
        if part.header or len(part.body) < 2 or part.default_newline != first.default_newline or \
                part.default_indent != first.default_indent:
            return None
        block = _inner_block(part, indent[0]) if indent else None
        statements: list[Any] = list(part.body[1:]) if not indent else list(block.body) if block else []
        if not statements or statements[0].leading_lines:
            return None  # a piece starts at its first statement's code
        if block is None:
            if footer:
                statements[0] = statements[0].with_changes(leading_lines=footer)
            body.extend(statements)
        else:  # the lines the block ended with in the piece before lead its next statement
            if any(line.comment is not None or line.whitespace.value for line in footer):
                return None
            # Empty lines the piece before ended with, read at column 0: in the block they lack its indentation.
            gap = [*inner_footer, *(line.with_changes(indent=False) for line in footer)]
            if gap:
                statements[0] = statements[0].with_changes(leading_lines=gap)
            inner.extend(statements)
            inner_footer = list(block.footer)
        footer = list(part.footer)
        last = part
    if opened is not None:
        body[-1] = body[-1].with_changes(body=opened.with_changes(body=inner, footer=inner_footer))
    return first.with_changes(body=body, footer=footer, has_trailing_newline=last.has_trailing_newline)


def _inner_block(part: "cst.Module", indent: str) -> "cst.IndentedBlock | None":
    """The block of the `if 1:` a piece of a block was parsed under (`in_block`), at `indent`."""
    from binlint.pipeline.parse.incremental import innermost_block

    return innermost_block(part.body[1], (indent,), part.default_indent) if len(part.body) == 2 else None
