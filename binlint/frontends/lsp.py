"""`binlint lsp`: a language server on stdio (pygls 2).

Diagnostics come on open and save at once, and on change after a short pause in
typing (per document). Each check runs the engine on the editor's text, not on the
file: `engine.check_bytes` with the config found from the document's folder, so
select/ignore, per-file-ignores, severity overrides and inline suppressions work as
on the command line. A baseline (initializationOptions `{"baseline": "path"}`)
hides the findings it records.

Code actions: each finding's fix (preferred when safe), "ignore this line" (adds or
extends `# binlint: ignore[CODE]`), and `source.fixAll.binlint`: what `binlint check
--fix` would write (every safe fix, in rounds, re-checked, never a text that does not
parse), as edits of the lines that change.
"""

from __future__ import annotations

import asyncio
import dataclasses
import difflib
import io
import os
import re
import tokenize
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from binlint import __version__
from binlint import config as config_module
from binlint.model import Applicability, Edit, Finding, Severity, scrub
from binlint.pipeline import baseline as baseline_module
from binlint.pipeline.discover import FileKind, kind_of
from binlint.pipeline.engine import FileResult, RunSettings, check_bytes
from binlint.pipeline.fix import fix_bytes, split_lines
from binlint.pipeline.suppress import IGNORE_COMMENT, listed_codes
from binlint.report import printable_edits

if TYPE_CHECKING:
    from binlint.pipeline.parse.incremental import DocumentParser

DEBOUNCE_SECONDS = 0.3
SOURCE = "binlint"
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.binlint"
_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# --- checking a document ----------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """The findings of one version of a document, with the text they refer to."""

    version: int | None
    text: str
    python: bool
    findings: tuple[Finding, ...]
    path: str = "untitled.py"
    parsed: bool = True


def document_kind(path: str, language_id: str | None) -> FileKind | None:
    """How to check a document; None for documents binlint does not check (notebook JSON)."""
    kind = kind_of(path)
    if kind is None:
        kind = FileKind.PYTHON if language_id == "python" else kind_of(path, explicit=True)
    return None if kind is FileKind.NOTEBOOK else kind


class Projects:
    """The project index of each workspace project, built on first use and rebuilt after a save
    (from the summary cache: only the files that changed are summarised again)."""

    def __init__(self) -> None:
        self.indexes: dict[str, Any] = {}
        self.stale: set[str] = set()

    def index_for(self, path: str, config: config_module.Config) -> Any:
        from binlint.analysis import project

        root = project.find_root([path]) if os.path.isabs(path) or os.path.exists(path) else None
        if root is None:
            return None
        if root in self.stale or root not in self.indexes:
            self.stale.discard(root)
            try:
                self.indexes[root] = project.build_index(root, config, jobs=1)  # no fork from a thread
            except Exception:  # never fatal: the document is still checked alone
                self.indexes[root] = None
        return self.indexes[root]

    def changed(self, path: str) -> str | None:
        """A file was saved: its project's index is rebuilt before the next check; its root."""
        from binlint.analysis import project

        root = project.find_root([path])
        if root is not None:
            self.stale.add(root)
        return root


PROJECTS = Projects()


def settings_for(path: str) -> tuple[RunSettings, str | None]:
    """The run settings for a document at `path` (with its project's index), and a config error
    to show, if any."""
    folder = Path(path).parent
    try:
        config = config_module.discover(folder if folder.is_dir() else Path.cwd())
        problem = None
    except config_module.ConfigError as exc:
        config, problem = config_module.Config(root=folder if folder.is_dir() else Path.cwd()), str(exc)
    index = PROJECTS.index_for(path, config) if kind_of(path, explicit=True) is FileKind.PYTHON else None
    return RunSettings(config, tuple(config.select), tuple(config.ignore), config.warn_unused_ignores,
                       project=index), problem


def check_data(data: bytes, path: str, kind: FileKind, settings: RunSettings,
               baseline: baseline_module.Baseline | None = None, parser: DocumentParser | None = None
               ) -> FileResult:
    """The engine's check of a document's content, without the findings the baseline records."""
    result = check_bytes(data, path, kind, settings, parser)
    if baseline is not None:
        result.findings = baseline.filter(result.findings)[0]
    return result


