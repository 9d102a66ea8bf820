"""Apply the edits findings carry: `--fix`, `--unsafe-fixes` and `--diff`.

The guarantees, whatever the rules propose:

- Only the edits the flags allow are applied (safe; with `--unsafe-fixes` unsafe too),
  all of one finding's edits or none. Edits that overlap an edit already taken wait for
  the next round; identical edits (two findings adding `import os`) are applied once.
  After each round the file is checked again, until nothing changes (at most
  `MAX_ROUNDS` rounds; a file whose fixes do not settle is left as it was).
- A result that does not parse (or no longer decodes the same way) is never written:
  the fixes that break it are refused with a message and the others still apply.
- Bytes outside the edited spans stay as they were: encoding (coding cookie), BOM,
  newline style (an edit's `\\n` becomes the file's newline) and file mode. Writes go
  through a temporary file in the same folder and `os.replace`, so a file is either
  the old text or the new one. A notebook keeps its JSON formatting: only the edited
  cells' `source` values are rewritten, a list of lines stays a list.
- `--diff` writes nothing; the patch never shows a key (lines are scrubbed).

Positions are 1-based lines and columns of the decoded text, in characters (a tab is one
column); line breaks are `\\r\\n`, `\\r` and `\\n`, as libcst counts them. In a notebook
an edit's lines count from the first line of the finding's cell.
"""

from __future__ import annotations

import ast
import bisect
import codecs
import difflib
import functools
import io
import json
import os
import re
import stat
import tempfile
import tokenize
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterable

from binlint.pipeline.discover import FileKind, Target, kind_of
from binlint.pipeline.engine import FileResult, RunSettings, check_bytes, content_digest, map_targets, read_regular
from binlint.model import Applicability, Finding, scrub

MAX_ROUNDS = 10
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


def _apply(text: str, edits: Iterable[Placed]) -> str:
    """`text` with non-overlapping edits applied (insertions before replacements at one offset)."""
    parts: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        parts.append(text[position: edit.start])
        parts.append(edit.content)
        position = edit.end
    parts.append(text[position:])
    return "".join(parts)


class _Accepted:
    """The edits taken in one round, looked up by offset: does a new edit conflict with one of them?

    Taken edits never conflict with each other, so per unit the replacements are disjoint
    intervals (kept sorted by start) and the insertions sit at no replacement's inside.
    """

    def __init__(self) -> None:
        self._starts: dict[int, list[int]] = {}  # unit -> starts of the replacements, sorted
        self._spans: dict[int, dict[int, list[Placed]]] = {}  # unit -> start -> replacements there
        self._inserts: dict[int, list[int]] = {}  # unit -> offsets of the insertions, sorted
        self._at: dict[int, dict[int, set[Placed]]] = {}  # unit -> offset -> insertions there

    def conflicts(self, edit: Placed) -> bool:
        starts = self._starts.get(edit.unit, [])
        inserts = self._inserts.get(edit.unit, [])
        if edit.start == edit.end:
            if self._at.get(edit.unit, {}).get(edit.start, {edit}) - {edit}:
                return True  # two insertions at one place
            index = bisect.bisect_left(starts, edit.start) - 1  # the replacement starting last before it
            return index >= 0 and any(_conflict(edit, other) for other in self._spans[edit.unit][starts[index]])
        index = bisect.bisect_left(starts, edit.end) - 1  # the replacement starting last before its end
        if index >= 0 and any(_conflict(edit, other) for other in self._spans[edit.unit][starts[index]]):
            return True
        inside = bisect.bisect_right(inserts, edit.start)
        return inside < len(inserts) and inserts[inside] < edit.end

    def add(self, edit: Placed) -> None:
        if edit.start == edit.end:
            at = self._at.setdefault(edit.unit, {})
            if edit.start not in at:
                bisect.insort(self._inserts.setdefault(edit.unit, []), edit.start)
            at.setdefault(edit.start, set()).add(edit)
            return
        spans = self._spans.setdefault(edit.unit, {})
        if edit.start not in spans:
            bisect.insort(self._starts.setdefault(edit.unit, []), edit.start)
        spans.setdefault(edit.start, []).append(edit)


