"""`--format concise`: one line a finding, `[*]` where `--fix` can fix it."""

from __future__ import annotations

from binlint.model import Applicability, Finding
from binlint.report import Summary


def location(finding: Finding) -> str:
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.line}:{finding.column}"


def fix_marker(finding: Finding) -> str:
    if not finding.fix.edits:
        return ""
    return "[*] " if finding.fix.applicability is Applicability.SAFE else "[-] "


def render(findings: list[Finding], summary: Summary) -> str:
    return "".join(
        f"{location(f)}: {f.code} {fix_marker(f)}{f.message}\n" for f in findings
    )
