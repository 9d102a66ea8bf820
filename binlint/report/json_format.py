"""`--format json`: one object with the fields of RULES.md, nothing more."""

from __future__ import annotations

import json
from typing import Any

from binlint import __version__
from binlint.model import Finding
from binlint.report import Summary, printable_edits


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "cell": finding.cell,
        "fix": {
            "text": finding.fix.text,
            "applicability": finding.fix.applicability.value,
            "edits": [
                {"line": e.line, "column": e.column, "end_line": e.end_line, "end_column": e.end_column,
                 "content": e.content}
                for e in printable_edits(finding)  # an edit that would print a secret is left out
            ],
        },
    }


def render(findings: list[Finding], summary: Summary) -> str:
    document = {
        "version": __version__,
        "findings": [finding_dict(f) for f in findings],
        "summary": {
            "files": summary.files,
            "parsed": summary.parsed,
            "findings": len(findings),
            "by_code": summary.by_code(findings),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