def _conflict(a: Placed, b: Placed) -> bool:
    """Whether two different edits cannot both apply in one round."""
    if a.unit != b.unit or a == b:
        return False
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one place: their order would be a guess
    return a.start < b.end and b.start < a.end


# --- documents: what a file is, as text units ---------------------------------------


class Document:
    """A file's bytes as text units that edits address, and the way back to bytes."""

    data: bytes
    units: dict[int, str]

    def place(self, finding: Finding) -> tuple[Placed, ...]:
        raise NotImplementedError

    def render(self, units: dict[int, str]) -> bytes:
        raise NotImplementedError

    def problem(self, data: bytes) -> str | None:
        """Why `data` (this document after edits) must not be written, or None."""
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
        self._ast_ok = python and _ast_parses(text)

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

    def problem(self, data: bytes) -> str | None:
        if not self.python:
            return None
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:
            encoding = "?"
        if ("utf-8" if encoding == "utf-8-sig" else encoding) != self.encoding:
            return "it would change the file's encoding declaration"
        text = data[len(self.bom):].decode(self.encoding)
        return _parse_problem(text, self._ast_ok)

    def reopen(self, data: bytes) -> "SourceFile":
        return SourceFile(data, self.python)


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

    def problem(self, data: bytes) -> str | None:
        from binlint.pipeline.parse import notebook

        try:
            cells = notebook.load_cells(data)
        except notebook.NotebookError as exc:
            return f"it would not be a valid notebook ({exc})"
        return _parse_problem(notebook.join(cells).source, False)

    def label(self, unit: int, path: str) -> str:
        return f"{path}:cell {unit}"

    def reopen(self, data: bytes) -> "NotebookFile":
        return NotebookFile(data)


def _ast_parses(text: str) -> bool:
    return _syntax_error(text) is None


def _syntax_error(text: str) -> tuple[int, str] | None:
    """(line, message) of Python's own verdict on `text`, or None when it parses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        return exc.lineno or 1, exc.msg or "syntax error"
    except (ValueError, RecursionError, MemoryError) as exc:
        return 1, type(exc).__name__
    return None


def _parse_problem(text: str, check_ast: bool) -> str | None:
    """Why `text` must not be written (it does not parse), or None."""
    import libcst as cst

    try:
        cst.parse_module(text)
    except Exception as exc:  # ParserSyntaxError, and a few other types on odd input
        # Python places the error better than libcst (tokenizer errors all say line 1).
        line, message = _syntax_error(text) or (
            getattr(exc, "raw_line", 1), (getattr(exc, "message", "") or type(exc).__name__).splitlines()[0])
        return f"it would leave the file unparsable (line {line}: {scrub(message)})"
    error = _syntax_error(text) if check_ast else None
    if error is not None:
        return f"it would leave the file unparsable (line {error[0]}: {scrub(error[1])})"
    return None


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


# --- fixing one file's bytes ----------------------------------------------------------


@dataclass
class SourceFix:
    """What fixing one file's content gave."""

    path: str
    document: Document | None
    data: bytes  # the content after fixing (the original when nothing applied)
    before: FileResult  # the check of the original content
    result: FileResult  # the check of `data`: the findings that remain
    fixed: int = 0  # findings whose fixes were applied
    warnings: list[str] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return self.document is not None and self.data != self.document.data

    def diff(self) -> str:
        """The unified diff from the original to the fixed content, with keys scrubbed."""
        if not self.changed or self.document is None:
            return ""
        before, after = self.document.units, self.document.reopen(self.data).units
        return "".join(
            _unified(before[unit], after.get(unit, ""), self.document.label(unit, self.path), self.secrets)
            for unit in sorted(before)
            if after.get(unit, "") != before[unit]
        )


def wanted(finding: Finding, unsafe: bool) -> bool:
    """Whether the flags allow applying this finding's fix."""
    if not finding.fix.edits:
        return False
    return finding.fix.applicability is Applicability.SAFE or (
        unsafe and finding.fix.applicability is Applicability.UNSAFE
    )


def open_document(data: bytes, kind: FileKind) -> Document:
    if kind is FileKind.NOTEBOOK:
        return NotebookFile(data)
    return SourceFile(data, python=kind is FileKind.PYTHON)


