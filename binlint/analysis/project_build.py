"""Building the project index: phase one of a run.

Building the index (`build_index`) is phase one of a run: every gated Python file below the
project root (the folder holding pyproject.toml or .git above the checked paths, excludes
honoured) is summarised, plus the modules Binance modules import (transitively) even when
their bytes mention no Binance word. Summaries are cached by content hash in the cache
folder, so a warm run re-summarises only changed files.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from binlint.analysis.binance import is_sdk_module
from binlint.analysis.summaries import FORMAT as SUMMARY_FORMAT
from binlint.analysis.summaries import ModuleSummary, summarise
from binlint.analysis.helper_index import attach as attach_helpers  # also registers its summariser

if TYPE_CHECKING:
    from binlint.analysis.project import ProjectIndex

def find_root(paths: list[str]) -> str | None:
    """The folder holding pyproject.toml, binlint.toml or .git above (or at) the checked paths;
    with none of those, the folder the checked paths have in common (a bot copied out of its
    repository is still one project)."""
    real = [os.path.abspath(p) for p in paths if p != "-"]
    if not real:
        return None
    start = os.path.commonpath(real)
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    current = start
    while True:
        if os.path.exists(os.path.join(current, "pyproject.toml")) or os.path.exists(os.path.join(current, ".git")) \
                or os.path.exists(os.path.join(current, "binlint.toml")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return start
        current = parent


@dataclass
class IndexStats:
    """What building the index did (for benchmarks and tests)."""

    files: int = 0  # Python files seen
    summarised: int = 0  # summaries computed this run (the rest came from the cache)
    gated: int = 0  # files whose bytes passed the gate
    pulled: int = 0  # modules summarised because Binance modules import them
    helpers: int = 0  # modules read with libcst for their request helpers (others import them)
    digests_reused: bool = False  # the modules' import digests came from the last run (nothing changed)


LAST_STATS = IndexStats()


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused (the whole index pass, and each file read): a syntax
    tree is many young objects, and full collections would scan every summary kept so far
    again and again (the pass would grow faster than the project). A young-generation pass
    after each file frees its cycles (a libcst model has some), so memory stays flat; each
    object is scanned there once, then kept in an older generation no pass revisits."""
    pause = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause:
            gc.enable()
        gc.collect(0)


def _summary_entry(path: str, root: str, data: bytes, gated: bool) -> ModuleSummary | None:
    from binlint.analysis.project import module_name

    name, is_package = module_name(path, root)
    with gc_paused():
        return summarise(data, name, is_package, gated)


def build_index(root: str, config: Any, extra_paths: Iterable[str] = (), use_cache: bool = True,
                jobs: int | None = None, walk: bool = True) -> "ProjectIndex":
    """Phase one: summarise the project's gated Python modules (and what Binance modules import)."""
    with gc_paused():
        return _build_index(root, config, extra_paths, use_cache, jobs, walk)


