"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

`::error file=bot.py,line=12,col=5,endLine=12,endColumn=40,title=BL302 (timestamp-not-milliseconds)::…`
GitHub shows these on the pull request's diff. Notebook findings name their cell and line in
the message and are placed on the line of the .ipynb file that holds that line of the cell.
"""

from __future__ import annotations

from binlint.model import Finding, Severity
from binlint.report import Summary, notebook_file_line

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message (actions/toolkit `escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (actions/toolkit `escapeProperty`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, file_line: int | None = None) -> str:
    """The workflow command of one finding; `file_line` places a notebook finding in the .ipynb file."""
    properties = [("file", finding.path)]
    if file_line is not None:
        properties.append(("line", str(file_line)))
        properties.append(("endLine", str(file_line)))
    elif finding.cell is None:
        properties.append(("line", str(finding.line)))
        properties.append(("endLine", str(max(finding.end_line, finding.line))))
        # GitHub takes columns only for annotations on a single line.
        if finding.end_line == finding.line:
            properties.append(("col", str(finding.column)))
            properties.append(("endColumn", str(max(finding.end_column, finding.column))))
    properties.append(("title", f"{finding.code} ({finding.name})"))
    where = f"cell {finding.cell}, line {finding.line}: " if finding.cell is not None else ""
    message = f"{where}{finding.message}\nHelp: {finding.fix.text}"
    props = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{COMMANDS[finding.severity]} {props}::{escape_data(message)}\n"


def render(findings: list[Finding], summary: Summary) -> str:
    return "".join(annotation(f, notebook_file_line(f, summary)) for f in findings)
