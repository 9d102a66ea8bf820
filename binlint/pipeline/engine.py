"""The per-file pipeline (read, gate, parse, understand, check, suppress) and the runner.

Nothing a file holds can crash a run: a file that cannot be read, decoded or parsed
becomes a skip line or a BL001 finding, and a rule that fails on a file is reported
as an internal error for that file while the others still run.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import re
import stat
import sys
import tokenize
from dataclasses import dataclass, field, replace
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Protocol, TypeVar

from binlint.config import Config
from binlint.model import Applicability, Edit, Finding, Fix
from binlint.pipeline import gate, suppress
from binlint.pipeline.discover import FileKind, Target, kind_of
from binlint.pipeline.parse.chunked import outline_for
from binlint.pipeline.parse.nesting import TOO_DEEP, too_deep
from binlint.pipeline.parse.reuse import hold, is_holding, release_held, take as take_kept, take_guarded
from binlint.pipeline.pending import Pending

TOO_DEEP_TO_ANALYSE = "nested too deeply to analyse (Python's recursion limit)"

if TYPE_CHECKING:
    import libcst as cst

    from binlint.pipeline.parse.incremental import DocumentParser, PlacedLine
    from binlint.pipeline.parse.notebook import JoinedCells
    from binlint.rules.base import Report, Rule

R = TypeVar("R")


class Located(Protocol):
    """What the runner needs of a target: a path (its size orders the work)."""

    @property
    def path(self) -> str: ...


T = TypeVar("T", bound=Located)

# Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 16


class ResultCache(Protocol):
    """Where results are kept between runs (see binlint.pipeline.cache)."""

    def get(self, key: str) -> "FileResult | None": ...

    def put(self, key: str, result: "FileResult") -> None: ...


@dataclass(frozen=True)
class RunSettings:
    """Everything a worker needs to check a file; picklable."""

    config: Config
    select: tuple[str, ...] = ("BL",)
    ignore: tuple[str, ...] = ()
    warn_unused_ignores: bool = False
    # In a `--fix` run, "safe" or "unsafe" (with `--unsafe-fixes`): a check whose rules with fixes
    # find some to apply stops there (`FileResult.partial`), since the fixed text is checked again.
    fixing: str = ""
    # The project index (binlint.analysis.project.ProjectIndex), built before the checks; not
    # part of the cache key: each result is keyed on its module's own view digest instead.
    project: Any = field(default=None, compare=False, repr=False)

    def index(self) -> Any:
        """The project index, None without one; waited for while it is still being built (`Pending`)."""
        project = self.project
        return project.result() if isinstance(project, Pending) else project

    def settled(self) -> "RunSettings":
        """These settings with the project index built (what worker processes are handed)."""
        return replace(self, project=self.index()) if isinstance(self.project, Pending) else self

    def view_digest(self, path: str, kind: FileKind) -> str:
        """The digest of what the project index can tell the check of `path` ("" for nothing: the
        index holds Python modules only, so no other file waits for it)."""
        if kind is not FileKind.PYTHON:
            return ""
        index = self.index()
        if index is None:
            return ""
        view = index.view(path)
        return view.digest if view is not None else ""

    def enabled_codes(self, path: str) -> frozenset[str]:
        from binlint.rules import all_rules, is_selected

        ignore = self.ignore + self._per_file_ignores(path)
        return frozenset(rule.code for rule in all_rules() if is_selected(rule.code, self.select, ignore))

    def code_enabled(self, code: str, path: str) -> bool:
        from binlint.rules import is_selected

        return is_selected(code, self.select, self.ignore + self._per_file_ignores(path))

    def _per_file_ignores(self, path: str) -> tuple[str, ...]:
        if not self.config.per_file_ignores:
            return ()
        absolute = Path(os.path.abspath(path))
        try:
            relative = absolute.relative_to(self.config.root.resolve()).as_posix()
        except ValueError:
            relative = path
        codes: list[str] = []
        for pattern, ignored in self.config.per_file_ignores:
            if fnmatch(relative, pattern) or fnmatch(os.path.basename(path), pattern) or fnmatch(path, pattern):
                codes.extend(ignored)
        return tuple(codes)

    def cache_key(self) -> str:
        from binlint import __version__

        return f"{__version__}|{self.config.cache_key()}|{self.select}|{self.ignore}|{self.warn_unused_ignores}"


@dataclass
class FileResult:
    """What checking one file gave."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    parsed: bool = False
    skipped: str | None = None  # why the file was not checked
    errors: list[str] = field(default_factory=list)  # internal errors (exit status 2)
    digest: str | None = field(default=None, compare=False, repr=False)  # content_digest() of the bytes checked
    # Only the rules with fixes ran: they found fixes `RunSettings.fixing` applies (never cached or reported).
    partial: bool = False