def fix_bytes(data: bytes, path: str, kind: FileKind, settings: RunSettings, *, unsafe: bool = False,
              before: FileResult | None = None,
              check: Callable[[bytes], FileResult] | None = None) -> SourceFix:
    """Fix the content of one file, in rounds, and check what remains.

    `before` is the check of `data` when the caller already has it (else `data` is
    checked first); `check` replaces the engine's check (tests use it).
    """
    recheck = check or (lambda content: check_bytes(content, path, kind, settings))
    before = recheck(data) if before is None else before
    outcome = SourceFix(path, None, data, before, before)
    outcome.secrets.update(s for f in before.findings for s in f.secrets)
    if not any(wanted(f, unsafe) for f in before.findings):
        return outcome
    if kind is not FileKind.TEXT and not before.parsed:
        outcome.warnings.append(f"{path}: not fixed: binlint does not rewrite a file it cannot parse")
        return outcome
    try:
        document = open_document(data, kind)
    except Unfixable as exc:
        outcome.warnings.append(f"{path}: not fixed: {exc}")
        return outcome
    outcome.document = document
    current, result, seen = document, before, {data}
    refused: set[tuple[str, str, str]] = set()
    settled, why = False, f"the fixes did not settle after {MAX_ROUNDS} rounds"
    for _ in range(MAX_ROUNDS):
        candidates = [f for f in result.findings if wanted(f, unsafe) and _key(f) not in refused]
        if not candidates:
            settled = True
            break
        new_data, applied = _round(current, candidates, outcome, refused)
        if not applied or new_data == current.data:
            settled = True
            break
        if new_data in seen:
            why = "the fixes undo each other"
            break
        seen.add(new_data)
        outcome.fixed += len(applied)
        outcome.data = new_data
        result = recheck(new_data)
        outcome.secrets.update(s for f in result.findings for s in f.secrets)
        current = current.reopen(new_data)
    else:
        settled = not any(wanted(f, unsafe) and _key(f) not in refused for f in result.findings)
    if not settled:
        codes = ", ".join(sorted({f.code for f in result.findings if wanted(f, unsafe)}))
        outcome.warnings.append(f"{path}: not fixed: {why} ({codes}; a binlint bug, please report it)")
        outcome.data, outcome.fixed, result = data, 0, before
    outcome.result = result
    outcome.warnings = list(dict.fromkeys(outcome.warnings))
    return outcome


def _key(finding: Finding) -> tuple[str, str, str]:
    return (finding.code, finding.fingerprint, finding.message)


def _round(document: Document, candidates: list[Finding], outcome: SourceFix,
           refused: set[tuple[str, str, str]]) -> tuple[bytes, list[Finding]]:
    """One round: the non-overlapping fixes that keep the file sound, applied together."""
    taken: list[tuple[Finding, tuple[Placed, ...]]] = []
    accepted = _Accepted()
    for finding in sorted(candidates, key=lambda f: f.sort_key):
        try:
            edits = document.place(finding)
        except Unfixable as exc:
            _refuse(outcome, refused, finding, str(exc))
            continue
        if any(_conflict(a, b) for i, a in enumerate(edits) for b in edits[i + 1:]):
            _refuse(outcome, refused, finding, "its edits overlap each other")
            continue
        if any(accepted.conflicts(edit) for edit in edits):
            continue  # waits for the next round, when it is found again at its new place
        taken.append((finding, edits))
        for edit in edits:
            accepted.add(edit)
    if not taken:
        return document.data, []
    data, problem = _build(document, [edits for _, edits in taken])
    if problem is None:
        return data, [finding for finding, _ in taken]
    # Some fix breaks the file: keep the fixes that, added one by one, leave it sound.
    kept: list[tuple[Finding, tuple[Placed, ...]]] = []
    data = document.data
    for finding, edits in taken:
        trial, problem = _build(document, [e for _, e in kept] + [edits])
        if problem is None:
            kept.append((finding, edits))
            data = trial
        else:
            _refuse(outcome, refused, finding, problem)
    return data, [finding for finding, _ in kept]


