"""The result cache: `.binlint_cache/` at the config root, so an unchanged file is not checked twice.

One index file per set of settings (binlint version and code, effective config,
select/ignore, config root) maps each file to what it was when it was checked — size,
mtime, ctime, inode, a content hash — and to its result. A warm run stats each file:
when the stat is unchanged (and old enough not to hide a same-tick edit, git's "racy"
case) the result is used as is; otherwise the file is read and hashed, and a matching
hash still hits. Only the files left are checked, the heavy ones on the process pool.

Safe with several binlint processes at once (pre-commit runs hooks in parallel): the
index is merged with what is on disk under a lock and replaced atomically; a corrupt
or partial index is a miss; a folder that cannot be written only means no caching.

Secrets never reach the disk. A result whose findings carry raw secret values (a
hard-coded key) is not cached at all, so its file is checked again every run and its
findings keep the values output scrubbing needs; every stored result is checked to
hold nothing key-shaped; results with internal errors are not cached either.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any, Iterator

from binlint.pipeline.discover import Target
from binlint.pipeline.engine import FileResult, RunSettings, check_bytes, map_targets, quick_result, read_target
from binlint.model import Applicability, Edit, Finding, Fix, Severity, scrub

CACHE_DIR = ".binlint_cache"
FORMAT = 1
# A stat is trusted only when the file's mtime is this much older than the moment it
# was stat'ed: an edit within the same timestamp tick could otherwise go unseen.
RACY_NS = 2_000_000_000
# Index files (one per set of settings) kept; the least recently written go first.
KEEP_INDEXES = 8

_GITIGNORE = "# Automatically created by binlint.\n*\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by binlint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _stat(path: str) -> tuple[Stat, int] | None:
    """The stat signature of `path` and the time it was taken, or None when it cannot be stat'ed."""
    now = time.time_ns()
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino), now


_CODE_FINGERPRINT: str | None = None


def code_fingerprint() -> str:
    """binlint's own code, by file name, size and mtime: an edited rule invalidates the cache
    even when the version number stays (editable installs, development)."""
    global _CODE_FINGERPRINT
    if _CODE_FINGERPRINT is None:
        _CODE_FINGERPRINT = compute_code_fingerprint()
    return _CODE_FINGERPRINT


def compute_code_fingerprint() -> str:
    root = Path(__file__).resolve().parent.parent  # the whole binlint package
    digest = hashlib.blake2b(digest_size=16)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(path, root)}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def settings_key(settings: RunSettings) -> str:
    """Everything besides a file's content and path that decides its result."""
    root = os.path.abspath(settings.config.root)
    return f"{FORMAT}|{settings.cache_key()}|{code_fingerprint()}|{root}"


# --- results to and from JSON -----------------------------------------------------------
#
# A result is 0 (nothing found, not parsed), 1 (nothing found, parsed), or
# [parsed, skipped, [finding, ...]] with a finding as a flat list. The path is not
# stored: it is the entry's own.


def encode_result(result: FileResult) -> Any | None:
    """The JSON form of a result, or None when it must not be cached."""
    if result.errors:
        return None  # internal errors are reported again on every run
    if not result.findings and result.skipped is None:
        return 1 if result.parsed else 0
    findings = []
    for f in result.findings:
        if f.secrets or f.path != result.path:
            return None
        edits = [[e.line, e.column, e.end_line, e.end_column, e.content] for e in f.fix.edits]
        findings.append([f.line, f.column, f.end_line, f.end_column, f.code, f.name, int(f.severity), f.message,
                         f.fix.text, f.fix.applicability.value, edits, f.cell, f.fingerprint])
    encoded = [result.parsed, result.skipped, findings]
    text = json.dumps(encoded, ensure_ascii=False)
    if scrub(text) != text:
        return None  # something key-shaped (in a fix's new code, say): keep it off the disk
    return encoded


