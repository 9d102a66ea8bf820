"""Inline suppressions: `# binlint: ignore[...]`, `# noqa: BL...`, detect-secrets' allowlist, skip-file.

A suppression comment applies to findings that start on its line, or, when the
comment stands alone on a line, to findings on the next line.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from binlint.model import Finding

IGNORE_COMMENT = re.compile(r"#\s*binlint\s*:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)", re.IGNORECASE)
_ALLOWLIST = re.compile(r"pragma\s*:\s*(?:allow|white)list[ -]secret", re.IGNORECASE)
_ALLOWLIST_NEXT = re.compile(r"pragma\s*:\s*(?:allow|white)list[ -]nextline[ -]secret", re.IGNORECASE)
_SKIP_FILE = re.compile(rb"#\s*binlint\s*:\s*skip-file")

ALL = "*"


@dataclass
class Suppression:
    """One suppression comment: which codes (ALL for every code) on which lines."""

    line: int  # where the comment is
    codes: frozenset[str]
    targets: tuple[int, ...]  # lines it covers
    text: str
    used: set[str] = field(default_factory=set)

    def covers(self, finding: Finding) -> bool:
        lines = {finding.line, finding.end_line}
        if not lines.intersection(self.targets):
            return False
        return ALL in self.codes or any(finding.code.startswith(code) for code in self.codes)


def skips_file(data: bytes) -> bool:
    """Whether `# binlint: skip-file` stands in the first 10 lines."""
    head = b"\n".join(data.splitlines()[:10])
    return _SKIP_FILE.search(head) is not None


# What any suppression comment holds; text without it has none (and is not tokenized).
_CANDIDATE = re.compile(r"#[^\r\n]*?(?:binlint|noqa|pragma)", re.IGNORECASE)


def _comments(source: str, python: bool) -> list[tuple[int, str, bool]]:
    """(line, comment text, alone on its line) for every comment that may suppress something."""
    found: list[tuple[int, str, bool]] = []
    if _CANDIDATE.search(source) is None:
        return found
    if python:
        try:
            for token in tokenize.generate_tokens(io.StringIO(source).readline):
                if token.type == tokenize.COMMENT:
                    alone = not token.line[: token.start[1]].strip()
                    found.append((token.start[0], token.string, alone))
            return found
        except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
            found = []
    for number, line in enumerate(source.splitlines(), start=1):
        index = line.find("#")
        if index >= 0:
            found.append((number, line[index:], not line[:index].strip()))
    return found


def listed_codes(listed: str) -> list[str]:
    """The codes of a comma-separated list (`BL101, bl2`), upper-cased, blanks dropped."""
    return [c.strip().upper() for c in listed.split(",") if c.strip()]


def parse(source: str, python: bool = True) -> list[Suppression]:
    """Every suppression comment in `source`."""
    suppressions: list[Suppression] = []
    for line, comment, alone in _comments(source, python):
        codes: set[str] = set()
        matched = False
        for match in IGNORE_COMMENT.finditer(comment):
            matched = True
            listed = match.group("codes")
            if listed is None or not listed.strip():
                codes.add(ALL)
            else:
                codes.update(listed_codes(listed))
        for match in _NOQA.finditer(comment):
            bl = {c for c in listed_codes(match.group("codes")) if c.startswith("BL")}
            if bl:
                matched = True
                codes.update(bl)
        targets = (line, line + 1) if alone else (line,)
        if _ALLOWLIST_NEXT.search(comment):
            suppressions.append(Suppression(line, frozenset({"BL1"}), (line + 1,), comment.strip()))
        elif _ALLOWLIST.search(comment):
            suppressions.append(Suppression(line, frozenset({"BL1"}), targets, comment.strip()))
        if matched:
            suppressions.append(Suppression(line, frozenset(codes), targets, comment.strip()))
    return suppressions


def apply(findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
    """The findings no suppression covers; marks the suppressions that were used."""
    if not suppressions:
        return findings
    kept = []
    for finding in findings:
        covering = [s for s in suppressions if s.covers(finding)]
        for suppression in covering:
            suppression.used.add(finding.code)
        if not covering:
            kept.append(finding)
    return kept


def unused(suppressions: list[Suppression]) -> list[Suppression]:
    """binlint suppressions that suppressed nothing (allowlist pragmas are detect-secrets' too)."""
    return [s for s in suppressions if not s.used and not _ALLOWLIST.search(s.text) and not _ALLOWLIST_NEXT.search(s.text)]