def _build(document: Document, groups: list[tuple[Placed, ...]]) -> tuple[bytes, str | None]:
    """The document with the edit groups applied, and why it must not be written (or None)."""
    edits = set(edit for group in groups for edit in group)
    units = dict(document.units)
    for unit in {edit.unit for edit in edits}:
        units[unit] = _apply(units[unit], (e for e in edits if e.unit == unit))
    try:
        data = document.render(units)
    except Unfixable as exc:
        return document.data, str(exc)
    return data, document.problem(data)


def _refuse(outcome: SourceFix, refused: set[tuple[str, str, str]], finding: Finding, why: str) -> None:
    refused.add(_key(finding))
    where = f"{outcome.path}:{finding.line}:{finding.column}"
    if finding.cell is not None:
        where = f"{outcome.path}:cell {finding.cell}:{finding.line}:{finding.column}"
    outcome.warnings.append(f"{where}: {finding.code} fix not applied: {why}")


# --- the unified diff --------------------------------------------------------------------


def _unified(before: str, after: str, name: str, secrets: Iterable[str]) -> str:
    """A unified diff of one text unit whose lines are scrubbed of keys."""
    secrets = tuple(secrets)
    old = split_lines(before)
    new = split_lines(after)
    out = []
    for line in difflib.unified_diff(old, new, name, name, n=3):
        if line.startswith(("---", "+++", "@@")):
            out.append(line if line.endswith("\n") else line + "\n")
            continue
        body = scrub(line, secrets)
        if not body.endswith(("\n", "\r")):
            body += "\n\\ No newline at end of file\n"
        out.append(body)
    return "".join(out)


def split_lines(text: str) -> list[str]:
    """The lines of `text`, each with its line break (`\\r\\n`, `\\r` or `\\n`)."""
    return [m.group() for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)]


# --- the `check --fix/--diff` step -----------------------------------------------------------


@dataclass
class FixOutcome:
    """What `apply_to_results` did, for app.run_check."""

    results: list[FileResult] = field(default_factory=list)  # the findings that remain
    fixed: int = 0  # fixes applied (with --diff: fixes that would be applied)
    errors: list[str] = field(default_factory=list)  # internal errors (exit status 2)
    warnings: list[str] = field(default_factory=list)  # files or fixes left alone, and why
    diff: str = ""
    stdin_source: bytes | None = None  # the fixed stdin content (for --fix with PATH `-`)


@dataclass
class FileFix:
    """What fixing one file on disk gave (small and picklable: it comes back from a worker)."""

    result: FileResult | None  # the findings that remain; None: keep the result of the check
    fixed: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    diff: str = ""


def apply_to_results(results: list[FileResult], settings: RunSettings, *, unsafe: bool = False,
                     diff_only: bool = False, stdin_data: bytes | None = None,
                     stdin_name: str | None = None, jobs: int | None = None) -> FixOutcome:
    """Fix the files behind `results` (or only diff them with `diff_only`), and re-check them.

    Only files whose findings offer a fix the flags allow are read again; they are fixed
    on up to `jobs` processes. A file that cannot be fixed keeps its findings and gets a
    warning; the others are fixed all the same.
    """
    outcome = FixOutcome(results=list(results))
    if stdin_data is not None:
        todo = list(range(len(results)))
        kind = (kind_of(stdin_name, explicit=True) if stdin_name else None) or FileKind.PYTHON
        done: Iterable[FileFix] = (_fix_stdin(stdin_data, r, kind, settings, unsafe, diff_only, outcome)
                                   for r in results)
    else:
        todo = [i for i, r in enumerate(results) if any(wanted(f, unsafe) for f in r.findings)]
        targets = [Target(results[i].path, kind_of(results[i].path, explicit=True) or FileKind.TEXT) for i in todo]
        checked = {results[i].path: results[i] for i in todo if results[i].digest is not None}
        done = map_targets(functools.partial(fix_target, unsafe=unsafe, diff_only=diff_only, checked=checked),
                           targets, settings, jobs)
    diffs = []
    for index, file_fix in zip(todo, done):
        original = results[index]
        outcome.warnings.extend(file_fix.warnings)
        outcome.errors.extend(file_fix.errors)
        outcome.fixed += file_fix.fixed
        diffs.append(file_fix.diff)
        if file_fix.result is not None:
            outcome.errors.extend(e for e in file_fix.result.errors if e not in original.errors)
            outcome.results[index] = file_fix.result
    outcome.diff = "".join(diffs)
    return outcome