def check_text(text: str, path: str, kind: FileKind, baseline: baseline_module.Baseline | None = None,
               parser: DocumentParser | None = None) -> tuple[FileResult, str | None]:
    """(the check, config error) for the text of a document at `path`; `parser` is the document's
    incremental parser (it re-parses only what changed since its last text)."""
    settings, problem = settings_for(path)
    return check_data(text.encode("utf-8", "surrogatepass"), path, kind, settings, baseline, parser), problem


# --- positions --------------------------------------------------------------------


class Positions:
    """Turns binlint's 1-based code-point positions into LSP positions in the client's units."""

    def __init__(self, text: str, encoding: str | None) -> None:
        self.lines = _LINE_BREAK.split(text)
        self.encoding = encoding or types.PositionEncodingKind.Utf16.value

    def _units(self, text: str) -> int:
        if self.encoding == types.PositionEncodingKind.Utf8.value:
            return len(text.encode("utf-8", "surrogatepass"))
        if self.encoding == types.PositionEncodingKind.Utf32.value:
            return len(text)
        return len(text.encode("utf-16-le", "surrogatepass")) // 2

    def position(self, line: int, column: int) -> types.Position:
        index = max(line - 1, 0)
        if index >= len(self.lines):
            return types.Position(line=len(self.lines), character=0)
        text = self.lines[index]
        return types.Position(line=index, character=self._units(text[: max(column - 1, 0)]))

    def range(self, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        start = self.position(line, column)
        end = self.position(end_line, end_column)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return types.Range(start=start, end=end)

    def edit(self, edit: Edit) -> types.TextEdit:
        return types.TextEdit(range=self.range(edit.line, edit.column, edit.end_line, edit.end_column),
                              new_text=edit.content)


def diagnostic(finding: Finding, positions: Positions) -> types.Diagnostic:
    where = positions.range(finding.line, finding.column, finding.end_line, finding.end_column)
    if where.start == where.end and where.start.line < len(positions.lines):  # a point: mark the rest of the line
        line = positions.lines[where.start.line]
        where = positions.range(finding.line, finding.column, finding.line, len(line) + 1)
    return types.Diagnostic(
        range=where,
        severity=_SEVERITIES[finding.severity],
        code=finding.code,
        source=SOURCE,
        message=f"{finding.message}\nHelp: {finding.fix.text}",
        data={"name": finding.name, "fix": finding.fix.text, "applicability": finding.fix.applicability.value,
              "fixable": bool(printable_edits(finding))},
    )


# --- "ignore this line" -----------------------------------------------------------


def _python_line_facts(text: str) -> tuple[set[int], dict[int, tuple[int, str]]]:
    """(lines whose end lies inside a string or a `\\` continuation, comment per line)."""
    open_ends: set[int] = set()
    comments: dict[int, tuple[int, str]] = {}
    fstring_starts: list[int] = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        kind = token.type
        if kind == tokenize.COMMENT:
            comments[token.start[0]] = (token.start[1], token.string)
        elif kind == tokenize.STRING and token.end[0] > token.start[0]:
            open_ends.update(range(token.start[0], token.end[0]))
        elif token.type == getattr(tokenize, "FSTRING_START", -1):
            fstring_starts.append(token.start[0])
        elif token.type == getattr(tokenize, "FSTRING_END", -1) and fstring_starts:
            open_ends.update(range(fstring_starts.pop(), token.end[0]))
    for number, line in enumerate(text.splitlines(), start=1):
        if line.endswith("\\") and number not in comments:
            open_ends.add(number)
    return open_ends, comments


def ignore_edit(text: str, finding: Finding, python: bool) -> Edit | None:
    """The edit that silences `finding` with a `# binlint: ignore[CODE]` comment, if one can."""
    lines = _LINE_BREAK.split(text)
    code = finding.code
    if not python:
        if finding.path.lower().endswith(".json"):
            return None  # JSON has no comments
        # Inline comments are not comments in every format (INI values keep them): use the line above.
        line = lines[finding.line - 1] if finding.line - 1 < len(lines) else ""
        indent = line[: len(line) - len(line.lstrip())]
        return Edit(finding.line, 1, finding.line, 1, f"{indent}# binlint: ignore[{code}]\n")
    try:
        open_ends, comments = _python_line_facts(text)
    except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
        open_ends, comments = {n for n, line in enumerate(lines, 1) if line.endswith("\\")}, {}
    for number in dict.fromkeys((finding.line, finding.end_line)):
        if number in open_ends or number - 1 >= len(lines):
            continue
        line = lines[number - 1]
        if number in comments:
            column, comment = comments[number]
            match = IGNORE_COMMENT.search(comment)
            if match:
                if match.group("codes") is None:
                    return None  # a bare `# binlint: ignore` silences every code already
                codes = listed_codes(match.group("codes"))
                if code in codes:
                    return None
                at = column + match.end("codes")
                return Edit(number, at + 1, number, at + 1, f",{code}" if codes else code)
        body = line.rstrip()  # trailing blanks give way to the comment
        return Edit(number, len(body) + 1, number, len(line) + 1, f"  # binlint: ignore[{code}]")
    if finding.line - 1 in open_ends or finding.line > len(lines):
        return None
    line = lines[finding.line - 1]
    indent = line[: len(line) - len(line.lstrip())]
    return Edit(finding.line, 1, finding.line, 1, f"{indent}# binlint: ignore[{code}]\n")


# --- code actions -----------------------------------------------------------------


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def code_actions(uri: str, checked: Checked, positions: Positions, first_line: int, last_line: int,
                 only: Iterable[str] | None = None, baseline: baseline_module.Baseline | None = None
                 ) -> list[types.CodeAction]:
    """The quick fixes for findings on lines first_line..last_line (1-based), and fix-all
    (which runs the engine again: call this off the event loop)."""
    kinds = list(only) if only else None

    def wanted(kind: str) -> bool:
        return kinds is None or any(kind == k or kind.startswith(k + ".") for k in kinds)

    actions: list[types.CodeAction] = []
    if wanted(types.CodeActionKind.QuickFix.value):
        for finding in checked.findings:
            if finding.end_line < first_line or finding.line > last_line:
                continue
            diag = diagnostic(finding, positions)
            edits = printable_edits(finding)
            if edits:
                unsafe = finding.fix.applicability is not Applicability.SAFE
                actions.append(types.CodeAction(
                    title=_short(f"{finding.code}: {finding.fix.text}") + (" (unsafe fix)" if unsafe else ""),
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=not unsafe,
                    edit=types.WorkspaceEdit(changes={uri: [positions.edit(e) for e in edits]}),
                ))
            ignore = ignore_edit(checked.text, finding, checked.python)
            if ignore is not None:
                actions.append(types.CodeAction(
                    title=f"Ignore {finding.code} on this line",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=types.WorkspaceEdit(changes={uri: [positions.edit(ignore)]}),
                ))
    if kinds is not None and wanted(FIX_ALL):
        safe = fix_all_edits(checked, baseline)
        if safe:
            actions.append(types.CodeAction(
                title="binlint: fix all safely fixable problems",
                kind=FIX_ALL,
                edit=types.WorkspaceEdit(changes={uri: [positions.edit(e) for e in safe]}),
            ))
    return actions


def fix_all_edits(checked: Checked, baseline: baseline_module.Baseline | None = None) -> list[Edit]:
    """The edits that turn the document into what `binlint check --fix` would make of it."""
    kind = FileKind.PYTHON if checked.python else FileKind.TEXT
    settings, _ = settings_for(checked.path)
    # Fixes whose edits would show a key are not offered (and so not applied) here either.
    before = FileResult(checked.path, [f for f in checked.findings if printable_edits(f) or not f.fix.edits],
                        parsed=checked.parsed)
    data = checked.text.encode("utf-8", "surrogatepass")
    fixed = fix_bytes(data, checked.path, kind, settings, before=before,
                      check=lambda content: check_data(content, checked.path, kind, settings, baseline))
    if not fixed.changed:
        return []
    try:
        text = fixed.data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:  # a coding cookie the editor's text does not follow
        return []
    edits = text_edits(checked.text, text)
    if any(scrub(edit.content, fixed.secrets) != edit.content for edit in edits):
        return []
    return edits


def text_edits(old: str, new: str) -> list[Edit]:
    """Edits that turn `old` into `new`: one per run of changed lines, trimmed to what differs."""
    before, after = split_lines(old), split_lines(new)
    edits: list[Edit] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = "".join(before[i1:i2]), "".join(after[j1:j2])
        head = len(os.path.commonprefix([removed, added]))
        if head and removed[head - 1: head + 1] == "\r\n":
            head -= 1  # never split a `\r\n`
        tail = 0
        while tail < min(len(removed), len(added)) - head and removed[-1 - tail] == added[-1 - tail]:
            tail += 1
        if tail and removed[len(removed) - tail - 1: len(removed) - tail + 1] == "\r\n":
            tail -= 1
        start = _advance(i1 + 1, removed[:head])
        end = _advance(i1 + 1, removed[: len(removed) - tail])
        edits.append(Edit(*start, *end, added[head: len(added) - tail]))
    return edits


def _advance(line: int, text: str) -> tuple[int, int]:
    """The (line, column) just past `text` written from the start of `line`."""
    breaks = list(_LINE_BREAK.finditer(text))
    if not breaks:
        return line, len(text) + 1
    return line + len(breaks), len(text) - breaks[-1].end() + 1


# --- the server -------------------------------------------------------------------


class BinlintServer(LanguageServer):
    """Keeps the last check of each open document and the debounce timers."""

    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.debounce = DEBOUNCE_SECONDS
        self.baseline_path: Path | None = None
        self._baseline: tuple[float, baseline_module.Baseline] | None = None
        self.checked: dict[str, Checked] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        # One worker: checks run one at a time, so a document's parser is never used by two.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="binlint-check")
        self.parsers: dict[str, DocumentParser] = {}
        self._shown: set[str] = set()

    def configure(self, options: Any) -> None:
        """Read initializationOptions: {"baseline": "path", "debounce": seconds}."""
        if not isinstance(options, dict):
            return
        baseline = options.get("baseline")
        if isinstance(baseline, str) and baseline:
            path = Path(os.path.expanduser(baseline))
            if not path.is_absolute():
                root = self.workspace.root_path if self.workspace else None
                path = Path(root or os.getcwd()) / path
            self.baseline_path = path
        debounce = options.get("debounce")
        if isinstance(debounce, (int, float)) and not isinstance(debounce, bool) and 0 <= debounce <= 10:
            self.debounce = float(debounce)

    def show_once(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        if message not in self._shown:
            self._shown.add(message)
            self.window_show_message(types.ShowMessageParams(type=kind, message=f"binlint: {message}"))

    def baseline(self) -> baseline_module.Baseline | None:
        """The baseline, re-read when its file changes."""
        if self.baseline_path is None:
            return None
        try:
            stamp = self.baseline_path.stat().st_mtime
            if self._baseline is None or self._baseline[0] != stamp:
                self._baseline = (stamp, baseline_module.load(self.baseline_path))
        except (OSError, baseline_module.BaselineError) as exc:
            self.show_once(str(exc) if isinstance(exc, baseline_module.BaselineError)
                           else f"cannot read baseline {self.baseline_path}: {exc}")
            return None
        return self._baseline[1]

    def snapshot(self, uri: str) -> tuple[str, int | None, str, FileKind] | None:
        """(text, version, path, kind) of an open document binlint checks."""
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        path = to_fs_path(uri) or document.filename or "untitled.py"
        kind = document_kind(path, document.language_id)
        if kind is None:
            return None
        return document.source, document.version, path, kind

    async def checked_now(self, uri: str, force: bool = False) -> Checked | None:
        """The check of the document as it is now: the last one when the text is the same
        (unless `force`), else a new one on the worker thread (the server keeps answering)."""
        snapshot = self.snapshot(uri)
        if snapshot is None:
            return None
        text, version, path, kind = snapshot
        last = self.checked.get(uri)
        if last is not None and last.text == text and not force:
            return last if last.version == version else dataclasses.replace(last, version=version)
        loop = asyncio.get_running_loop()
        parser = self.parser(uri) if kind is FileKind.PYTHON else None
        result, problem = await loop.run_in_executor(self.worker, check_text, text, path, kind, self.baseline(),
                                                     parser)
        if problem:
            self.show_once(problem)
        for error in result.errors:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Warning, message=scrub(error)))
        checked = Checked(version, text, kind is FileKind.PYTHON, tuple(result.findings), path, result.parsed)
        current = self.workspace.text_documents.get(uri)
        if current is not None and current.version == version:
            self.checked[uri] = checked
        return checked

    def parser(self, uri: str) -> DocumentParser:
        """The incremental parser of an open Python document."""
        found = self.parsers.get(uri)
        if found is None:
            from binlint.pipeline.parse.incremental import DocumentParser

            found = self.parsers[uri] = DocumentParser()
        return found

    async def check_and_publish(self, uri: str, delay: float = 0.0, force: bool = False) -> None:
        if delay:
            await asyncio.sleep(delay)
        checked = await self.checked_now(uri, force)
        current = self.workspace.text_documents.get(uri)
        if checked is None or current is None or current.version != checked.version:
            return  # not checked, closed, or edited meanwhile: a newer check will publish
        positions = Positions(checked.text, self.workspace.position_encoding)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=checked.version, diagnostics=[diagnostic(f, positions) for f in checked.findings],
        ))
        parser = self.parsers.get(uri)
        if parser is not None:  # after a whole parse: ready the next edit's splice while the user reads
            await asyncio.get_running_loop().run_in_executor(self.worker, parser.prepare)

    def schedule(self, uri: str, delay: float, force: bool = False) -> None:
        """Check `uri` after `delay` seconds, replacing a check already waiting; `force` checks
        again even when the text is the one checked last (on open and save: config may have changed)."""
        previous = self.pending.pop(uri, None)
        if previous is not None and not previous.done():
            previous.cancel()
        task = asyncio.ensure_future(self.check_and_publish(uri, delay, force))
        self.pending[uri] = task
        task.add_done_callback(lambda done: self._finished(uri, done))

    def _finished(self, uri: str, task: asyncio.Task[None]) -> None:
        if self.pending.get(uri) is task:
            del self.pending[uri]
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            self.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error, message=scrub(f"binlint check failed: {type(error).__name__}: {error}"),
            ))


