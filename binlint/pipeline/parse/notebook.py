"""Jupyter notebooks: code cells joined into one module, with a map back to cells.

IPython magics (`%time`, `%%capture`), shell escapes (`!pip install`) and help
lines (`obj?`) are not Python; each such line becomes `pass` at its own indentation,
so line numbers stay put and the rest still parses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

_MAGIC_LINE = re.compile(r"^(?P<indent>[ \t]*)(?:[%!]|\w+\s*=\s*[%!]|[\w.]+\?{1,2}\s*$|\?{1,2}[\w.]+\s*$)")
# Cell magics that leave the cell Python; any other `%%` cell is not Python at all.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "writefile"})
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class NotebookError(ValueError):
    """The file is not a notebook binlint can read."""


@dataclass(frozen=True, slots=True)
class Cell:
    index: int  # position among all cells, as Jupyter numbers them from 0
    source: str
    python: bool  # False for a code cell that holds no Python (%%bash, %%html, ...)


@dataclass(frozen=True)
class JoinedCells:
    """All Python code cells as one module, and where each cell starts in it."""

    source: str
    starts: tuple[tuple[int, int, int], ...]  # (cell index, first line, line count)

    def locate(self, line: int) -> tuple[int, int]:
        """(cell index, line within the cell) for a line of the joined source."""
        for cell, first, count in self.starts:
            if first <= line < first + max(count, 1):
                return cell, line - first + 1
        cell, first, _ = self.starts[-1] if self.starts else (0, 1, 0)
        return cell, max(1, line - first + 1)


def _source_text(value: object) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        text = "".join(value)
    else:
        raise NotebookError("a cell's source is neither text nor a list of lines")
    # JSON can spell a lone surrogate (`"\\ud800"`), which is no character: it would stop
    # the parser and any output that prints it.
    return _LONE_SURROGATE.sub("\ufffd", text)


def load_cells(data: bytes) -> list[Cell]:
    """The code cells of a notebook file."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise NotebookError(f"not valid notebook JSON ({type(exc).__name__})") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise NotebookError("no `cells` list: not an nbformat 4 notebook")
    cells = []
    for index, cell in enumerate(document["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _source_text(cell.get("source", ""))
        first = source.lstrip().split("\n", 1)[0]
        python = True
        if first.startswith("%%"):
            magic = first[2:].split(None, 1)[0] if first[2:].strip() else ""
            python = magic in _PYTHON_CELL_MAGICS
        cells.append(Cell(index, source, python))
    return cells


def neutralise_magics(source: str) -> str:
    """The cell with every IPython-only line replaced by `pass` (same line count)."""
    lines = source.split("\n")
    out = []
    for line in lines:
        match = _MAGIC_LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            out.append(f"{match.group('indent')}pass")
        else:
            out.append(line)
    return "\n".join(out)


def join(cells: list[Cell]) -> JoinedCells:
    """One module of every Python cell, each cell starting on a fresh line."""
    parts: list[str] = []
    starts: list[tuple[int, int, int]] = []
    line = 1
    for cell in cells:
        if not cell.python:
            continue
        text = neutralise_magics(cell.source)
        if not text.endswith("\n"):
            text += "\n"
        count = text.count("\n")
        starts.append((cell.index, line, count))
        parts.append(text)
        line += count
    return JoinedCells("".join(parts), tuple(starts))


# --- where a cell's lines sit in the .ipynb file ---------------------------------------

_SPACE = re.compile(r"[ \t\n\r]*")


class _Shape(Exception):
    """The notebook JSON is not shaped as the scan expects."""


def source_json_lines(data: bytes) -> dict[int, tuple[tuple[int, int], ...]]:
    """For each cell (by index), where its source sits in the .ipynb file: a (first line in the
    cell, line in the file) pair per JSON string of its `source`. Empty when the file is not
    notebook JSON. Code scanning and annotations point at lines of the file, not of the cell."""
    from bisect import bisect_right
    from json.decoder import scanstring  # type: ignore[attr-defined]  # public, but not in typeshed

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}
    newlines = [match.start() for match in re.finditer("\n", text)]
    decoder = json.JSONDecoder()
    found: dict[int, tuple[tuple[int, int], ...]] = {}

    def space(i: int) -> int:
        return _SPACE.match(text, i).end()  # type: ignore[union-attr]

    def expect(i: int, char: str) -> int:
        if text[i:i + 1] != char:
            raise _Shape
        return space(i + 1)

    def skip(i: int) -> int:
        return decoder.raw_decode(text, i)[1]

    def members(i: int, handle: "Callable[[str, int], int]") -> int:
        """Walk the object at `i`, handing each value's start to `handle` (which returns its end)."""
        i = expect(i, "{")
        if text[i:i + 1] == "}":
            return i + 1
        while True:
            if text[i:i + 1] != '"':
                raise _Shape
            key, i = scanstring(text, i + 1)
            i = expect(space(i), ":")
            i = space(handle(key, i))
            if text[i:i + 1] == "}":
                return i + 1
            i = expect(i, ",")

    def items(i: int, handle: "Callable[[int, int], int]") -> int:
        i = expect(i, "[")
        if text[i:i + 1] == "]":
            return i + 1
        index = 0
        while True:
            i = space(handle(index, i))
            index += 1
            if text[i:i + 1] == "]":
                return i + 1
            i = expect(i, ",")

    def line_of(offset: int) -> int:
        return bisect_right(newlines, offset - 1) + 1

    def source(cell: int, i: int) -> int:
        pieces: list[tuple[int, int]] = []
        if text[i:i + 1] == '"':
            pieces.append((1, line_of(i)))
            end = skip(i)
        else:
            first = [1]

            def piece(_: int, j: int) -> int:
                value, end = decoder.raw_decode(text, j)
                pieces.append((first[0], line_of(j)))
                first[0] += value.count("\n") if isinstance(value, str) else 0
                return end

            end = items(i, piece)
        found[cell] = tuple(pieces)
        return end

    def cell(index: int, i: int) -> int:
        if text[i:i + 1] != "{":
            return skip(i)
        return members(i, lambda key, j: source(index, j) if key == "source" else skip(j))

    def top(key: str, i: int) -> int:
        return items(i, cell) if key == "cells" and text[i:i + 1] == "[" else skip(i)

    try:
        members(space(0), top)
    except (_Shape, ValueError, IndexError, RecursionError):
        return {}
    return found


def json_line(lines: dict[int, tuple[tuple[int, int], ...]], cell: int, line: int) -> int | None:
    """The line of the .ipynb file that holds `line` of `cell` (both as binlint reports them)."""
    pieces = lines.get(cell)
    if not pieces:
        return None
    chosen = pieces[0][1]
    for first, file_line in pieces:
        if first > line:
            break
        chosen = file_line
    return chosen
