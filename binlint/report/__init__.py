"""Reporters: each is a pure function from a run's findings to text."""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from binlint.model import Edit, Finding, scrub

FORMATS = ("full", "text", "concise", "json", "sarif", "github")


@dataclass
class Summary:
    """Counts and notes of a run, beside its findings."""

    files: int = 0
    parsed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    errors: list[str] = field(default_factory=list)
    fixed: int = 0  # fixes applied (--fix)
    baseline_hidden: int = 0
    baseline_stale: int = 0
    baseline_recorded: tuple[int, str] | None = None  # (findings, path) written by --update-baseline
    skipped_targets: int = 0  # files found to check but then skipped (also listed in `skipped`)
    sources: dict[str, bytes] = field(default_factory=dict)  # content not on disk (stdin), by path
    notebook_lines: dict[str, dict[int, tuple[tuple[int, int], ...]]] = field(default_factory=dict, repr=False)
    color: bool = False  # presentation: ANSI colours for a terminal
    show_fixes: bool = True  # presentation: the "N fixable with --fix" hint

    @property
    def checked(self) -> int:
        """Files actually checked (found, and not skipped)."""
        return max(self.files - self.skipped_targets, 0)

    def by_code(self, findings: list[Finding]) -> dict[str, int]:
        return dict(sorted(Counter(f.code for f in findings).items()))


def printable_edits(finding: Finding) -> tuple[Edit, ...]:
    """The finding's edits, or none when one would print a secret (such edits are never shown)."""
    edits = finding.fix.edits
    if any(scrub(edit.content, finding.secrets) != edit.content for edit in edits):
        return ()
    return edits


MAX_SOURCE_BYTES = 64 * 1024 * 1024


def file_bytes(path: str, summary: Summary) -> bytes | None:
    """The content of a reported file (stdin's as given), or None when it cannot be read now."""
    if path in summary.sources:
        return summary.sources[path]
    try:
        from binlint.pipeline.engine import read_regular

        data, _ = read_regular(path, MAX_SOURCE_BYTES)
    except (OSError, ValueError):
        return None
    return data


def notebook_file_line(finding: Finding, summary: Summary) -> int | None:
    """For a notebook finding, the line of the .ipynb file that holds its cell's line (None when unknown)."""
    if finding.cell is None:
        return None
    if finding.path not in summary.notebook_lines:
        from binlint.pipeline.parse.notebook import source_json_lines

        data = file_bytes(finding.path, summary)
        summary.notebook_lines[finding.path] = source_json_lines(data) if data is not None else {}
    from binlint.pipeline.parse.notebook import json_line

    return json_line(summary.notebook_lines[finding.path], finding.cell, finding.line)


Renderer = Callable[[list[Finding], Summary], str]


def renderer(name: str) -> Renderer:
    """The render function of the output format `name`."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    module = importlib.import_module(f"binlint.report.{name}_format")
    return module.render  # type: ignore[no-any-return]