def _build_index(root: str, config: Any, extra_paths: Iterable[str], use_cache: bool, jobs: int | None,
                 walk: bool) -> "ProjectIndex":
    from binlint.analysis.project import ProjectIndex, imported_modules, module_name
    from binlint.analysis.summaries import SummaryMap
    from binlint.pipeline import gate
    from binlint.pipeline.discover import FileKind, discover

    stats = IndexStats()
    targets = discover([root], config)[0] if walk else []
    files = [t.path for t in targets if t.kind is FileKind.PYTHON]
    seen = {os.path.abspath(p) for p in files}
    for extra in extra_paths:
        if extra.endswith((".py", ".pyw", ".pyi")) and os.path.abspath(extra) not in seen:
            files.append(extra)
            seen.add(os.path.abspath(extra))
    stats.files = len(files)
    store = _SummaryStore(root, config) if use_cache else None
    summaries = SummaryMap()  # path -> summary; those from the cache are read when first used
    rejected: dict[str, list[Any]] = {}  # module -> [path, the names it imports (None: not read yet)]
    limit = getattr(config, "max_file_size", 10 * 1024 * 1024)
    stored: dict[str, tuple[Any, ...]] = {}  # path -> what the cache holds for it (all of it: a warm run)

    def load(path: str, want_gated_only: bool) -> None:
        cached = store.get(path) if store is not None else None
        if cached is not None:
            stored[path] = cached
            gated, payload, imported, fingerprint = cached
            if not gated and want_gated_only:
                rejected[module_name(path, root)[0]] = [path, imported]
                return
            if isinstance(payload, str):
                summaries.put_stored(path, payload, fingerprint, module_name(path, root)[0])
                stats.gated += gated
                return
        try:
            from binlint.pipeline.engine import read_regular

            data, _info = read_regular(path, limit)
        except OSError:
            return
        if data is None or b"\x00" in data:
            return
        gated = gate.worth_parsing(data)
        if not gated and want_gated_only:
            if store is not None:
                store.put(path, data, [False, None, None, None])  # the imports are read when needed
            rejected[module_name(path, root)[0]] = [path, None]
            return
        stats.gated += gated
        if want_gated_only and batch is not None:
            batch.append((path, data))  # summarised together, on the process pool when there are many
            return
        summarised(path, data, gated, _summary_entry(path, root, data, gated))

    def summarised(path: str, data: bytes, gated: bool, summary: ModuleSummary | None) -> None:
        stats.summarised += 1
        if store is not None:  # the JSON form is made only to be stored
            payload = None if summary is None else summary.stored_text()
            fingerprint = None if summary is None else summary.fingerprint()
            store.put(path, data, [gated, payload, [] if gated else list(_imported_names(data)), fingerprint])
        if summary is not None:
            summaries[path] = summary

    batch: list[tuple[str, bytes]] | None = []
    for path in files:
        load(path, True)
    pending, batch = batch or [], None
    for (path, data), summary in zip(pending, _summarise_all(pending, root, jobs)):
        summarised(path, data, True, summary)
    # Nothing changed since the last run: the modules it pulled in are known, and no summary is read.
    outcome = store.outcome(files) if store is not None and len(stored) == len(files) else None
    if outcome is not None and all(isinstance(stored[path][1], str) for path in outcome):
        for path in outcome:
            _gated, payload, _imported, fingerprint = stored[path]
            summaries.put_stored(path, payload, fingerprint, module_name(path, root)[0])
        stats.pulled = len(outcome)
        return _finish(ProjectIndex(summaries, root, outcome), store, stats)
    pulled: list[str] = []
    forward: list[ModuleSummary] = list(summaries.values())  # modules whose imports are pulled in

    def pull(candidate: str, carries: bool) -> None:
        path = rejected.pop(candidate)[0]
        load(path, False)
        if path in summaries:
            pulled.append(path)
            if carries:
                forward.append(summaries[path])

    gated_modules = {s.module for s in summaries.values() if s.binance}
    relevant = set(gated_modules)
    while relevant and rejected:
        # Modules that import Binance modules (the client built in `exchange.py` is used here),
        # also through a package `__init__` that re-exports them...
        packages: list[str] = []
        for module, (path, imported) in list(rejected.items()):
            if imported is None:
                imported = rejected[module][1] = _imports_of(path)
            is_package = os.path.basename(path).startswith("__init__.")
            if any(_resolves_to(target, module, is_package, relevant) for target in imported):
                pull(module, True)
                if is_package:
                    packages.append(module)
        relevant = set(packages)
    tails = {module.rpartition(".")[2] for module in rejected}
    while forward and rejected:
        # ... and the modules these import and call into (one step: a helper module, a base
        # class, a generic REST client), not the whole import graph below them.
        summary = forward.pop()
        for target in imported_modules(summary):
            if tails.isdisjoint(target.split(".")):
                continue  # names no rejected module (a candidate's last part is one of the target's)
            candidate = _candidate_module(target, summary.module, summary.is_package, rejected)
            if candidate is not None:  # a package's re-exports are followed one more step
                pull(candidate, os.path.basename(rejected[candidate][0]).startswith("__init__."))
    stats.pulled = len(pulled)
    stats.helpers = attach_helpers(summaries, config, store)
    if store is not None:
        store.put_outcome(files, pulled)
    return _finish(ProjectIndex(summaries, root, pulled), store, stats)


