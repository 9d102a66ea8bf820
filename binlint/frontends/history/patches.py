"""Read one commit's part of `git log -p -U0 --full-index` (and `--cc` for merges): which file
versions gained lines that could hold a credential, and which lines.

Speed comes from never looking at most of the stream: a commit whose patch holds no
64-character key-shaped run, no PEM header and no passphrase name is passed over with a
few byte scans (the same test as the engine's gate, on the commit's bytes), and within a
commit only the files whose *added* lines pass the test become candidates.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable

from binlint.frontends.history.git import COMMIT_MARK, unquote_path
from binlint.pipeline.gate import has_key_shaped_run

_PASS_WORDS = (b"passphrase", b"key_pass", b"keypass", b"key-pass", b"pem_pass")
_HUNK = re.compile(rb"^(@@+) (?:-[0-9,]+ )+\+([0-9]+)(?:,([0-9]+))? @@+")


def may_hold_credential(data: bytes) -> bool:
    """Whether `data` could hold a BL101–BL103 credential (a key-shaped run, a PEM private key,
    a private-key passphrase): the byte gate that runs before anything is parsed."""
    if has_key_shaped_run(data) or b"PRIVATE KEY" in data:
        return True
    if b"ass" not in data and b"ASS" not in data:
        return False
    lower = data.lower()
    return any(word in lower for word in _PASS_WORDS)


@dataclass
class FileChange:
    """A file version a commit wrote, and the lines it added (numbers in that version)."""

    path: str
    blob: str
    added: frozenset[int]
    added_text: bytes  # the added lines themselves, joined


@dataclass
class Commit:
    sha: str
    date: str  # ISO 8601, committer date
    changes: list[FileChange] = field(default_factory=list)
    binary: list[tuple[str, str]] = field(default_factory=list)  # (path, blob) of text-kind files git did not diff


def header(chunk: bytes) -> tuple[str, str]:
    """(sha, date) of a commit's chunk."""
    line = chunk[len(COMMIT_MARK):chunk.find(b"\n")] if chunk.startswith(COMMIT_MARK) else b""
    parts = line.decode("ascii", errors="replace").split()
    return (parts[0] if parts else "?"), (parts[1] if len(parts) > 1 else "")


def parse_commit(chunk: bytes, wanted: Callable[[str], bool], *, gate: bool = True) -> Commit:
    """The candidate file changes of one commit. `wanted(path)` says which paths are scanned;
    with `gate`, a commit whose bytes cannot hold a credential is not split at all."""
    sha, date = header(chunk)
    commit = Commit(sha, date)
    binary_marks = b"\nBinary files " in chunk
    if gate and not binary_marks and not may_hold_credential(chunk):
        return commit
    start = chunk.find(b"\ndiff --")
    while start >= 0:
        end = chunk.find(b"\ndiff --", start + 1)
        section = chunk[start + 1: end + 1 if end >= 0 else len(chunk)]
        _parse_section(section, commit, wanted, gate)
        start = end
    return commit


def _parse_section(section: bytes, commit: Commit, wanted: Callable[[str], bool], gate: bool) -> None:
    hunks = section.find(b"\n@@")
    head = section[: hunks + 1] if hunks >= 0 else section
    path: str | None = None
    blob = ""
    binary = False
    for line in head.split(b"\n"):
        if line.startswith(b"+++ "):
            name = line[4:].rstrip(b"\t")
            if name == b"/dev/null":
                return  # the file was deleted: nothing added
            name = unquote_path(name)
            path = os.fsdecode(name[2:] if name.startswith(b"b/") else name)
        elif line.startswith(b"index "):
            blob = line[6:].split(b" ")[0].rpartition(b"..")[2].decode("ascii", errors="replace")
        elif line.startswith(b"Binary files "):
            binary = True
    if binary:
        binary_path = _binary_path(head)
        if binary_path is not None and wanted(binary_path):
            commit.binary.append((binary_path, blob))
        return
    if path is None or hunks < 0 or not wanted(path):
        return
    body = section[hunks + 1:]
    if gate and not may_hold_credential(body):
        return
    added, text = added_lines(body)
    if text and (not gate or may_hold_credential(text)):
        commit.changes.append(FileChange(path, blob, frozenset(added), text))


def _binary_path(head: bytes) -> str | None:
    """The new path of a `Binary files a/x and b/y differ` section (from its `diff --git` line)."""
    first = head.split(b"\n", 1)[0]
    for line in head.split(b"\n"):
        if line.startswith(b"Binary files ") and line.endswith(b" differ"):
            names = line[len(b"Binary files "):-len(b" differ")]
            left, sep, right = names.rpartition(b" and ")
            if sep and right != b"/dev/null":
                right = unquote_path(right)
                return os.fsdecode(right[2:] if right.startswith(b"b/") else right)
            return None
    if first.startswith(b"diff --git "):
        rest = first[len(b"diff --git "):]
        right = rest.rpartition(b" b/")[2] if not rest.endswith(b'"') else unquote_path(rest[rest.rfind(b' "') + 1:])
        return os.fsdecode(right[2:] if right.startswith(b"b/") else right)
    return None


def added_lines(body: bytes) -> tuple[list[int], bytes]:
    """(line numbers, joined text) of the lines a `-U0` patch body adds. In a combined diff
    (a merge, `@@@`), a line counts as added only when it is new against every parent."""
    numbers: list[int] = []
    texts: list[bytes] = []
    current = 0
    parents = 1
    for line in body.split(b"\n"):
        if line.startswith(b"@@"):
            match = _HUNK.match(line)
            if match is None:
                continue
            parents = len(match.group(1)) - 1
            current = int(match.group(2))
            continue
        if not line or line.startswith(b"\\"):
            continue
        marks = line[:parents]
        if b"-" in marks:
            continue
        if marks == b"+" * parents:
            numbers.append(current)
            texts.append(line[parents:])
        current += 1
    return numbers, b"\n".join(texts)
