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

import bisect
import contextlib
import difflib
import functools
import gc
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator

from binlint.pipeline.discover import FileKind, Target, kind_of
from binlint.pipeline.engine import (FileResult, RunSettings, check_bytes, check_target, content_digest, map_targets,
                                     read_regular)
from binlint.model import Finding, scrub
from binlint.pipeline.fix_documents import Document, NotebookFile, Placed, SourceFile, Unfixable, apply_edits
from binlint.pipeline.fix_documents import Lines  # noqa: F401 (kept importable from here)

MAX_ROUNDS = 10


# --- edits taken in one round ------------------------------------------------------------


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
    if not any(f.fix.wanted(unsafe) for f in before.findings):
        return outcome
    if kind is not FileKind.TEXT and not before.parsed:
        outcome.warnings.append(f"{path}: not fixed: binlint does not rewrite a file it cannot parse")
        return outcome
    with _gc_paused():
        _fix_rounds(data, path, kind, outcome, unsafe, recheck)
        if outcome.result.partial:  # fixes it found were not applied: the rules it left out run now
            outcome.result = check(outcome.data) if check is not None else _whole_check(outcome.data, path, kind,
                                                                                        settings)
            outcome.secrets.update(s for f in outcome.result.findings for s in f.secrets)
    return outcome


def _whole_check(data: bytes, path: str, kind: FileKind, settings: RunSettings) -> FileResult:
    """The check of `data` with every rule, also in a `--fix` run (see `RunSettings.fixing`)."""
    return check_bytes(data, path, kind, replace(settings, fixing=""))


def _fix_rounds(data: bytes, path: str, kind: FileKind, outcome: SourceFix, unsafe: bool,
                recheck: Callable[[bytes], FileResult]) -> SourceFix:
    """The rounds of `fix_bytes`: fix, check again, until nothing is left to fix."""
    before = outcome.before
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
        candidates = [f for f in result.findings if f.fix.wanted(unsafe) and _key(f) not in refused]
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
        settled = not any(f.fix.wanted(unsafe) and _key(f) not in refused for f in result.findings)
    if not settled:
        codes = ", ".join(sorted({f.code for f in result.findings if f.fix.wanted(unsafe)}))
        outcome.warnings.append(f"{path}: not fixed: {why} ({codes}; a binlint bug, please report it)")
        outcome.data, outcome.fixed, result = data, 0, before
    outcome.result = result
    outcome.warnings = list(dict.fromkeys(outcome.warnings))
    return outcome


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while the fixer builds texts and trees and checks them
    again: as in the check (`engine.check_bytes`), it would scan a syntax tree again and again as
    it grows. At the end one young-generation pass frees the cycles left, and only then does the
    collector resume: resumed first, the pile of objects made meanwhile would start a full
    collection at once, a scan of every tree still held (about a second for a 1.4 MB module)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.collect(0)
        gc.enable()


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
        units[unit] = apply_edits(units[unit], (e for e in edits if e.unit == unit))
    try:
        data = document.render(units)
    except Unfixable as exc:
        return document.data, str(exc)
    return data, document.problem(data, edits)


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
        kind = _stdin_kind(stdin_name)
        done: Iterable[FileFix] = (_fix_stdin(stdin_data, r, kind, settings, unsafe, diff_only, outcome)
                                   for r in results)
    else:
        todo = [i for i, r in enumerate(results) if any(f.fix.wanted(unsafe) for f in r.findings)]
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
        result = file_fix.result if file_fix.result is not None else original
        if result.partial:  # its fixes were not applied (a write refused, an internal error): check it whole
            result = _completed(result, settings, stdin_data, stdin_name)
        if result is not original:
            outcome.errors.extend(e for e in result.errors if e not in original.errors)
            outcome.results[index] = result
    outcome.diff = "".join(diffs)
    return outcome


def _completed(result: FileResult, settings: RunSettings, stdin_data: bytes | None,
               stdin_name: str | None) -> FileResult:
    """The check with every rule of the file `result` was made for (its fixes were not written, so
    it holds what was checked). A file that can no longer be read keeps what was found."""
    if stdin_data is not None:
        return _whole_check(stdin_data, result.path, _stdin_kind(stdin_name), settings)
    if not os.path.isfile(result.path):
        return replace(result, partial=False)
    return check_target(Target(result.path, kind_of(result.path, explicit=True) or FileKind.TEXT),
                        replace(settings, fixing=""))


def _stdin_kind(name: str | None) -> FileKind:
    """What stdin holds: what `--stdin-filename` names, else Python."""
    return (kind_of(name, explicit=True) if name else None) or FileKind.PYTHON


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