def content_digest(data: bytes) -> str:
    """What tells one content from another (for a result to be used again on the same bytes)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# --- the pipeline -------------------------------------------------------------------


def check_target(target: Target, settings: RunSettings) -> FileResult:
    """Read and check one file; every failure becomes part of the result."""
    loaded = read_target(target, settings)
    if isinstance(loaded, FileResult):
        return loaded
    result = check_bytes(loaded, target.path, target.kind, settings)
    result.digest = content_digest(loaded)
    return result


def read_target(target: Target, settings: RunSettings) -> "bytes | FileResult":
    """The bytes of one file, or the result that says why it cannot be checked."""
    path = target.path
    limit = settings.config.max_file_size
    try:
        data, info = read_regular(path, limit)
    except FileNotFoundError:
        return FileResult(path, skipped="vanished before it could be read")
    except IsADirectoryError:
        return FileResult(path, skipped="is a directory")
    except OSError as exc:
        return FileResult(path, skipped=f"cannot read: {exc.strerror or exc}")
    if data is None:
        if not stat.S_ISREG(info.st_mode):
            return FileResult(path, skipped="is a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file")
        return FileResult(path, skipped=f"larger than max-file-size ({info.st_size:,} > {limit:,} bytes)")
    if len(data) > limit:
        return FileResult(path, skipped="grew past max-file-size while being read")
    return data


def read_regular(path: str, limit: int | None = None) -> tuple[bytes | None, os.stat_result]:
    """(the bytes of the regular file at `path`, its stat); None for the bytes when it is not a
    regular file or is larger than `limit` (then at most `limit` + 1 bytes are read). Raises OSError.

    Non-blocking, and checked on the open handle: a FIFO or device put where a file was
    found must not hang the run, or feed it endless bytes.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with open(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or (limit is not None and info.st_size > limit):
            return None, info
        return handle.read(-1 if limit is None else limit + 1), info


BINARY_PYTHON = "binary content (NUL bytes) in a Python file"


def quick_result(data: bytes, path: str, kind: FileKind, settings: RunSettings | None = None) -> FileResult | None:
    """The result of a file the gate rejects (no rule can fire on it), or of a Python file
    that cannot be Python (NUL bytes: skipped with a note, Binance content or not); None
    when it needs checking.

    A module Binance code imports (the project index pulled it in) is checked whatever its bytes;
    only a Python file waits for the index to say so."""
    if kind is FileKind.PYTHON and b"\x00" in data:
        return FileResult(path, skipped=BINARY_PYTHON)
    if gate.worth_parsing(data):
        return None
    if kind is FileKind.PYTHON and settings is not None:  # only Python modules can be imported (pulled)
        index = settings.index()
        if index is not None and index.is_pulled(path):
            return None
    return FileResult(path)


def check_bytes(data: bytes, path: str, kind: FileKind, settings: RunSettings,
                parser: "DocumentParser | None" = None) -> FileResult:
    """Check the content of one file (or of stdin, named `path`); `parser` re-parses an edited
    document incrementally (the language server keeps one per open document)."""
    quick = quick_result(data, path, kind, settings)
    if quick is not None:
        return quick
    if suppress.skips_file(data):
        return FileResult(path, skipped="`# binlint: skip-file`")
    if kind is not FileKind.TEXT and len(data) > settings.config.max_parse_size:
        code = _code_size(data)
        if code > settings.config.max_parse_size:
            return _too_large_to_parse(data, code, path, settings)
    # A syntax tree is millions of young objects: the cyclic garbage collector would scan
    # the growing tree again and again (a third of the run). It waits until the file is
    # done, then one young-generation pass frees the file's cycles (memory stays flat).
    pause_gc = gc.isenabled()
    if pause_gc:
        gc.disable()
    # A tree `--fix` holds past the check would be in that pass, scanned for nothing: it is set
    # aside (frozen) once parsed, and joins the oldest generation after the pass.
    set_aside = pause_gc and is_holding()
    if kind is not FileKind.TEXT:
        from binlint.analysis import carry

        carry.carry_over(parser is not None)  # only the editor's next version of a document shares its statements
    try:
        with _TimeLimit(settings.config.file_time_limit):
            if kind is FileKind.PYTHON:
                return _check_python(data, path, settings, parser, set_aside)
            if kind is FileKind.NOTEBOOK:
                return _check_notebook(data, path, settings)
            return _check_text(data, path, settings)
    except RecursionError:
        return FileResult(path, skipped="nested too deeply to analyse")
    except MemoryError:
        return FileResult(path, skipped="too large to analyse in memory")
    except TimeLimitExceeded:
        result = _too_slow(data, path, kind, settings)
    finally:
        if parser is None:  # only the editor's next version of a document uses what was found in this one
            kept = sys.modules.get("binlint.analysis.carry")
            if kept is not None:
                kept.release()
        if pause_gc:
            gc.collect(0)  # before resuming: resumed first, the pile of new objects would start a full collection
            if set_aside:
                gc.unfreeze()
            gc.enable()
    return result


class TimeLimitExceeded(BaseException):
    """A file took longer than `file-time-limit` (a BaseException: no `except Exception` in a rule stops it)."""


class _TimeLimit:
    """Raise TimeLimitExceeded in this thread once the process has spent `seconds` more CPU time.

    A guard against a bug, not a cost model: analysis is linear in the size of a file, and a
    file that still takes this long is reported as skipped instead of stalling the run. CPU
    time (ITIMER_VIRTUAL), so a loaded machine does not trip it; only in the main thread (signals
    go there), and a timer set by someone else is put back afterwards.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False
        self.previous: Any = None
        self.previous_timer: tuple[float, float] = (0.0, 0.0)

    def __enter__(self) -> "_TimeLimit":
        import signal
        import threading

        if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
            return self
        try:
            self.previous = signal.signal(signal.SIGVTALRM, _time_is_up)
            self.previous_timer = signal.setitimer(signal.ITIMER_VIRTUAL, self.seconds)
        except (ValueError, OSError):  # pragma: no cover - no timer here: run without one
            return self
        self.armed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.armed:
            return
        import signal

        signal.setitimer(signal.ITIMER_VIRTUAL, *self.previous_timer)
        signal.signal(signal.SIGVTALRM, self.previous if self.previous is not None else signal.SIG_DFL)


def _time_is_up(signum: int, frame: object) -> None:
    raise TimeLimitExceeded()


def _too_slow(data: bytes, path: str, kind: FileKind, settings: RunSettings) -> FileResult:
    """The result of a file whose check went past `file-time-limit`: the text scan alone, and why."""
    text = data.decode("utf-8", errors="replace")
    found = _suppressed(_text_findings(text, path, settings), text, settings, path, python=False)
    limit = settings.config.file_time_limit
    return FileResult(path, found, skipped=f"analysis took over {limit:g} s of CPU time (file-time-limit; a binlint "
                                           "bug, please report it); only the text-level key scan ran")


# Comments and string literals: many bytes, few nodes of a syntax tree (a tokenizer's view, near enough).
_LIGHT = re.compile(rb'#[^\r\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\r\n]|\\.)*"|\'(?:[^\'\\\r\n]|\\.)*\'')


def _code_size(data: bytes) -> int:
    """The bytes of `data` outside comments and string literals: what the size of its syntax tree follows."""
    return len(data) - sum(len(match) for match in _LIGHT.findall(data))


def _too_large_to_parse(data: bytes, code: int, path: str, settings: RunSettings) -> FileResult:
    """A Python file (or notebook) whose syntax tree would not fit a sane memory budget: the text scan only."""
    text, _ = _decode(data) if b"\x00" not in data else (None, "")
    if text is None:
        text = data.decode("utf-8", errors="replace")
    found = _suppressed(_text_findings(text, path, settings), text, settings, path, python=False)
    size, limit = _amount(code), _amount(settings.config.max_parse_size)
    return FileResult(path, found, skipped=f"deep analysis: {size} of code is over max-parse-size ({limit}); "
                                           "only the text-level key scan ran")


def _amount(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def _decode(data: bytes) -> tuple[str | None, str]:
    """The text of a Python file per its coding cookie or BOM, or None and why not."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return None, f"cannot decode: {exc.msg if hasattr(exc, 'msg') else exc}"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        return None, f"cannot decode as {encoding}: {type(exc).__name__}"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, encoding


def _parse(source: str, parser: "DocumentParser | None" = None
           ) -> "tuple[cst.Module | None, tuple[int, int, str] | None]":
    """The module, or (line, column, message) of the syntax error."""
    # One tree at a time: the one `--fix` held from the file checked before goes now, not before a
    # file that builds no tree (a config file, a cached result), so the fixer still splices into it.
    release_held()
    if parser is not None:
        module = parser.reparse(source)
        if module is not None:
            return module, None
    guarded = take_guarded(source) if parser is None else None  # spliced by --fix from lines that passed the guard
    if guarded is not None:
        return guarded, None
    # libcst's native parser can overflow the C stack (a crash no `except` catches).
    # A large module is parsed in pieces (`parse.chunked`): the guard's scan notes where they can start.
    outline = outline_for(source)
    deep = too_deep(source, outline)
    if deep is not None:
        return None, deep
    kept = take_kept(source) if parser is None else None  # parsed in phase one (a helper module), or by --fix
    if kept is not None:
        return kept, None
    import libcst as cst

    from binlint.pipeline.parse.chunked import parse_in_pieces

    try:
        return (parser.parse(source, outline) if parser is not None else parse_in_pieces(source, outline)), None
    except cst.ParserSyntaxError as exc:
        return None, _syntax_error_position(source, str(exc.message))
    except cst.CSTValidationError as exc:  # bytes next to text (`b"a" "b"`): Python places it
        return None, _syntax_error_position(source, str(exc))
    except RecursionError:
        return None, (1, 1, "nested too deeply to parse")
    except Exception as exc:  # libcst raises a few other types on odd input
        return None, (1, 1, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "))


def _syntax_error_position(source: str, libcst_message: str) -> tuple[int, int, str]:
    """Where the syntax error is: Python's own parser places it better than libcst's."""
    import ast
    import re
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except SyntaxError as exc:
        return max(exc.lineno or 1, 1), max(exc.offset or 1, 1), exc.msg
    except (RecursionError, MemoryError, ValueError):
        pass
    match = re.search(r"error at (\d+):(\d+): (.*)", libcst_message)
    if match:
        return int(match.group(1)) or 1, int(match.group(2)) + 1, match.group(3).splitlines()[0]
    return 1, 1, libcst_message.splitlines()[0] if libcst_message else "syntax error"


def _check_python(data: bytes, path: str, settings: RunSettings, parser: "DocumentParser | None" = None,
                  set_aside: bool = False) -> FileResult:
    """`set_aside`: freeze what the collector tracks once the module is parsed (`check_bytes`)."""
    text, why = _decode(data)
    if text is None:
        return _unparsable(data.decode("utf-8", errors="replace"), path, settings, 1, 1, why)
    module, error = _parse(text, parser)
    if set_aside and module is not None:
        gc.freeze()
    if module is None:
        assert error is not None
        line, column, message = error
        why = message if message.startswith(TOO_DEEP) else f"not valid Python 3: {message}"
        return _unparsable(text, path, settings, line, column, why)
    enough = None
    suppressions: list[suppress.Suppression] | None = None  # read by `enough`, when it needs them
    if settings.fixing and parser is None:
        unsafe = settings.fixing == "unsafe"

        def enough(found: list[Finding]) -> bool:  # the fixer will apply some: it checks the fixed text again
            nonlocal suppressions
            wanted = [f for f in found if f.fix.wanted(unsafe)]
            if not wanted:
                return False
            suppressions = suppress.parse(text, python=True)
            return bool(suppress.apply(wanted, suppressions))

    try:
        findings, errors, lines, partial = _run_rules(module, text, path, settings, enough)
        kept = _suppressed(findings, text, settings, path, python=True, partial=partial, suppressions=suppressions)
    except RecursionError:  # deeper than the nesting guard foresaw: the text scan still runs
        return _unparsable(text, path, settings, 1, 1, TOO_DEEP_TO_ANALYSE)
    if parser is None and any(f.fix.edits for f in kept):
        hold(text, module, lines)  # for --fix (only while it runs): the fixer splices its edits into it
    return FileResult(path, kept, parsed=True, errors=errors, partial=partial)


def _check_notebook(data: bytes, path: str, settings: RunSettings) -> FileResult:
    from binlint.pipeline.parse import notebook

    try:
        cells = notebook.load_cells(data)
    except notebook.NotebookError as exc:
        return _unparsable(data.decode("utf-8", errors="replace"), path, settings, 1, 1, str(exc))
    joined = notebook.join(cells)
    findings: list[Finding] = []
    errors: list[str] = []
    module, error = _parse(joined.source)
    if module is not None:
        try:
            found, errors, _, _ = _run_rules(module, joined.source, path, settings)
        except RecursionError:  # deeper than the nesting guard foresaw: the text scan still runs
            module, error = None, (1, 1, TOO_DEEP_TO_ANALYSE)
        else:
            findings.extend(found)
    if module is None:
        assert error is not None
        line, column, message = error
        cell, cell_line = joined.locate(line)
        deep = message.startswith((TOO_DEEP, TOO_DEEP_TO_ANALYSE))
        why = f"cell {cell}{':' if deep else ' is not valid Python 3:'} {message}"
        bl001 = _bl001(path, settings, line, column, why)
        findings.extend(bl001)
        findings.extend(_text_findings(joined.source, path, settings))
    findings = _suppressed(findings, joined.source, settings, path, python=True)
    located = [_in_cell(f, joined) for f in findings]
    # Non-Python cells (%%bash, ...) still get the secret scan, each located in its cell.
    for each in cells:
        if not each.python and each.source.strip():
            found = _suppressed(_text_findings(each.source, path, settings), each.source, settings, path, python=False)
            located.extend(f.with_changes(cell=each.index) for f in found)
    return FileResult(path, located, parsed=module is not None, errors=errors)


def _in_cell(finding: Finding, joined: "JoinedCells") -> Finding:
    """A finding on the joined cells, placed in its cell: position, edits, and the lines its text names."""
    cell, line = joined.locate(finding.line)
    shift = finding.line - line
    edits: list[Edit] = []
    for e in finding.fix.edits:
        if e.line - shift >= 1:
            edits.append(Edit(e.line - shift, e.column, e.end_line - shift, e.end_column, e.content))
        elif (e.line, e.column) == (e.end_line, e.end_column):
            # An insertion meant for an earlier cell (`import os` at the top of the
            # notebook) goes at the top of the finding's own cell, so every edit stays
            # inside the cell it is reported in.
            edits.append(Edit(1, 1, 1, 1, e.content))
        else:
            edits = []
            break
    fix = Fix(_cell_lines(finding.fix.text, joined, cell),
              finding.fix.applicability if edits or not finding.fix.edits else Applicability.ADVICE, tuple(edits))
    return finding.with_changes(line=line, end_line=finding.end_line - shift, cell=cell, fix=fix,
                                message=_cell_lines(finding.message, joined, cell))


_LINE_IN_TEXT = re.compile(r"\bline (\d+)\b")


def _cell_lines(text: str, joined: "JoinedCells", cell: int) -> str:
    """A message's `line N` (a line of the joined cells) in the numbering of the finding's location:
    `line 12` in the same cell, `line 3 of cell 0` in another one."""
    def renumber(match: re.Match[str]) -> str:
        other, line = joined.locate(int(match.group(1)))
        return f"line {line}" if other == cell else f"line {line} of cell {other}"

    return _LINE_IN_TEXT.sub(renumber, text)


def _check_text(data: bytes, path: str, settings: RunSettings) -> FileResult:
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    findings = _text_findings(text, path, settings)
    return FileResult(path, _suppressed(findings, text, settings, path, python=False))


def _unparsable(text: str, path: str, settings: RunSettings, line: int, column: int, why: str) -> FileResult:
    findings = _bl001(path, settings, line, column, why) + _text_findings(text, path, settings)
    return FileResult(path, _suppressed(findings, text, settings, path, python=False))


def _bl001(path: str, settings: RunSettings, line: int, column: int, why: str) -> list[Finding]:
    if not settings.code_enabled("BL001", path):
        return []
    from binlint.rules import get_rule

    rule = get_rule("BL001")
    assert rule is not None
    fix_text = "Fix the syntax error or exclude the file; binlint still scanned its text for keys."
    return [
        Finding(
            path, line, column, line, column, rule.code, rule.name,
            settings.config.severity_of(rule.code, rule.severity),
            f"{why}; only the text-level secret scan ran on this file",
            Fix(fix_text, Applicability.ADVICE), fingerprint=_fingerprint(rule.code, why),
        )
    ]


def _text_findings(text: str, path: str, settings: RunSettings) -> list[Finding]:
    from binlint.pipeline import textscan
    from binlint.rules import get_rule

    lines = text.splitlines()
    findings = []
    for code, report in textscan.scan_text(text, settings.config):
        rule = get_rule(code)
        if rule is None or not settings.code_enabled(code, path):
            continue
        findings.append(_finding(rule, report, path, settings, lines, None))
    return findings


def _run_rules(module: "cst.Module", text: str, path: str, settings: RunSettings,
               enough: "Callable[[list[Finding]], bool] | None" = None
               ) -> "tuple[list[Finding], list[str], list[PlacedLine], bool]":
    """The findings, the rules' internal errors, where the analysis placed simple statement lines
    (for `--fix`, when a finding has edits: the fixer finds the lines its edits fall in there), and
    whether only some rules ran.

    With `enough`, the rules whose fixes `settings.fixing` applies run first, and the others only when
    `enough(findings so far)` is false: a `--fix` run checks the fixed text again anyway."""
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel
    from binlint.rules import all_rules

    enabled = settings.enabled_codes(path)
    index = settings.index()  # built meanwhile in a child process, in a run that checks in this one
    view = index.view(path) if index is not None else None
    analysis = Analysis(ModuleModel(module, path, text, view), settings.config)
    lines = text.splitlines()
    findings: list[Finding] = []
    errors: list[str] = []
    rules = [rule for rule in all_rules() if rule.code in enabled]
    passes = [rules]
    if enough is not None:
        unsafe = settings.fixing == "unsafe"
        passes = [[r for r in rules if r.fixes_applied(unsafe)], [r for r in rules if not r.fixes_applied(unsafe)]]
    partial = False
    try:
        for number, rules in enumerate(passes):
            if number and enough is not None and enough(findings):
                partial = True
                break
            for rule in rules:
                try:
                    if rule.binance_only and not analysis.is_binance:
                        continue
                    for report in rule().check(analysis):
                        findings.append(_finding(rule, report, path, settings, lines, analysis))
                except RecursionError:
                    raise  # too deep for any rule: the caller falls back to BL001 and the text scan
                except Exception as exc:  # a rule bug must not stop the run
                    errors.append(f"{path}: internal error in {rule.code} ({type(exc).__name__}: {exc})")
        placed: list[PlacedLine] = []
        if is_holding() and any(f.fix.edits for f in findings):
            from binlint.pipeline.parse.incremental import placed_lines

            model = analysis.model
            placed = placed_lines(module, model.placed_lines(), model.tree.parent)
    finally:
        analysis.release()
    return findings, errors, placed, partial


def _finding(
    rule: "type[Rule]", report: "Report", path: str, settings: RunSettings, lines: list[str], analysis: object
) -> Finding:
    if report.span is not None:
        line, column, end_line, end_column = report.span
    else:
        assert analysis is not None and report.node is not None
        position = analysis.model.position(report.node)  # type: ignore[attr-defined]
        line, column = position.start.line, position.start.column + 1
        end_line, end_column = position.end.line, position.end.column + 1
    default = report.severity if report.severity is not None else rule.severity
    severity = settings.config.severity_of(rule.code, default)
    snippet = " ".join(" ".join(lines[max(line - 1, 0): min(end_line, line + 4)]).split())
    return Finding(
        path, line, column, end_line, end_column, rule.code, rule.name, severity, report.message,
        Fix(report.fix_text, report.applicability, report.edits),
        fingerprint=_fingerprint(rule.code, snippet), secrets=report.secrets,
    )


def _fingerprint(code: str, snippet: str) -> str:
    return hashlib.sha256(f"{code}\0{snippet}".encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _suppressed(findings: list[Finding], text: str, settings: RunSettings, path: str, *, python: bool,
                partial: bool = False, suppressions: "list[suppress.Suppression] | None" = None) -> list[Finding]:
    """The findings no suppression covers, sorted; with `warn-unused-ignores`, BL002 for the unused
    suppressions (not after a `partial` check: the rules that did not run may use them).
    `suppressions`: those of `text`, when read already (what they covered so far stays marked)."""
    if not findings and not settings.warn_unused_ignores:
        return findings
    if suppressions is None:
        suppressions = suppress.parse(text, python=python)
    kept = suppress.apply(findings, suppressions)
    if settings.warn_unused_ignores and not partial and settings.code_enabled("BL002", path):
        kept.extend(_unused_findings(suppress.unused(suppressions), path, settings))
    return sorted(kept, key=lambda f: f.sort_key)


def _unused_findings(unused: list[suppress.Suppression], path: str, settings: RunSettings) -> list[Finding]:
    from binlint.rules import get_rule

    rule = get_rule("BL002")
    if rule is None:
        return []
    return [
        Finding(
            path, s.line, 1, s.line, 1, rule.code, rule.name, settings.config.severity_of(rule.code, rule.severity),
            f"`{s.text}` suppresses nothing on this line",
            Fix("Remove the suppression comment, or name the code it is meant to silence.", Applicability.ADVICE),
            fingerprint=_fingerprint(rule.code, s.text),
        )
        for s in unused
    ]


# --- the runner -----------------------------------------------------------------------

_WORKER_SETTINGS: RunSettings | None = None
_WORKER_CHECK: "Callable[[Any, RunSettings], Any]" = check_target


def _init_worker(settings: RunSettings, check: "Callable[[Any, RunSettings], Any]" = check_target) -> None:
    global _WORKER_SETTINGS, _WORKER_CHECK
    _WORKER_SETTINGS = settings
    _WORKER_CHECK = check


def _check_in_worker(target: Located) -> Any:
    assert _WORKER_SETTINGS is not None
    return _WORKER_CHECK(target, _WORKER_SETTINGS)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def map_targets(check: "Callable[[T, RunSettings], R]", targets: list[T], settings: RunSettings,
                jobs: int | None = None) -> Iterator[R]:
    """`check(target, settings)` for every target, in order, on up to `jobs` processes.

    `check` must be a module-level function (workers are handed it by name). The
    largest files go out first, one at a time, so one big file does not hold up a
    worker's whole batch at the end of the run.
    """
    jobs = default_jobs() if jobs is None or jobs <= 0 else jobs

    def size(index: int) -> int:
        try:
            return os.path.getsize(targets[index].path)
        except OSError:
            return 0

    results: list[Any] = [None] * len(targets)
    if jobs == 1 or len(targets) < PARALLEL_THRESHOLD:
        if not is_holding() or len(targets) < 2:
            for target in targets:
                yield check(target, settings)
            return
        # `--fix` splices its edits into the tree of the file checked last (it holds one tree at a
        # time): the largest file goes last, the one whose second parse would cost the most.
        for index in sorted(range(len(targets)), key=size):
            results[index] = check(targets[index], settings)
        yield from results
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    settings = settings.settled()  # built before the workers start: they are handed the index itself
    order = sorted(range(len(targets)), key=size, reverse=True)
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(settings, check)) as pool:
        for index, result in zip(order, pool.map(_check_in_worker, [targets[i] for i in order])):
            results[index] = result
    yield from results


def run(targets: list[Target], settings: RunSettings, jobs: int | None = None) -> Iterator[FileResult]:
    """Check every target, in order: files the gate rejects right here, the rest on up to `jobs` processes."""
    if jobs == 1 or len(targets) < PARALLEL_THRESHOLD:
        yield from map_targets(check_target, targets, settings, 1)
        return
    quick: list[FileResult | None] = []
    heavy: list[Target] = []
    for target in targets:
        loaded = read_target(target, settings)
        result = loaded if isinstance(loaded, FileResult) else quick_result(loaded, target.path, target.kind, settings)
        quick.append(result)
        if result is None:
            heavy.append(target)
    checked = map_targets(check_target, heavy, settings, jobs)
    for result in quick:
        yield result if result is not None else next(checked)


def check_stdin(data: bytes, name: str | None, settings: RunSettings) -> FileResult:
    """Check source given on stdin; `name` (from --stdin-filename) sets its kind and path."""
    path = name or "-"
    kind = kind_of(name, explicit=True) if name else FileKind.PYTHON
    return check_bytes(data, path, kind or FileKind.PYTHON, settings)


def all_findings(results: Iterable[FileResult]) -> list[Finding]:
    return [finding for result in results for finding in result.findings]
