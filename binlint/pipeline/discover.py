"""Find the files to check: walk folders, honour .gitignore and excludes, name each file's kind."""

from __future__ import annotations

import enum
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pathspec

from binlint.config import Config


class FileKind(enum.Enum):
    PYTHON = "python"
    NOTEBOOK = "notebook"
    TEXT = "text"


TEXT_SUFFIXES = frozenset(
    {".env", ".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".txt", ".sh"}
)


# A copy of a scanned file kept as an example (`.env.example`, `config.ini.sample`): its
# values are often real keys pasted in by mistake, so it gets the text-level scan.
TEMPLATE_SUFFIXES = (".example", ".sample", ".template")


def kind_of(name: str, *, explicit: bool = False) -> FileKind | None:
    """The kind of a file by its name; None when a folder walk should pass it by.

    A file named on the command line is always checked: what is not Python or a
    notebook gets the text-level secret scan. A `.example`/`.sample`/`.template`
    suffix over a kind binlint scans is text-scanned (never parsed: it may be a template).
    """
    base = os.path.basename(name)
    lower = base.lower()
    suffix = os.path.splitext(lower)[1]
    if suffix in TEMPLATE_SUFFIXES and lower != suffix:
        return FileKind.TEXT if explicit or kind_of(base[: -len(suffix)]) is not None else None
    if suffix in (".py", ".pyi", ".pyw"):
        return FileKind.PYTHON
    if suffix == ".ipynb":
        return FileKind.NOTEBOOK
    if suffix in TEXT_SUFFIXES or lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        return FileKind.TEXT
    return FileKind.TEXT if explicit else None


@dataclass(frozen=True, slots=True)
class Target:
    """A file to check: its path as the user will see it, and its kind."""

    path: str
    kind: FileKind


@dataclass(frozen=True, slots=True)
class Skipped:
    """A path that was named but cannot be checked, and why."""

    path: str
    reason: str


class _Ignores:
    """The .gitignore files and exclude patterns in force while walking one folder.

    A pattern that excludes the folder the user named (or one of its parents) is not
    applied below it: `binlint check .venv/lib/python3.11/site-packages/binance` checks
    that folder even though `site-packages/` is excluded by default and a parent
    .gitignore may ignore `.venv`. Inside the folder, every pattern applies.
    """

    def __init__(self, config: Config, top: Path) -> None:
        self.top = top.resolve()
        root = config.root.resolve()
        self.base = root if self.top == root or root in self.top.parents else self.top
        self.excludes = self._filtered(tuple(config.exclude) + tuple(config.extend_exclude), self.base)
        self._gitignores: dict[Path, pathspec.GitIgnoreSpec | None] = {}
        self._repo_root: dict[Path, bool] = {}
        self._chains: dict[Path, tuple[tuple[Path, pathspec.GitIgnoreSpec], ...]] = {}

    def _filtered(self, lines: tuple[str, ...] | list[str], base: Path) -> pathspec.GitIgnoreSpec | None:
        relative_top = self.top.relative_to(base).as_posix() if self.top != base else ""
        kept = []
        for line in lines:
            if relative_top and line.strip() and not line.lstrip().startswith(("#", "!")):
                if pathspec.GitIgnoreSpec.from_lines([line]).match_file(relative_top + "/"):
                    continue
            kept.append(line)
        return pathspec.GitIgnoreSpec.from_lines(kept) if any(kept_line.strip() for kept_line in kept) else None

    def _gitignore(self, folder: Path) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._gitignores:
            spec = None
            try:
                lines = _read_regular(folder / ".gitignore").decode("utf-8", errors="replace").splitlines()
                spec = self._filtered(lines, folder) if folder in self.top.parents else (
                    pathspec.GitIgnoreSpec.from_lines(lines))
            except (OSError, ValueError):
                pass
            self._gitignores[folder] = spec
        return self._gitignores[folder]

    def _is_repo_root(self, folder: Path) -> bool:
        if folder not in self._repo_root:
            self._repo_root[folder] = (folder / ".git").exists()
        return self._repo_root[folder]

    def excluded(self, path: Path, is_dir: bool) -> bool:
        """Whether a path met during the walk is excluded by config or a .gitignore."""
        suffix = "/" if is_dir else ""
        if self.excludes is not None:
            if self.excludes.match_file(path.relative_to(self.base).as_posix() + suffix):
                return True
        for folder, spec in self._specs_above(path.parent):
            if spec.match_file(path.relative_to(folder).as_posix() + suffix):
                return True
        return False

    def _specs_above(self, folder: Path) -> tuple[tuple[Path, pathspec.GitIgnoreSpec], ...]:
        """The .gitignore specs from `folder` up to its repository root, nearest first (once per folder)."""
        missing: list[Path] = []  # folders whose chain is not known yet, nearest first
        current = folder
        above: tuple[tuple[Path, pathspec.GitIgnoreSpec], ...] = ()
        while True:  # a loop, not recursion: folders can nest deeper than Python recurses
            known = self._chains.get(current)
            if known is not None:
                above = known
                break
            missing.append(current)
            if self._is_repo_root(current) or current.parent == current:
                break
            current = current.parent
        for current in reversed(missing):
            spec = self._gitignore(current)
            above = self._chains[current] = (((current, spec),) if spec is not None else ()) + above
        return above


def _read_regular(path: Path, limit: int = 4 * 1024 * 1024) -> bytes:
    """The bytes of a regular file; OSError for anything else, so a FIFO never blocks the walk."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return handle.read(limit)


def unreadable(paths: list[str]) -> list[Skipped]:
    """The named paths that do not exist or cannot be read, and why: each is a usage error.

    A gate must not pass because a path was mistyped, a link dangles or a file cannot
    be opened: nothing named on the command line may go unchecked quietly.
    """
    problems: list[Skipped] = []
    for given in paths:
        why = _why_unreadable(given)
        if why is not None:
            problems.append(Skipped(given, why))
    return problems


def _why_unreadable(given: str) -> str | None:
    try:
        info = os.stat(given)
    except OSError as exc:
        if os.path.islink(given):
            return "symlink loop" if exc.errno == errno.ELOOP else "dangling symlink (its target does not exist)"
        if exc.errno == errno.ENOENT:
            return "no such file or folder"
        return f"cannot read: {exc.strerror or exc}"
    try:
        if stat.S_ISDIR(info.st_mode):
            with os.scandir(given):
                pass
        elif stat.S_ISREG(info.st_mode):
            os.close(os.open(given, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)))
        else:
            return "not a regular file or folder (read source from stdin with `-` instead)"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    return None


def discover(paths: list[str], config: Config) -> tuple[list[Target], list[Skipped]]:
    """The files below `paths` to check, in a stable order, and the paths skipped."""
    targets: list[Target] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()

    def add(target: Target) -> None:
        if target.path not in seen:
            seen.add(target.path)
            targets.append(target)

    for given in paths:
        try:
            info = os.stat(given)
        except OSError as exc:
            if os.path.islink(given):
                loop = exc.errno == errno.ELOOP
                skipped.append(Skipped(given, "symlink loop" if loop else "dangling symlink"))
            else:
                skipped.append(Skipped(given, f"cannot read: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(info.st_mode):
            for target in _walk(given, _Ignores(config, Path(given)), skipped):
                add(target)
        elif stat.S_ISREG(info.st_mode):
            kind = kind_of(given, explicit=True)
            if kind is not None:
                add(Target(given, kind))
        else:
            skipped.append(Skipped(given, "not a regular file"))
    return targets, skipped


def _why_not_a_file(path: str) -> str:
    """Why a name met in a walk that looks like a file to check is not one."""
    try:
        os.stat(path)
    except OSError as exc:
        if os.path.islink(path):
            return "symlink loop" if exc.errno == errno.ELOOP else "dangling symlink (its target does not exist)"
        return f"cannot read: {exc.strerror or exc}"
    return "not a regular file"


def _walk(top: str, ignores: _Ignores, skipped: list[Skipped]) -> Iterator[Target]:
    """Depth-first, sorted, following symlinked folders once (no loops).

    A loop over a stack of open folders, not recursion: a tree can nest deeper than
    Python's recursion limit.
    """
    visited: set[tuple[int, int]] = set()

    def entries_of(folder: str) -> Iterator[os.DirEntry[str]] | None:
        try:
            info = os.stat(folder)
        except OSError as exc:
            skipped.append(Skipped(folder, f"cannot read: {exc.strerror or exc}"))
            return None
        identity = (info.st_dev, info.st_ino)
        if identity in visited:
            return None
        visited.add(identity)
        try:
            with os.scandir(folder) as entries:
                return iter(sorted(entries, key=lambda e: e.name))
        except OSError as exc:
            skipped.append(Skipped(folder, f"cannot read: {exc.strerror or exc}"))
            return None

    first = entries_of(top)
    stack: list[tuple[str, Iterator[os.DirEntry[str]]]] = [(top, first)] if first is not None else []
    while stack:
        folder, children = stack[-1]
        entry = next(children, None)
        if entry is None:
            stack.pop()
            continue
        path = os.path.join(folder, entry.name) if folder != "." else entry.name
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError:  # a symlink loop, or a name that vanished: noted when it would be checked
            if kind_of(entry.name) is not None and not ignores.excluded(Path(os.path.abspath(path)), False):
                skipped.append(Skipped(path, _why_not_a_file(path)))
            continue
        if is_dir:
            if not ignores.excluded(Path(os.path.abspath(path)), True):
                below = entries_of(path)
                if below is not None:
                    stack.append((path, below))
            continue
        kind = kind_of(entry.name)
        if kind is None:
            continue
        if ignores.excluded(Path(os.path.abspath(path)), False):
            continue
        if not is_file:
            skipped.append(Skipped(path, _why_not_a_file(path)))
            continue
        yield Target(path, kind)
