"""Jupyter notebooks: code cells joined into one module, with a map back to cells.

IPython magics (`%time`, `%%capture`), shell escapes (`!pip install`) and help
lines (`obj?`) are not Python; each such line becomes `pass` at its own indentation,
so line numbers stay put and the rest still parses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

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