def _finish(index: "ProjectIndex", store: "_SummaryStore | None", stats: IndexStats) -> "ProjectIndex":
    """The index with its import digests (kept from the last run when no summary changed), the store saved."""
    if store is not None:
        key = index.summaries_key()
        known = store.digests(key)
        if known is not None:
            index.use_digests(known)
            stats.digests_reused = True
        else:
            store.put_digests(key, index.digests())
        store.save()
    for name, value in vars(stats).items():  # in place: callers hold this object
        setattr(LAST_STATS, name, value)
    return index


def _imports_of(path: str) -> tuple[str, ...]:
    try:
        with open(path, "rb") as handle:
            return _imported_names(handle.read())
    except OSError:
        return ()


_IMPORT_LINE = re.compile(rb"^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import[ \t]+\(?([\w ,\t*]+)|import[ \t]+([\w., \t]+))",
                          re.MULTILINE)


def _imported_names(data: bytes) -> tuple[str, ...]:
    """The dotted names a file's import lines name (read from bytes: no parse for rejected files)."""
    names: list[str] = []
    for match in _IMPORT_LINE.finditer(data):
        base, members, plain = match.groups()
        try:
            if base is not None:
                module = base.decode("ascii")
                names.append(module)
                for member in members.decode("ascii").split(","):
                    member = member.split()[0] if member.split() else ""
                    if member and member != "*":
                        names.append(f"{module}.{member}" if not module.endswith(".") else module + member)
            elif plain is not None:
                for item in plain.decode("ascii").split(","):
                    item = item.split()[0] if item.split() else ""
                    if item:
                        names.append(item)
        except UnicodeDecodeError:
            continue
    return tuple(dict.fromkeys(names))


def _resolves_to(target: str, importer: str, is_package: bool, modules: set[str]) -> bool:
    if target.startswith("."):
        from binlint.analysis.summaries import _absolute

        level = len(target) - len(target.lstrip("."))
        target = _absolute(importer, is_package, level, target[level:] or None)
    return _candidate_module(target, importer, is_package, modules) is not None


# Below this many files to summarise, a process pool costs more than it saves.
PARALLEL_SUMMARIES = 48


def _summarise_all(pending: list[tuple[str, bytes]], root: str, jobs: int | None
                   ) -> list[ModuleSummary | None]:
    """The summaries of gated files, in order: on the process pool when there are many."""
    from binlint.pipeline.engine import default_jobs

    workers = default_jobs() if jobs is None or jobs <= 0 else jobs
    if workers == 1 or len(pending) < PARALLEL_SUMMARIES:
        return [_summary_entry(path, root, data, True) for path, data in pending]
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    order = sorted(range(len(pending)), key=lambda i: len(pending[i][1]), reverse=True)
    results: list[ModuleSummary | None] = [None] * len(pending)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        done = pool.map(_summary_of_file, [(pending[i][0], root) for i in order], chunksize=4)
        for index, payload in zip(order, done):
            results[index] = payload
    return results


def _summary_of_file(job: tuple[str, str]) -> ModuleSummary | None:
    """A worker's summary of one gated file (read again there: bytes are not shipped to workers)."""
    path, root = job
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return _summary_entry(path, root, data, True)


def _candidate_module(target: str, importer: str, is_package: bool, rejected: Any) -> str | None:
    for name in _candidate_names(target, importer, is_package):
        if name in rejected:
            return name
    return None


@functools.lru_cache(maxsize=65536)
def _candidate_names(target: str, importer: str, is_package: bool) -> tuple[str, ...]:
    """The modules an import of `target` in `importer` may name, the likeliest first."""
    parts = target.split(".")
    package = importer.split(".") if importer else []
    if not is_package:
        package = package[:-1]
    prefixes = [".".join(package[:i]) for i in range(len(package), -1, -1)]
    if parts and is_sdk_module(parts[0]):
        from binlint.analysis.project import OWN

        prefixes.append(OWN)  # the project's own `binance/` package
    return tuple(".".join(filter(None, [prefix, *parts[:end]]))
                 for prefix in prefixes for end in range(len(parts), 0, -1))


