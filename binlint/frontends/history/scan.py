"""Scan the lines every commit added for Binance credentials, one finding per credential.

The patch stream of `git log -p` is read once, as git writes it; `patches.py` keeps the
file versions whose added lines could hold a credential. Each such version (a blob) is
read whole with `git cat-file --batch` and checked once by the engine with the BL101–BL103
rules (so a key reaching `Client(...)` through a constant is found at its literal, and
notebooks, `.env`, YAML and JSON get their usual scan); a blob seen before is not checked
again. Findings on lines the commit added are kept; the same credential anywhere else in
history adds to its count of later commits. On several cores the commits are cut into
contiguous slices, one `git log` each, so git's diffing (the floor of the whole scan) runs
on every core.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from binlint.config import Config
from binlint.pipeline.discover import FileKind, kind_of
from binlint.pipeline.engine import FileResult, RunSettings, check_bytes, default_jobs, map_targets
from binlint.frontends.history import git as gitmod
from binlint.frontends.history.patches import Commit, FileChange, parse_commit
from binlint.model import Applicability, Finding, Fix

CODES = ("BL101", "BL102", "BL103")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{40,}")
_PEM_LINE = re.compile(r"-----(?:BEGIN|END) [A-Z0-9 ]*?PRIVATE KEY-----")


@dataclass(frozen=True)
class HistoryFinding:
    """A credential found in history: where it was first added, and what became of it."""

    finding: Finding  # path relative to the repository; line in that commit's version of the file
    commit: str  # full sha of the first commit that added it
    date: str  # that commit's committer date (ISO 8601)
    later_commits: int  # later commits whose added lines hold it again
    at_head: bool  # still in some file at HEAD

    @property
    def short(self) -> str:
        return self.commit[:7]


@dataclass
class HistoryScan:
    """Everything one scan gave."""

    findings: list[HistoryFinding] = field(default_factory=list)
    commits: int = 0  # commits read
    skipped: Counter[str] = field(default_factory=Counter)  # why -> file versions
    skipped_example: dict[str, str] = field(default_factory=dict)  # why -> "path (commit)"
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BlobTarget:
    """One file version to check (duck-types `discover.Target` for the engine's runner)."""

    path: str
    kind: FileKind
    data: bytes


def credential_id(finding: Finding) -> str:
    """A hash that names the credential of a finding (never the value): the same key gives the
    same id in any file, any commit, any quoting; PEM blocks compare by their base64 body."""
    value = finding.secrets[0] if finding.secrets else f"{finding.code}\0{finding.fingerprint}"
    if "PRIVATE KEY" in value:
        value = "".join(re.findall(r"[A-Za-z0-9+/=]", _PEM_LINE.sub("", value.replace("\\n", "\n"))))
    return hashlib.sha256(f"binlint-history\0{value}".encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _marker(finding: Finding) -> str | None:
    """A one-line piece of the credential to look for at HEAD."""
    if not finding.secrets:
        return None
    value = finding.secrets[0]
    if "PRIVATE KEY" in value:
        runs = _BASE64_RUN.findall(value.replace("\\n", "\n"))
        return max(runs, key=len) if runs else None
    return value if "\n" not in value else None


def history_advice(at_head: bool) -> str:
    advice = ("Revoke it on Binance and create a new one: deleting it from the code, or even rewriting "
              "history, does not take it back from clones, forks and CI logs.")
    if at_head:
        advice += " It is still in the code at HEAD: `binlint check --unsafe-fixes` moves it to an environment variable."
    return advice


def check_blob(target: BlobTarget, settings: RunSettings) -> FileResult:
    """The BL101–BL103 findings of one file version (module-level: runs in worker processes)."""
    result = check_bytes(target.data, target.path, target.kind, settings)
    result.findings = [f for f in result.findings if f.code in CODES]
    return result


def scan(repository: gitmod.Repository, revisions: list[str], config: Config, settings: RunSettings,
         wanted: Callable[[str], bool], jobs: int | None = None) -> HistoryScan:
    """Scan the commits `revisions` name (git's syntax: `HEAD`, `main..HEAD`, `--all`)."""
    outcome = HistoryScan()
    limit = config.max_file_size
    commits = gitmod.commit_list(repository, revisions)
    order = {sha: rank for rank, sha in enumerate(commits)}
    changes: list[tuple[Commit, FileChange]] = []
    binaries: list[tuple[Commit, str, str]] = []
    warm = _WarmUp()
    for part in _read_patches(repository, commits, limit, wanted, jobs, warm):
        for commit in part:
            changes.extend((commit, change) for change in commit.changes)
            binaries.extend((commit, path, blob) for path, blob in commit.binary)
    outcome.commits = len(order)
    _count_binaries(repository, binaries, limit, outcome)

    blobs = _read_blobs(repository, changes, limit, outcome)
    warm.join()  # no import in flight when worker processes fork
    checked = _check_blobs(blobs, settings, jobs, changes, outcome)

    first: dict[str, tuple[int, Commit, Finding]] = {}
    touched: dict[str, set[str]] = {}
    for commit, change in changes:
        key = (change.blob, kind_of(change.path))
        for finding in checked.get(key, ()):
            if not _added(finding, change):
                continue
            ident = credential_id(finding)
            located = finding.with_changes(path=change.path)
            rank = order[commit.sha]
            if ident not in first or rank < first[ident][0]:
                if ident in first:
                    touched.setdefault(ident, set()).add(first[ident][1].sha)
                first[ident] = (rank, commit, located)
            elif commit.sha != first[ident][1].sha:
                touched.setdefault(ident, set()).add(commit.sha)

    markers = {ident: _marker(f) for ident, (_, _, f) in first.items()}
    at_head = gitmod.present_at_head(repository, [m for m in markers.values() if m])
    for ident, (_rank, commit, finding) in sorted(first.items(), key=lambda item: (item[1][0], item[1][2].sort_key)):
        present = markers[ident] in at_head if markers[ident] else False
        later = len(touched.get(ident, set()) - {commit.sha})
        shown = finding.with_changes(
            fingerprint=ident, fix=Fix(history_advice(present), Applicability.ADVICE),
        )
        outcome.findings.append(HistoryFinding(shown, commit.sha, commit.date, later, present))
    return outcome


class _WarmUp:
    """Import the parser and the rules in a thread as soon as a Python file version needs them,
    while git is still writing history (the import takes as long as reading a few thousand
    commits, and the reading threads mostly wait on git)."""

    def __init__(self) -> None:
        self.thread: "threading.Thread | None" = None

    def start_for(self, commit: Commit) -> None:
        if self.thread is not None or not any(kind_of(c.path) in (FileKind.PYTHON, FileKind.NOTEBOOK)
                                              for c in commit.changes):
            return
        self.thread = threading.Thread(target=self._load, daemon=True)
        self.thread.start()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()

    @staticmethod
    def _load() -> None:
        try:
            import libcst  # noqa: F401

            from binlint.analysis import Analysis  # noqa: F401
            from binlint.rules import all_rules

            all_rules()
        except Exception:  # noqa: BLE001 - the checks import again, and report any failure
            pass


# Below this many commits one `git log` is quicker than several.
SPLIT_THRESHOLD = 400


def _read_patches(repository: gitmod.Repository, commits: list[str], limit: int, wanted: Callable[[str], bool],
                  jobs: int | None, warm: _WarmUp) -> list[list[Commit]]:
    """The commits that added candidate lines, per slice of `commits`, in order.

    Git computes the diffs on one core; on more, the list is cut into contiguous slices,
    one `git log` each, read by one thread each (reading waits on git, not on Python)."""
    parts = default_jobs() if jobs is None or jobs <= 0 else jobs
    parts = max(1, min(parts, 8, len(commits) // (SPLIT_THRESHOLD // 2) or 1))
    size = -(-len(commits) // parts) if commits else 0
    slices = [commits[i:i + size] for i in range(0, len(commits), size)] if commits else []
    results: list[list[Commit]] = [[] for _ in slices]
    failures: list[BaseException] = []

    def read(index: int) -> None:
        stream = gitmod.PatchStream(repository, slices[index], limit)
        try:
            for chunk in stream:
                commit = parse_commit(chunk, wanted)
                if commit.changes or commit.binary:
                    results[index].append(commit)
                    warm.start_for(commit)
        except BaseException as exc:  # handed to the caller's thread
            stream.kill()
            failures.append(exc)
            return
        try:
            stream.close()
        except gitmod.GitError as exc:
            failures.append(exc)

    if len(slices) <= 1:
        for index in range(len(slices)):
            read(index)
    else:
        threads = [threading.Thread(target=read, args=(index,), daemon=True) for index in range(len(slices))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
    return results


def _added(finding: Finding, change: FileChange) -> bool:
    """Whether the commit added the finding's lines (in a notebook: the JSON lines holding it)."""
    if finding.cell is not None:  # the diff's lines are the .ipynb file's, not the cell's
        marker = _marker(finding)
        return marker is None or marker.encode("utf-8", "surrogatepass") in change.added_text
    return any(line in change.added for line in range(finding.line, max(finding.end_line, finding.line) + 1))


def _skip(outcome: HistoryScan, why: str, path: str, commit: Commit) -> None:
    outcome.skipped[why] += 1
    outcome.skipped_example.setdefault(why, f"{path} ({commit.sha[:7]})")


def _count_binaries(repository: gitmod.Repository, binaries: list[tuple[Commit, str, str]], limit: int,
                    outcome: HistoryScan) -> None:
    sizes = gitmod.blob_sizes(repository, sorted({blob for _, _, blob in binaries if blob}))
    for commit, path, blob in binaries:
        if sizes.get(blob, 0) > limit:
            _skip(outcome, f"larger than max-file-size ({limit:,} bytes)", path, commit)
        else:
            _skip(outcome, "binary content", path, commit)


def _read_blobs(repository: gitmod.Repository, changes: list[tuple[Commit, FileChange]], limit: int,
                outcome: HistoryScan) -> dict[tuple[str, FileKind | None], BlobTarget]:
    """The file versions to check, each read once (`git cat-file --batch`)."""
    targets: dict[tuple[str, FileKind | None], BlobTarget] = {}
    if not changes:
        return targets
    reader = gitmod.BlobReader(repository)
    contents: dict[str, bytes | int | None] = {}
    try:
        for commit, change in changes:
            kind = kind_of(change.path)
            key = (change.blob, kind)
            if key in targets or kind is None:
                continue
            if change.blob not in contents:
                contents[change.blob] = reader.read(change.blob, limit)
            data = contents[change.blob]
            if data is None:
                _skip(outcome, "not in this clone (a partial clone?)", change.path, commit)
            elif isinstance(data, int):
                _skip(outcome, f"larger than max-file-size ({limit:,} bytes)", change.path, commit)
            else:
                absolute = os.path.join(repository.root, change.path)
                targets[key] = BlobTarget(absolute, kind, data)
    finally:
        reader.close()
    return targets


def _check_blobs(targets: dict[tuple[str, FileKind | None], BlobTarget], settings: RunSettings, jobs: int | None,
                 changes: list[tuple[Commit, FileChange]], outcome: HistoryScan
                 ) -> dict[tuple[str, FileKind | None], list[Finding]]:
    """Each file version's findings; internal errors and skips go to `outcome`, named by the
    first commit and path that wrote the version."""
    keys = list(targets)
    first_seen: dict[tuple[str, FileKind | None], tuple[Commit, str]] = {}
    for commit, change in changes:
        first_seen.setdefault((change.blob, kind_of(change.path)), (commit, change.path))
    checked: dict[tuple[str, FileKind | None], list[Finding]] = {}
    for key, result in zip(keys, map_targets(check_blob, [targets[k] for k in keys], settings, jobs)):
        commit, path = first_seen[key]
        checked[key] = result.findings
        if result.skipped:
            _skip(outcome, result.skipped, path, commit)
        outcome.errors.extend(f"{path} ({commit.sha[:7]}): {error.split(': ', 1)[-1]}" for error in result.errors)
    return checked