def create_server() -> BinlintServer:
    server = BinlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: BinlintServer, params: types.InitializeParams) -> None:
        ls.configure(params.initialization_options)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: BinlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0.0, force=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: BinlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: BinlintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = to_fs_path(uri)
        root = PROJECTS.changed(path) if path else None
        ls.schedule(uri, 0.0, force=True)
        if root is not None:  # what the saved module offers may have changed: re-check the open dependants
            for other in list(ls.workspace.text_documents):
                other_path = to_fs_path(other)
                if other != uri and other_path and os.path.abspath(other_path).startswith(root + os.sep):
                    ls.schedule(other, 0.0, force=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: BinlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.checked.pop(uri, None)
        ls.parsers.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    async def code_action(ls: BinlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        checked = await ls.checked_now(uri)
        if checked is None:
            return []
        positions = Positions(checked.text, ls.workspace.position_encoding)
        return await asyncio.get_running_loop().run_in_executor(
            ls.worker, code_actions, uri, checked, positions, params.range.start.line + 1,
            params.range.end.line + 1, params.context.only, ls.baseline())

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: BinlintServer, params: Any = None) -> None:
        for task in ls.pending.values():
            task.cancel()
        ls.worker.shutdown(wait=False, cancel_futures=True)

    return server


def serve() -> None:
    """Run the language server on stdin/stdout until the client says exit."""
    create_server().start_io()
