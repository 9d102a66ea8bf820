"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run. The driver lists every rule (not only those that fired) with its docs; each
result points at a path relative to `%SRCROOT%` (the directory binlint ran in), carries
fingerprints that survive moved lines, and the rule's edits as SARIF `fixes`.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from binlint import __version__
from binlint.model import Finding, Severity, scrub
from binlint.report import Summary, notebook_file_line, printable_edits

if TYPE_CHECKING:
    from binlint.rules.base import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/binlint/"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "binlint/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub's scale: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, below 4.0 low.
_SECURITY_SEVERITY = {Severity.ERROR: "7.5", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
_FAMILY_TAGS = {"BL0": "tool", "BL1": "secrets", "BL2": "signing", "BL3": "timestamps",
                "BL4": "retries", "BL5": "transport"}
_SECTION = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)


def doc_sections(doc: str) -> dict[str, str]:
    """A rule doc's `## Heading` sections, by heading."""
    parts = _SECTION.split(doc)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def _plain(markdown: str) -> str:
    """Markdown prose as one line of plain text (code fences dropped)."""
    prose = re.sub(r"```.*?```", " ", markdown, flags=re.DOTALL)
    return " ".join(prose.replace("`", "").split())


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    from binlint.testing import display

    doc = display(rule.doc())
    sections = doc_sections(doc)
    full = _plain(sections.get("What it does", "")) or rule.summary()
    family = rule.code[:3]
    tags = [_FAMILY_TAGS.get(family, "binlint"), "binance"]
    properties: dict[str, Any] = {"tags": tags}
    if family != "BL0":
        tags.insert(0, "security")
        properties["security-severity"] = "9.0" if family == "BL1" and rule.severity is Severity.ERROR \
            else _SECURITY_SEVERITY[rule.severity]
        properties["precision"] = "high"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": full},
        "help": {"text": doc, "markdown": f"# {rule.name} ({rule.code})\n\n{doc}"},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def artifact_location(path: str) -> dict[str, Any]:
    """A URI relative to %SRCROOT% (the working directory) when the file is under it."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(os.fsencode(relative)), "uriBaseId": SRCROOT}  # the name's own bytes, even if not UTF-8


def _region(line: int, column: int, end_line: int, end_column: int, *, exact: bool) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(line, 1), "startColumn": max(column, 1)}
    if exact or (end_line, end_column) > (line, column):
        region["endLine"] = max(end_line, 1)
        region["endColumn"] = max(end_column, 1)
    return region


def _message(finding: Finding) -> str:
    where = f"(notebook cell {finding.cell}, line {finding.line}) " if finding.cell is not None else ""
    return f"{where}{finding.message}\nHelp: {finding.fix.text}"


def _fixes(finding: Finding, location: dict[str, Any]) -> list[dict[str, Any]]:
    edits = printable_edits(finding)
    if not edits or finding.cell is not None:  # cell-relative edits do not address the .ipynb file
        return []
    replacements = [
        {"deletedRegion": _region(e.line, e.column, e.end_line, e.end_column, exact=True),
         "insertedContent": {"text": e.content}}
        for e in edits
    ]
    return [{"description": {"text": f"{finding.fix.text} ({finding.fix.applicability.value} fix)"},
             "artifactChanges": [{"artifactLocation": location, "replacements": replacements}]}]


def _physical_location(finding: Finding, location: dict[str, Any], file_line: int | None) -> dict[str, Any]:
    """Where the result is in the file. A notebook finding's lines are its cell's: it is placed on
    the line of the .ipynb file that holds that cell line (or on the file alone when unknown)."""
    physical: dict[str, Any] = {"artifactLocation": location}
    if finding.cell is None:
        physical["region"] = _region(finding.line, finding.column, finding.end_line, finding.end_column, exact=False)
    elif file_line is not None:
        physical["region"] = {"startLine": file_line, "endLine": file_line}
    return physical


def result(finding: Finding, rule_index: int | None, occurrence: int, file_line: int | None = None) -> dict[str, Any]:
    location = artifact_location(finding.path)
    fingerprint = finding.fingerprint or "0"
    item: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [{"physicalLocation": _physical_location(finding, location, file_line)}],
        "partialFingerprints": {
            FINGERPRINT_KEY: f"{fingerprint}:{occurrence}",
            "primaryLocationLineHash": f"{fingerprint}:{occurrence}",
        },
        "properties": {"name": finding.name, "fixApplicability": finding.fix.applicability.value},
    }
    if rule_index is not None:
        item["ruleIndex"] = rule_index
    if finding.cell is not None:
        item["properties"]["cell"] = finding.cell
        item["properties"]["cellLine"] = finding.line
    fixes = _fixes(finding, location)
    if fixes:
        item["fixes"] = fixes
    return item


def render(findings: list[Finding], summary: Summary) -> str:
    from binlint.rules import all_rules

    rules = all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    for finding in findings:
        key = (finding.path, finding.code, finding.fingerprint)
        seen[key] += 1
        results.append(result(finding, index.get(finding.code), seen[key], notebook_file_line(finding, summary)))
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "binlint",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [rule_descriptor(rule) for rule in rules],
        }},
        "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [_invocation(summary)],
        "results": results,
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _invocation(summary: Summary) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": not summary.errors}
    notes = [{"level": "error", "message": {"text": scrub(error)}} for error in summary.errors]
    notes += [{"level": "note", "message": {"text": scrub(f"skipped {path}: {why}")}} for path, why in summary.skipped]
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation
