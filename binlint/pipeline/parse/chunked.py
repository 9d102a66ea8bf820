"""Parse a large module in pieces of its top-level statements, and join them into the tree one
parse of the whole text gives.

libcst's native parser keeps every token and a native tree of the whole text until it has built
the Python tree: on a 1.3 MB module it peaks near 700 MB for a Python tree of about 70 MB, and its
time grows faster than the text (twice the text, about 2.2 times the time). Parsed in pieces of
about `PIECE` characters, the same module takes about 60% of the time and a tenth of the memory.

A piece starts at a logical line at column 0 that starts a statement of its own (not `else`,
`elif`, `except` or `finally`, nor the line after a decorator), found by the nesting guard's scan
(`nesting.Outline`), and after the first indented line, whose indentation libcst takes as the
module's. Each piece but the first is parsed after a first block in the module's newline and
indentation (`incremental.in_block`), so its nodes say what they would say in the whole tree. The
lines between two statements are the second one's `leading_lines` in the whole tree; the piece
before ends with them, as its module's footer, and they move to that statement (the blocks
before them keep the indented comment lines they own, as at the end of a module). Anything that
does not fit (a piece that fails to parse, another newline or indentation) falls back to one
parse of the whole text, which also gives the error a syntax error deserves.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from binlint.pipeline.parse.nesting import Outline

if TYPE_CHECKING:
    import libcst as cst

PIECE = 16_384  # characters per piece, about: the time per character is lowest from about 4 to 64 KB
# Lines at column 0 that continue the statement before them.
_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# How far back the lines between two statements are read (a longer run of them: no cut there).
_GAP_WINDOW = 4_096


def cut_points(source: str, outline: Outline, piece: int = PIECE) -> list[int]:
    """Where the pieces after the first start: statement starts at least `piece` apart."""
    cuts: list[int] = []
    last = 0
    floor = outline.first_indented if outline.first_indented is not None else 0
    after_decorator = False
    for start in outline.top_level:
        decorator = source.startswith("@", start)
        if not after_decorator and start > floor and start - last >= piece and \
                _CONTINUES.match(source, start) is None and _plain_gap(source, start):
            cuts.append(start)
            last = start
        after_decorator = decorator
    return cuts


def _plain_gap(source: str, start: int) -> bool:
    """Whether the lines between the statement starting at `start` and the code before it are
    all empty or comments at column 0: the lines whose owner (the blocks before, or the statement)
    is the same at the end of a piece as in the whole module. Blank lines that hold blanks and
    indented comments may be owned otherwise at the end of a module."""
    window = max(0, start - _GAP_WINDOW)
    lines = _LINE_BREAK.split(source[window:start])[:-1]  # the text before `start` ends with a line break
    for line in reversed(lines[1:] if window else lines):
        if not line or line[0] == "#":
            continue
        return not line.isspace() and not line.lstrip().startswith("#")  # the last line of code before
    return False


def parse_in_pieces(source: str, outline: Outline, piece: int = PIECE) -> "cst.Module":
    """The module of `source` (raises as `libcst.parse_module` does), parsed in pieces when it is
    large enough; `outline` is the nesting guard's of `source`."""
    from binlint.pipeline.parse.unvalidated import parse_module

    cuts = cut_points(source, outline, piece)
    if cuts:
        module = _joined(source, cuts)
        if module is not None:
            return module
    return parse_module(source)


def _joined(source: str, cuts: list[int]) -> "cst.Module | None":
    """The pieces of `source` cut at `cuts`, parsed and joined; None when one does not fit."""
    from binlint.pipeline.parse.incremental import in_block
    from binlint.pipeline.parse.unvalidated import parse_module

    bounds = [0, *cuts, len(source)]
    try:
        first = parse_module(source[: bounds[1]])
    except Exception:
        return None
    body = list(first.body)
    footer = first.footer
    last = first
    for start, end in zip(bounds[1:], bounds[2:]):
        try:
            part = parse_module(in_block(source[start:end], (), first))
        except Exception:
            return None
        if part.header or len(part.body) < 2 or part.default_newline != first.default_newline or \
                part.default_indent != first.default_indent:
            return None
        statements = list(part.body[1:])
        opening = statements[0]
        if opening.leading_lines:  # the piece starts at its first statement's code
            return None
        if footer:
            statements[0] = opening.with_changes(leading_lines=footer)
        body.extend(statements)
        footer = part.footer
        last = part
    return first.with_changes(body=body, footer=footer, has_trailing_newline=last.has_trailing_newline)