class _SummaryStore:
    """Summaries by path, trusted by stat or content hash (in the result cache's folder)."""

    def __init__(self, root: str, config: Any) -> None:
        from binlint.pipeline import cache

        self._cache = cache
        key = f"summaries|{SUMMARY_FORMAT}|{cache.code_fingerprint()}|{root}"
        folder = Path(getattr(config, "root", root)) / cache.CACHE_DIR / f"summaries-v{SUMMARY_FORMAT}"
        self.index = cache.Index(folder, key)
        # Beside the files' entries (kept while the root exists): the digests of the last run's summaries,
        # and the modules it pulled in.
        self._digests_entry = f"{os.path.abspath(root)}\0digests"
        self._outcome_entry = f"{os.path.abspath(root)}\0pulled"
        self._states: dict[str, tuple[Any, ...]] = {}  # absolute path -> (gated, imported, fingerprint) stored

    def _files_key(self, files: list[str]) -> str:
        """A hash of what the store holds for each file (the inputs of the pull-in step)."""
        hasher = hashlib.blake2b(digest_size=16)
        for path in files:
            hasher.update(f"{path}\0{self._states.get(os.path.abspath(path))!r}\0".encode())
        return hasher.hexdigest()

    def outcome(self, files: list[str]) -> list[str] | None:
        """The modules the last run pulled in, if it had these files with these summaries."""
        entry = self.index.entries.get(self._outcome_entry)
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], list)):
            return None
        known = set(files)
        if entry[0] == self._files_key(files) and all(isinstance(p, str) and p in known for p in entry[1]):
            return entry[1]
        return None

    def put_outcome(self, files: list[str], pulled: list[str]) -> None:
        self.index.entries[self._outcome_entry] = self.index.changed[self._outcome_entry] = [
            self._files_key(files), list(pulled)]

    def get(self, path: str) -> tuple[bool, Any, tuple[str, ...] | None, str | None] | None:
        found = self._get(path)
        if found is not None:
            self._states[os.path.abspath(path)] = (found[0], found[2], found[3])
        return found

    def _get(self, path: str) -> tuple[bool, Any, tuple[str, ...] | None, str | None] | None:
        """(gated, the summary's JSON, the names a rejected file imports, the summary's fingerprint)."""
        stat = self._cache._stat(path)
        if stat is None:
            return None
        encoded, trusted, stored_hash = self.index.lookup(os.path.abspath(path), stat[0])
        if encoded is None or not isinstance(encoded, list) or len(encoded) != 4 or not (
                encoded[2] is None or isinstance(encoded[2], list) and all(isinstance(n, str) for n in encoded[2])):
            return None
        imported = None if encoded[2] is None else tuple(encoded[2])
        fingerprint = encoded[3] if isinstance(encoded[3], str) else None
        if trusted:
            return bool(encoded[0]), encoded[1], imported, fingerprint
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if self._cache.content_hash(data) == stored_hash:
            self.index.put(os.path.abspath(path), stat[0], stat[1], stored_hash, encoded)
            return bool(encoded[0]), encoded[1], imported, fingerprint
        return None

    def put(self, path: str, data: bytes, entry: list[Any]) -> None:
        stat = self._cache._stat(path)
        if stat is None:
            return
        self._states[os.path.abspath(path)] = (bool(entry[0]), None if entry[2] is None else tuple(entry[2]), entry[3])
        self.index.put(os.path.abspath(path), stat[0], stat[1], self._cache.content_hash(data), entry)

    def digests(self, key: str) -> dict[str, str] | None:
        """The modules' digests stored by a run whose summaries had this `summaries_key`."""
        entry = self.index.entries.get(self._digests_entry)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == key and isinstance(entry[1], dict):
            return entry[1]
        return None

    def put_digests(self, key: str, digests: dict[str, str]) -> None:
        self.index.entries[self._digests_entry] = self.index.changed[self._digests_entry] = [key, digests]

    def save(self) -> None:
        self.index.save()
