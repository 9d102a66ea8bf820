"""Baselines: record today's findings once, then report only new ones.

An entry is (path, code, fingerprint) with a count of identical findings. The path
is relative to the baseline file's folder (POSIX separators), so the same baseline
works from any working directory; the fingerprint is `Finding.fingerprint`, a hash
of the rule code and the normalised offending code. No line numbers (moving code
does not churn the file), no secret values, no timestamps: entries are sorted and
rewriting the baseline for the same findings gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from binlint.model import Finding

FORMAT_VERSION = 1
_FINGERPRINT_CHARS = frozenset("0123456789abcdef")

Key = tuple[str, str, str]  # (path, code, fingerprint)


class BaselineError(Exception):
    """A baseline that cannot be read or written; the CLI exits 2."""


def fingerprint_of(finding: Finding) -> str:
    """The finding's fingerprint; one from code and name when a finding has none."""
    if finding.fingerprint:
        return finding.fingerprint
    return hashlib.sha256(f"{finding.code}\0{finding.name}".encode()).hexdigest()[:20]


def relative_path(path: str, folder: Path) -> str:
    """`path` (as reported) relative to `folder`, with `/` separators."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, os.path.abspath(folder))
    except ValueError:  # another drive on Windows
        relative = absolute
    return Path(relative).as_posix()


def key_of(finding: Finding, folder: Path) -> Key:
    return (relative_path(finding.path, folder), finding.code, fingerprint_of(finding))


@dataclass(frozen=True)
class Baseline:
    """The recorded findings: how many of each (path, code, fingerprint)."""

    folder: Path  # paths in the entries are relative to this folder
    counts: Counter[Key]

    @classmethod
    def of(cls, findings: Iterable[Finding], folder: Path) -> "Baseline":
        return cls(folder, Counter(key_of(f, folder) for f in findings))

    def filter(self, findings: list[Finding]) -> tuple[list[Finding], int, int]:
        """(findings not in the baseline, how many were hidden, entries left unmatched)."""
        budget = Counter(self.counts)
        kept: list[Finding] = []
        hidden = 0
        for finding in findings:
            key = key_of(finding, self.folder)
            if budget[key] > 0:
                budget[key] -= 1
                hidden += 1
            else:
                kept.append(finding)
        stale = sum(count for count in budget.values() if count > 0)
        return kept, hidden, stale

    def to_json(self) -> str:
        entries = [
            {"path": path, "code": code, "fingerprint": fingerprint, "count": count}
            for (path, code, fingerprint), count in sorted(self.counts.items())
        ]
        document = {"binlint-baseline": FORMAT_VERSION, "entries": entries}
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: Path) -> Baseline:
    """Read and validate a baseline file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} does not exist (create it with --update-baseline {path})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline {path} is not valid JSON (line {exc.lineno}: {exc.msg}); "
                            f"rewrite it with --update-baseline {path}") from None
    return Baseline(path.parent, _entries(document, path))


def _entries(document: Any, path: Path) -> Counter[Key]:
    def bad(why: str) -> BaselineError:
        return BaselineError(f"baseline {path} is malformed: {why}; rewrite it with --update-baseline {path}")

    if not isinstance(document, dict) or "binlint-baseline" not in document:
        raise bad("it is not a binlint baseline (no \"binlint-baseline\" key)")
    if document["binlint-baseline"] != FORMAT_VERSION:
        raise bad(f"unsupported format version {document['binlint-baseline']!r} (expected {FORMAT_VERSION})")
    entries = document.get("entries")
    if not isinstance(entries, list):
        raise bad("\"entries\" must be a list")
    counts: Counter[Key] = Counter()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise bad(f"entry {number} is not an object")
        path_value, code, fingerprint = entry.get("path"), entry.get("code"), entry.get("fingerprint")
        count = entry.get("count", 1)
        if not isinstance(path_value, str) or not path_value:
            raise bad(f"entry {number} has no \"path\"")
        if not isinstance(code, str) or not code.startswith("BL"):
            raise bad(f"entry {number} has no binlint \"code\"")
        if not isinstance(fingerprint, str) or not fingerprint or not set(fingerprint) <= _FINGERPRINT_CHARS:
            raise bad(f"entry {number} has no hexadecimal \"fingerprint\"")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise bad(f"entry {number} has a \"count\" that is not a positive integer")
        counts[(path_value, code, fingerprint)] += count
    return counts


def write(path: Path, findings: list[Finding]) -> None:
    """Write `findings` as the baseline at `path` (via a temporary file and a rename)."""
    text = Baseline.of(findings, path.parent).to_json()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="\n")
        os.replace(temporary, path)
    except OSError as exc:
        try:
            temporary.unlink()
        except OSError:
            pass
        raise BaselineError(f"cannot write baseline {path}: {exc.strerror or exc}") from None


def filter_findings(path: Path, findings: list[Finding]) -> tuple[list[Finding], int, int]:
    """(findings not in the baseline at `path`, hidden count, stale entry count)."""
    return load(path).filter(findings)