def decode_result(encoded: Any, path: str) -> FileResult:
    """The result `encode_result` stored; ValueError/TypeError/KeyError when it is malformed."""
    if encoded == 0 or encoded == 1:
        return FileResult(path, parsed=bool(encoded))
    parsed, skipped, rows = encoded
    if not isinstance(parsed, bool) or not (skipped is None or isinstance(skipped, str)):
        raise ValueError("malformed result")
    findings = []
    for row in rows:
        line, column, end_line, end_column, code, name, severity, message, text, applicability, edits, cell, \
            fingerprint = row
        fix = Fix(str(text), Applicability(applicability), tuple(Edit(int(a), int(b), int(c), int(d), str(e))
                                                                 for a, b, c, d, e in edits))
        findings.append(Finding(path, int(line), int(column), int(end_line), int(end_column), str(code), str(name),
                                Severity(int(severity)), str(message), fix,
                                None if cell is None else int(cell), str(fingerprint)))
    return FileResult(path, findings, parsed=parsed, skipped=skipped)


# --- the index ---------------------------------------------------------------------------


class Index:
    """The cached results of one set of settings, loaded once and saved once per run."""

    def __init__(self, folder: Path | None, key: str) -> None:
        self.folder = folder
        self.key = key
        self.name = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
        self.entries: dict[str, list[Any]] = {}
        self.changed: dict[str, list[Any]] = {}
        if folder is not None:
            self.entries = self._read()

    @property
    def path(self) -> Path | None:
        return None if self.folder is None else self.folder / f"{self.name}.json"

    @classmethod
    def for_settings(cls, settings: RunSettings) -> "Index":
        folder = Path(settings.config.root) / CACHE_DIR / f"v{FORMAT}"
        return cls(folder, settings_key(settings))

    def _read(self) -> dict[str, list[Any]]:
        assert self.path is not None
        try:
            with open(self.path, "rb") as handle:
                data = json.loads(handle.read())
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("key") != self.key or not isinstance(data.get("entries"), dict):
            return {}
        entries: dict[str, list[Any]] = data["entries"]
        return entries

    # entry: [size, mtime_ns, ctime_ns, inode, stat_taken_ns, content_hash, result]

    def lookup(self, key: str, stat: Stat) -> tuple[Any, bool, str | None]:
        """(encoded result or None, whether the stat alone proves it, the stored content hash)."""
        entry = self.entries.get(key)
        if (not isinstance(entry, list) or len(entry) != 7 or not all(type(n) is int for n in entry[:5])
                or not isinstance(entry[5], str)):
            return None, False, None
        trusted = tuple(entry[:4]) == stat and entry[1] + RACY_NS < entry[4]
        return entry[6], trusted, entry[5]

    def put(self, key: str, stat: Stat, taken_ns: int, digest: str, encoded: Any) -> None:
        entry = [*stat, taken_ns, digest, encoded]
        self.entries[key] = entry
        self.changed[key] = entry

    def save(self) -> None:
        """Merge this run's entries into the index on disk; never raise."""
        if self.folder is None or not self.changed:
            return
        try:
            self._prepare_folder()
            with _Lock(self.folder / f"{self.name}.lock"):
                merged = self._read()
                merged.update(self.changed)
                for key in [k for k in merged if not os.path.exists(k.split("\0", 1)[0])]:
                    del merged[key]  # files that are gone
                self._write(json.dumps({"key": self.key, "entries": merged}, ensure_ascii=False,
                                       separators=(",", ":")))
            self._prune()
        except (OSError, ValueError):
            pass  # read-only or full disk, a file where the folder should be...: no cache this time

    def _prepare_folder(self) -> None:
        assert self.folder is not None
        top = self.folder.parent
        if not top.is_dir():
            top.mkdir(parents=True, exist_ok=True)
            for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
                with open(top / name, "w", encoding="utf-8") as handle:
                    handle.write(text)
        self.folder.mkdir(exist_ok=True)

    def _write(self, text: str) -> None:
        import tempfile

        assert self.folder is not None and self.path is not None
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.folder, prefix=".tmp-", suffix=".json",
                                             delete=False)
        try:
            with handle:
                handle.write(text)
            os.replace(handle.name, self.path)
        except BaseException:
            try:
                os.unlink(handle.name)
            except OSError:
                pass
            raise

    def _prune(self) -> None:
        assert self.folder is not None
        indexes = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in indexes[KEEP_INDEXES:]:
            for path in (stale, stale.with_suffix(".lock")):
                try:
                    path.unlink()
                except OSError:
                    pass