def _fix_stdin(data: bytes, result: FileResult, kind: FileKind, settings: RunSettings, unsafe: bool,
               diff_only: bool, outcome: FixOutcome) -> FileFix:
    try:
        fixed = fix_bytes(data, result.path, kind, settings, unsafe=unsafe, before=result)
    except Exception as exc:  # a bug here must not lose the source
        outcome.stdin_source = None if diff_only else data
        return FileFix(None, errors=[f"{result.path}: internal error while fixing ({type(exc).__name__})"])
    outcome.stdin_source = None if diff_only else fixed.data
    return FileFix(fixed.result, fixed.fixed if fixed.changed else 0, fixed.warnings,
                   diff=fixed.diff() if diff_only else "")


def fix_target(target: Target, settings: RunSettings, *, unsafe: bool = False, diff_only: bool = False,
               checked: dict[str, FileResult] | None = None) -> FileFix:
    """Fix one file on disk (with `diff_only`, only compute its diff); never raises. `checked` holds
    results of the check by path: one whose digest matches the file's bytes is not checked again."""
    try:
        return _fix_file(target, settings, unsafe, diff_only, (checked or {}).get(target.path))
    except Exception as exc:  # a bug here must not lose the other files
        return FileFix(None, errors=[f"{target.path}: internal error while fixing ({type(exc).__name__})"])


def _fix_file(target: Target, settings: RunSettings, unsafe: bool, diff_only: bool,
              checked: FileResult | None = None) -> FileFix:
    path = target.path
    real = os.path.realpath(path)
    try:
        data, info = read_regular(real)
    except FileNotFoundError:
        return FileFix(None, warnings=[f"{path}: not fixed: it vanished before it could be fixed"])
    except OSError as exc:
        return FileFix(None, warnings=[f"{path}: not fixed: cannot read it ({exc.strerror or type(exc).__name__})"])
    if data is None:
        return FileFix(None, warnings=[f"{path}: not fixed: it is no longer a regular file"])
    before = checked if checked is not None and checked.digest == content_digest(data) else None
    fixed = fix_bytes(data, path, target.kind, settings, unsafe=unsafe, before=before)
    if not fixed.changed:
        return FileFix(fixed.result, 0, fixed.warnings)
    if diff_only:
        return FileFix(fixed.result, fixed.fixed, fixed.warnings, diff=fixed.diff())
    try:
        write_atomic(real, fixed.data, info)
    except Unfixable as exc:
        return FileFix(fixed.before, 0, [*fixed.warnings, f"{path}: not fixed: {exc}"])
    return FileFix(fixed.result, fixed.fixed, fixed.warnings)


def write_atomic(path: str, data: bytes, expected: os.stat_result | None = None) -> None:
    """Replace the file at `path` with `data` via a temporary file and `os.replace`, keeping its mode.

    A read-only file is left alone (binlint does not override a write protection), and so
    is a file that vanished or changed since `expected` was taken.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise Unfixable("it vanished before the fix could be written") from None
    except OSError as exc:
        raise Unfixable(f"cannot read it ({exc.strerror or type(exc).__name__})") from None
    if expected is not None and (info.st_ino, info.st_size, info.st_mtime_ns) != (
            expected.st_ino, expected.st_size, expected.st_mtime_ns):
        raise Unfixable("it changed while binlint was fixing it")
    mode = stat.S_IMODE(info.st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise Unfixable("the file is read-only")
    folder, name = os.path.split(path)
    try:
        handle = tempfile.NamedTemporaryFile(dir=folder or ".", prefix=f".{name}.", suffix=".binlint", delete=False)
    except OSError as exc:
        raise Unfixable(f"cannot write in its folder ({exc.strerror or type(exc).__name__})") from None
    try:
        with handle:
            handle.write(data)
        os.chmod(handle.name, mode)
        try:
            os.chown(handle.name, info.st_uid, info.st_gid)
        except OSError:
            pass  # only the owner's group or root can hand a file over; the mode still holds
        os.replace(handle.name, path)
    except OSError as exc:
        try:
            os.unlink(handle.name)
        except OSError:
            pass
        raise Unfixable(f"cannot write it ({exc.strerror or type(exc).__name__})") from None
