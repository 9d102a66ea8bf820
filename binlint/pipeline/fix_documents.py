"""What the fixer edits: a file as text units (a source file, or a notebook's cells), with
positions turned into offsets, edits applied, and the checks that keep a broken result
from being written (it parses, it decodes the same way, a notebook stays valid JSON).

Used by `pipeline/fix.py`, which decides which edits to take.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from binlint.model import Finding, scrub
from binlint.pipeline.parse.python_parser import syntax_error as _syntax_error

if TYPE_CHECKING:
    import libcst as cst

    from binlint.pipeline.parse.incremental import Splicer

_NEWLINE = re.compile(r"\r\n|\r|\n")
_FORM_FEED_INDENT = re.compile(r"[ \t]*\x0c")


class Unfixable(Exception):
    """Why a file (or one finding's fix) cannot be applied; the text is safe to print."""


# --- text with positions ------------------------------------------------------------


class Lines:
    """A text and the offsets of its lines, to turn (line, column) into an offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.ends: list[int] = []
        for match in _NEWLINE.finditer(text):
            self.ends.append(match.start())
            self.starts.append(match.end())
        self.ends.append(len(text))
        first = _NEWLINE.search(text)
        self.newline = first.group() if first else "\n"

    def offset(self, line: int, column: int) -> int:
        if line == len(self.starts) + 1 and column == 1:
            return len(self.text)  # just past a last line that has no line break
        if not 1 <= line <= len(self.starts):
            raise Unfixable(f"an edit is on line {line}, past the end of the text")
        start, end = self.starts[line - 1], self.ends[line - 1]
        if not 1 <= column <= end - start + 1:
            raise Unfixable(f"an edit is at column {column} of line {line}, past the end of that line")
        if column > 1 and "\x0c" in self.text[start: end][: column - 1] and _FORM_FEED_INDENT.match(self.text, start):
            # libcst counts columns after a form feed in the indentation differently.
            raise Unfixable(f"line {line} starts with a form feed, which makes its columns ambiguous")
        return start + column - 1

    def line_text(self, line: int) -> str:
        return self.text[self.starts[line - 1]: self.ends[line - 1]] if line <= len(self.starts) else ""


@dataclass(frozen=True, slots=True)
class Placed:
    """An edit resolved to character offsets in one text unit (a file, or a notebook cell)."""

    unit: int  # notebook cell index; 0 for a plain file
    start: int
    end: int
    content: str


def apply_edits(text: str, edits: Iterable[Placed]) -> str:
    """`text` with non-overlapping edits applied (insertions before replacements at one offset)."""
    parts: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        parts.append(text[position: edit.start])
        parts.append(edit.content)
        position = edit.end
    parts.append(text[position:])
    return "".join(parts)


# --- documents: what a file is, as text units ---------------------------------------


class Document:
    """A file's bytes as text units that edits address, and the way back to bytes."""

    data: bytes
    units: dict[int, str]

    def place(self, finding: Finding) -> tuple[Placed, ...]:
        raise NotImplementedError

    def render(self, units: dict[int, str]) -> bytes:
        raise NotImplementedError

    def problem(self, data: bytes, edits: Iterable[Placed] = ()) -> str | None:
        """Why `data` (this document after `edits`) must not be written, or None."""
        raise NotImplementedError

    def label(self, unit: int, path: str) -> str:
        """How the diff names a text unit."""
        return path

    def reopen(self, data: bytes) -> "Document":
        """The same kind of document over new content."""
        raise NotImplementedError


def _convert_newlines(content: str, newline: str) -> str:
    return _NEWLINE.sub(newline, content) if newline != "\n" or "\r" in content else content


class SourceFile(Document):
    """A Python (or plain text) file: one text unit, in its own encoding."""

    def __init__(self, data: bytes, python: bool) -> None:
        self.data = data
        self.python = python
        self.bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
        if python:
            try:
                encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            except SyntaxError:
                raise Unfixable("its coding cookie cannot be read") from None
        else:
            encoding = "utf-8"
        self.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        try:
            text = data[len(self.bom):].decode(self.encoding)
        except (UnicodeDecodeError, LookupError):
            raise Unfixable(f"it does not decode as {self.encoding}") from None
        self.lines = Lines(text)
        self.units = {0: text}
        self._ast_ok: bool | None = None if python else False  # Python's own parser takes the text (when asked)
        self._ast_clean: bytes | None = None  # the last content `problem` found Python's parser to take
        self._splicer: "Splicer | None" = None  # on the tree the check held for the text, once asked for
        self._tree_asked = False

    def place(self, finding: Finding) -> tuple[Placed, ...]:
        return tuple(
            Placed(0, self.lines.offset(e.line, e.column), self.lines.offset(e.end_line, e.end_column),
                   _convert_newlines(e.content, self.lines.newline))
            for e in finding.fix.edits
        )

    def render(self, units: dict[int, str]) -> bytes:
        try:
            return self.bom + units[0].encode(self.encoding)
        except UnicodeEncodeError:
            raise Unfixable(f"the fixed text cannot be written in the file's encoding ({self.encoding})") from None

    def problem(self, data: bytes, edits: Iterable[Placed] = ()) -> str | None:
        if not self.python:
            return None
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:
            encoding = "?"
        if ("utf-8" if encoding == "utf-8-sig" else encoding) != self.encoding:
            return "it would change the file's encoding declaration"
        text = data[len(self.bom):].decode(self.encoding)
        asked: list[bool] = []
        by_lines: list[bool] = []

        def original_parses() -> bool:  # asked only when Python's parser rejects `text`
            asked.append(True)
            return self._ast_parses()

        def splice_parses() -> bool:  # Python's verdict on the lines the splice re-parsed
            took = self._splicer is not None and bool(self._splicer.python_verdict)
            by_lines.append(took)
            return took

        problem = _parse_problem(text, original_parses, lambda: self._spliced(text, edits), splice_parses)
        # Taken on the re-parsed lines only, the verdict says the text parses as well as this one did.
        if problem is None and not asked and (not any(by_lines) or self._ast_ok):
            self._ast_clean = data
        return problem

    def _spliced(self, text: str, edits: Iterable[Placed]) -> "cst.Module | None":
        """The tree of `text` (this document's text after `edits`), built from the tree the check held
        for this document's text by re-parsing only the lines the edits touched; None without one."""
        placed = sorted((e.start, e.end, len(e.content)) for e in edits)
        if not placed:
            return None
        if not self._tree_asked:
            from binlint.pipeline.parse import reuse
            from binlint.pipeline.parse.incremental import Splicer

            found, self._tree_asked = reuse.held(self.units[0]), True
            self._splicer = Splicer(found[0], self.units[0], found[1], _ast_parses) if found is not None else None
        return self._splicer.splice(text, placed) if self._splicer is not None else None

    def _ast_parses(self) -> bool:
        """Whether Python's own parser takes the text (asked only when a fixed text fails it)."""
        if self._ast_ok is None:
            self._ast_ok = _ast_parses(self.units[0])
        return self._ast_ok

    def reopen(self, data: bytes) -> "SourceFile":
        document = SourceFile(data, self.python)
        if data == self._ast_clean:
            document._ast_ok = True  # `problem` parsed it with Python's parser already
        return document


class NotebookFile(Document):
    """A Jupyter notebook: one text unit per Python code cell, spliced back into the JSON."""

    def __init__(self, data: bytes) -> None:
        from binlint.pipeline.parse import notebook

        self.data = data
        self.bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
        try:
            self.json_text = data[len(self.bom):].decode("utf-8")
            cells = notebook.load_cells(data)
            self.spans = _source_spans(self.json_text)
        except (UnicodeDecodeError, notebook.NotebookError, ValueError, IndexError, RecursionError):
            raise Unfixable("it is not a notebook binlint can rewrite") from None
        python = [c for c in cells if c.python]
        self.joined = notebook.join(python)
        self.units = {c.index: c.source for c in python}
        self.lines = {c.index: Lines(c.source) for c in python}
        self.neutral = {c.index: Lines(notebook.neutralise_magics(c.source)) for c in python}
        self.ascii = self.json_text.isascii()

    def _locate(self, line: int, cell: int | None, end: bool) -> tuple[int, int]:
        """(cell, line in the cell) for a line of the joined source; `cell` is the start's cell."""
        for index, first, count in self.joined.starts:
            last = first + count if end and index == cell else first + count - 1
            if first <= line <= last and (cell is None or index == cell):
                return index, line - first + 1
        raise Unfixable("an edit does not fall inside one code cell")

    def place(self, finding: Finding) -> tuple[Placed, ...]:
        if finding.cell is None:
            raise Unfixable("the finding is in a cell binlint does not edit")
        first = next((f for index, f, _ in self.joined.starts if index == finding.cell), None)
        if first is None:
            raise Unfixable("the finding's cell is not a Python cell")
        placed = []
        for edit in finding.fix.edits:
            cell, line = self._locate(first - 1 + edit.line, None, False)
            _, end_line = self._locate(first - 1 + edit.end_line, cell, True)
            lines, neutral = self.lines[cell], self.neutral[cell]
            if (line, edit.column) == (end_line, edit.end_column) == (line, 1):
                touched: list[int] | range = []  # an insertion before a line: fine unless that line is a cell magic
                if lines.line_text(line).lstrip().startswith("%%"):
                    raise Unfixable("an edit would go before a cell magic")
            else:
                touched = range(line, end_line + (0 if edit.end_column == 1 and end_line > line else 1))
            if any(lines.line_text(n) != neutral.line_text(n) for n in touched):
                raise Unfixable("an edit touches an IPython magic line")
            start, end = lines.offset(line, edit.column), lines.offset(end_line, edit.end_column)
            placed.append(Placed(cell, start, end, _convert_newlines(edit.content, lines.newline)))
        return tuple(placed)

    def render(self, units: dict[int, str]) -> bytes:
        text = self.json_text
        for index in sorted(units, reverse=True):
            if units[index] == self.units[index]:
                continue
            span = self.spans.get(index)
            if span is None:
                raise Unfixable(f"cell {index} has no `source` to rewrite")
            start, end = span
            text = text[:start] + self._source_json(text[start:end], units[index]) + text[end:]
        return self.bom + text.encode("utf-8")

    def _source_json(self, raw: str, new: str) -> str:
        """The JSON for a cell's new source, in the form and layout of the old one."""
        if not raw.startswith("["):
            return json.dumps(new, ensure_ascii=self.ascii)
        items = list(_array_items(raw, 0))
        old_lines = [json.loads(raw[s:e]) for s, e in items]
        new_lines = re.findall(r"[^\n]*\n|[^\n]+$", new)
        head = 0
        while head < min(len(old_lines), len(new_lines)) and old_lines[head] == new_lines[head]:
            head += 1
        tail = 0
        while tail < min(len(old_lines), len(new_lines)) - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
            tail += 1
        rendered = [raw[s:e] for s, e in items[:head]]
        rendered += [json.dumps(line, ensure_ascii=self.ascii) for line in new_lines[head: len(new_lines) - tail]]
        rendered += [raw[s:e] for s, e in items[len(items) - tail:]]
        if not items:
            return "[" + ", ".join(rendered) + "]"
        opening, closing = raw[1: items[0][0]], raw[items[-1][1]: -1]
        separator = raw[items[0][1]: items[1][0]] if len(items) > 1 else "," + (opening or " ")
        return "[" + opening + separator.join(rendered) + closing + "]"

    def problem(self, data: bytes, edits: Iterable[Placed] = ()) -> str | None:
        from binlint.pipeline.parse import notebook

        try:
            cells = notebook.load_cells(data)
        except notebook.NotebookError as exc:
            return f"it would not be a valid notebook ({exc})"
        return _parse_problem(notebook.join(cells).source, None)

    def label(self, unit: int, path: str) -> str:
        return f"{path}:cell {unit}"

    def reopen(self, data: bytes) -> "NotebookFile":
        return NotebookFile(data)


def _ast_parses(text: str) -> bool:
    return _syntax_error(text) is None


def _parse_problem(text: str, check_ast: Callable[[], bool] | None,
                   spliced: "Callable[[], cst.Module | None] | None" = None,
                   splice_parses: Callable[[], bool] | None = None) -> str | None:
    """Why `text` must not be written (it does not parse), or None. With `check_ast`, Python's own
    verdict on `text` counts too when `check_ast()` says so (asked only when that verdict is an error).
    `spliced()` may give the tree of `text` built from an earlier one; else the text is parsed whole.
    For a spliced tree, `splice_parses()` may give Python's verdict on the lines it re-parsed: when it
    takes them, the rest of the text is the earlier one's statements, and the whole text is not read
    again (Python's parser judges statements on their own: a re-parsed line it refuses in its block,
    it refuses in the module)."""
    from binlint.pipeline.parse.chunked import parse_guarded

    try:
        module = spliced() if spliced is not None else None
    except Exception:  # a bug there must not block the fix: the whole parse decides
        module = None
    guarded = module is not None  # the lines a splice re-parsed passed the nesting guard at their depth
    try:
        if module is None:
            module = parse_guarded(text)  # past the nesting guard, in pieces when large
            if module is None:
                return "it would leave the file nested too deeply to parse safely"
    except Exception as exc:  # ParserSyntaxError, and a few other types on odd input
        # Python places the error better than libcst (tokenizer errors all say line 1).
        line, message = _syntax_error(text) or (
            getattr(exc, "raw_line", 1), (getattr(exc, "message", "") or type(exc).__name__).splitlines()[0])
        return f"it would leave the file unparsable (line {line}: {scrub(message)})"
    error = None
    if check_ast is not None and not (guarded and splice_parses is not None and splice_parses()):
        error = _syntax_error(text)
    if error is not None and check_ast is not None and check_ast():
        return f"it would leave the file unparsable (line {error[0]}: {scrub(error[1])})"
    _keep_for_check(text, module, guarded)
    return None


_KEPT_TEXT: list[str] = []  # the text of the tree kept for the check, if any


def _keep_for_check(text: str, module: "cst.Module", guarded: bool = False) -> None:
    """Keep the tree of a fixed text for the check that follows (the check takes it instead of
    parsing the text again); only the last one: a fix kept before is dropped."""
    from binlint.pipeline.parse import reuse

    while _KEPT_TEXT:
        reuse.take(_KEPT_TEXT.pop())
    reuse.keep(text, module, guarded)
    _KEPT_TEXT.append(text)


# --- JSON spans (to rewrite one value and keep every other byte) --------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    assert match is not None
    return match.end()


def _array_items(text: str, position: int) -> Iterable[tuple[int, int]]:
    """(start, end) of each value of the JSON array at `position`."""
    if text[position] != "[":
        raise ValueError("not an array")
    position = _skip(text, position + 1)
    if text[position] == "]":
        return
    while True:
        _, end = _DECODER.raw_decode(text, position)
        yield position, end
        position = _skip(text, end)
        if text[position] == "]":
            return
        if text[position] != ",":
            raise ValueError("bad array")
        position = _skip(text, position + 1)


def _object_members(text: str, position: int) -> Iterable[tuple[str, int, int]]:
    """(key, value start, value end) of each member of the JSON object at `position`."""
    if text[position] != "{":
        raise ValueError("not an object")
    position = _skip(text, position + 1)
    if text[position] == "}":
        return
    while True:
        key, position = _DECODER.raw_decode(text, position)
        position = _skip(text, position)
        if text[position] != ":":
            raise ValueError("bad object")
        start = _skip(text, position + 1)
        _, end = _DECODER.raw_decode(text, start)
        yield key, start, end
        position = _skip(text, end)
        if text[position] == "}":
            return
        if text[position] != ",":
            raise ValueError("bad object")
        position = _skip(text, position + 1)


def _source_spans(text: str) -> dict[int, tuple[int, int]]:
    """Where each cell's `source` value is in the notebook's JSON text, by cell index."""
    cells = None
    for key, start, _ in _object_members(text, _skip(text, 0)):
        if key == "cells":
            cells = start  # the last one wins, as in json.loads
    spans: dict[int, tuple[int, int]] = {}
    if cells is None or text[cells] != "[":
        return spans
    for index, (start, _) in enumerate(_array_items(text, cells)):
        if text[start] != "{":
            continue
        for key, value_start, value_end in _object_members(text, start):
            if key == "source":
                spans[index] = (value_start, value_end)
    return spans