class _Lock:
    """An exclusive advisory lock on a file (none where fcntl is missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: Any = None

    def __enter__(self) -> "_Lock":
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: atomic replace still keeps the index whole
            return self
        self.handle = open(self.path, "a")
        fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()  # closing releases the lock


# --- the run -----------------------------------------------------------------------------


def _entry_key(path: str) -> str:
    # Absolute path (which file) and the path as given (what findings show, what
    # per-file-ignores may match).
    return f"{os.path.abspath(path)}\0{path}"


def _hash_and_check(target: Target, settings: RunSettings) -> tuple[Stat, int, str, FileResult] | FileResult:
    """Check a file in a worker: its stat (taken first), the hash of the bytes checked, the result."""
    stat = _stat(target.path)
    loaded = read_target(target, settings)
    if isinstance(loaded, FileResult) or stat is None:
        return loaded if isinstance(loaded, FileResult) else check_bytes(loaded, target.path, target.kind, settings)
    result = check_bytes(loaded, target.path, target.kind, settings)
    result.digest = content_hash(loaded)
    return stat[0], stat[1], _salted(result.digest, settings.view_digest(target.path, target.kind)), result


def _salted(digest: str, view_digest: str) -> str:
    """The content hash a result is stored under: with the digest of what the project index
    told its check, so a change in another module the file depends on is a miss."""
    return f"{digest}:{view_digest}" if view_digest else digest


def _salt_of(stored: str | None) -> str:
    return stored.partition(":")[2] if stored else ""


def run_cached(targets: list[Target], settings: RunSettings, jobs: int | None = None) -> Iterator[FileResult]:
    """Check every target, in order, taking what the cache holds and caching the rest."""
    index = Index.for_settings(settings)
    results: list[FileResult | None] = []
    heavy: list[Target] = []
    for target in targets:
        result = _from_cache_or_quick(index, target, settings)
        results.append(result)
        if result is None:
            heavy.append(target)
    checked = map_targets(_hash_and_check, heavy, settings, jobs)
    final: list[FileResult] = []
    for target, result in zip(targets, results):
        if result is None:
            outcome = next(checked)
            if isinstance(outcome, FileResult):
                result = outcome
            else:
                stat, taken_ns, digest, result = outcome
                _store(index, target.path, stat, taken_ns, digest, result)
        final.append(result)
    index.save()
    yield from final


def _store(index: Index, path: str, stat: Stat, taken_ns: int, digest: str, result: FileResult) -> None:
    if result.partial:  # a `--fix` run's check that left rules out: the fixed text is checked again
        return
    encoded = encode_result(result)
    if encoded is not None:
        index.put(_entry_key(path), stat, taken_ns, digest, encoded)


def _from_cache_or_quick(index: Index, target: Target, settings: RunSettings) -> FileResult | None:
    """The result from the cache, or of a file the gate rejects; None when the file needs checking."""
    key = _entry_key(target.path)
    stat = _stat(target.path)
    encoded, trusted, stored_hash = index.lookup(key, stat[0]) if stat is not None else (None, False, None)
    # What the project index tells the file's check salts its entry; with no entry stored, the
    # check need not wait for the index here (it may still be being built while this file parses).
    salt = settings.view_digest(target.path, target.kind) if encoded is not None else None
    if trusted and salt is not None and _salt_of(stored_hash) == salt:
        try:
            return decode_result(encoded, target.path)
        except (ValueError, TypeError, KeyError):
            pass
    loaded = read_target(target, settings)
    if isinstance(loaded, FileResult):
        return loaded  # cannot be read: say why, every run
    if stat is None:
        return quick_result(loaded, target.path, target.kind, settings)
    digest = _salted(content_hash(loaded), salt) if salt is not None else None
    if digest is not None and digest == stored_hash and encoded is not None:
        try:
            result = decode_result(encoded, target.path)
        except (ValueError, TypeError, KeyError):
            pass
        else:
            index.put(key, stat[0], stat[1], digest, encoded)  # same content: trust the new stat next time
            result.digest = content_hash(loaded)
            return result
    quick = quick_result(loaded, target.path, target.kind, settings)
    if quick is not None:
        if digest is None:
            digest = _salted(content_hash(loaded), settings.view_digest(target.path, target.kind))
        _store(index, target.path, stat[0], stat[1], digest, quick)
    return quick
