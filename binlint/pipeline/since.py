"""`--since REF`: keep only findings on lines added or changed since a git ref.

Git itself says what changed: `git diff --unified=0 REF -- FILE` against the working
tree, whose hunk headers (`@@ -a,b +c,d @@`) name the new lines. A file git does not
track is new, so all of its lines count. In a notebook the lines are a cell's, not
the .ipynb file's: its cells are compared with the cells at REF instead.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
from collections import defaultdict
from pathlib import Path

from binlint.model import Finding

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


class SinceError(Exception):
    """Not a git repository, or a ref git does not know; the CLI exits 2."""


def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise SinceError("--since needs git, and no `git` command was found") from None
    except subprocess.TimeoutExpired:
        raise SinceError(f"`git {' '.join(args)}` took longer than 120 s") from None


def repository_root(folder: str) -> str:
    """The top folder of the git work tree holding `folder`."""
    done = _git(["rev-parse", "--show-toplevel"], folder)
    if done.returncode != 0:
        raise SinceError(f"--since needs a git repository, and {os.path.abspath(folder)} is not in one")
    return os.fsdecode(done.stdout.rstrip(b"\n"))


def verify_ref(ref: str, root: str) -> str:
    """The commit `ref` names; SinceError when git does not know it."""
    if ref.startswith("-"):
        raise SinceError(f"--since: {ref!r} is not a git ref")
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], root)
    if done.returncode != 0:
        raise SinceError(f"--since: unknown git ref {ref!r} (a branch, tag or commit, like main or HEAD~3)")
    return done.stdout.decode().strip()


def added_lines(diff: bytes) -> set[int]:
    """The new-side line numbers of every hunk of a `--unified=0` diff."""
    lines: set[int] = set()
    for match in _HUNK.finditer(diff):
        start = int(match.group(1))
        count = int(match.group(2)) if match.group(2) is not None else 1
        lines.update(range(start, start + count))
    return lines


def _tracked(paths: list[str], root: str) -> set[str]:
    """Which of `paths` (absolute) git tracks."""
    tracked: set[str] = set()
    for start in range(0, len(paths), 500):  # keep each command line short
        done = _git(["ls-files", "-z", "--full-name", "--", *paths[start:start + 500]], root)
        if done.returncode != 0:
            raise SinceError(f"git ls-files failed: {done.stderr.decode(errors='replace').strip()}")
        tracked.update(os.path.realpath(os.path.join(root, os.fsdecode(name)))
                       for name in done.stdout.split(b"\0") if name)
    return tracked


def _changed_in_file(path: str, commit: str, root: str) -> set[int]:
    done = _git(["-c", "core.quotepath=off", "diff", "--no-color", "--no-ext-diff", "--no-renames", "--text",
                 "--unified=0", commit, "--", path], root)
    if done.returncode != 0:
        raise SinceError(f"git diff failed for {path}: {done.stderr.decode(errors='replace').strip()}")
    return added_lines(done.stdout)


def _changed_in_notebook(path: str, commit: str, root: str) -> dict[int, set[int]] | None:
    """Changed lines per cell of a tracked notebook; None when its cells cannot be read."""
    from binlint.pipeline.parse import notebook

    relative = Path(os.path.relpath(path, root)).as_posix()
    old = _git(["show", f"{commit}:{relative}"], root)
    try:
        new_cells = notebook.load_cells(Path(path).read_bytes())
        old_cells = notebook.load_cells(old.stdout) if old.returncode == 0 else []
    except (OSError, notebook.NotebookError):
        return None
    old_lines = [line for cell in old_cells for line in cell.source.splitlines()]
    new_lines = [(cell.index, number, line) for cell in new_cells
                 for number, line in enumerate(cell.source.splitlines(), start=1)]
    matcher = difflib.SequenceMatcher(None, old_lines, [line for _, _, line in new_lines], autojunk=False)
    changed: dict[int, set[int]] = defaultdict(set)
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            for cell, number, _ in new_lines[start:end]:
                changed[cell].add(number)
    return changed


def only_changed(findings: list[Finding], ref: str) -> list[Finding]:
    """The findings that touch a line added or changed since `ref`."""
    paths = sorted({os.path.realpath(f.path) for f in findings})
    folder = os.path.commonpath([os.path.dirname(p) for p in paths]) if paths else os.getcwd()
    while folder and not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    root = repository_root(folder or os.getcwd())
    commit = verify_ref(ref, root)
    if not findings:
        return []
    tracked = _tracked(paths, root)
    lines: dict[str, set[int]] = {}
    cells: dict[str, dict[int, set[int]] | None] = {}
    kept = []
    for finding in findings:
        path = os.path.realpath(finding.path)
        if path not in tracked:
            kept.append(finding)  # new to git: every line is new
            continue
        span = set(range(finding.line, max(finding.end_line, finding.line) + 1))
        if finding.cell is not None:
            if path not in cells:
                cells[path] = _changed_in_notebook(path, commit, root)
            changed_cells = cells[path]
            if changed_cells is None or span & changed_cells.get(finding.cell, set()):
                kept.append(finding)
            continue
        if path not in lines:
            lines[path] = _changed_in_file(path, commit, root)
        if span & lines[path]:
            kept.append(finding)
    return kept
