"""`--format text` (the default): each finding with its fix, then a summary line."""

from __future__ import annotations

from binlint.model import Applicability, Finding, Severity
from binlint.report import Summary
from binlint.report.concise_format import location

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_finding(finding: Finding, color: bool) -> str:
    where = _paint(location(finding), "1", color)
    code = _paint(finding.code, "1;" + _COLORS[finding.severity], color)
    severity = _paint(finding.severity.label, _COLORS[finding.severity], color)
    marker = ""
    if finding.fix.edits:
        marker = " [*]" if finding.fix.applicability is Applicability.SAFE else " [unsafe fix]"
    help_label = _paint("help", "1;32", color)
    return f"{where}: {code} {finding.message} ({severity}){marker}\n  {help_label}: {finding.fix.text}\n"


def fix_hint(findings: list[Finding]) -> str | None:
    """How many findings `--fix` and `--unsafe-fixes` can fix, or None when none."""
    safe = sum(1 for f in findings if f.fix.edits and f.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for f in findings if f.fix.edits and f.fix.applicability is Applicability.UNSAFE)
    if safe and unsafe:
        return f"[*] {safe} fixable with `binlint check --fix` ({unsafe} more with `--unsafe-fixes`)."
    if safe:
        return f"[*] {safe} fixable with `binlint check --fix`."
    if unsafe:
        return f"[unsafe fix] {unsafe} fixable with `binlint check --unsafe-fixes` (no safe fixes)."
    return None


def summary_line(findings: list[Finding], summary: Summary) -> str:
    lines = []
    checked = f"{_plural(summary.checked, 'file')} checked, {summary.parsed} parsed"
    if summary.fixed:
        lines.append(f"Fixed {_plural(summary.fixed, 'finding')} ({len(findings)} remaining).")
    if summary.baseline_recorded is not None:
        count, path = summary.baseline_recorded
        lines.append(f"Recorded {_plural(count, 'finding')} in the baseline {path} ({checked}); "
                     f"`--baseline {path}` hides them from now on.")
    elif not findings:
        if summary.skipped:
            lines.append(f"No findings ({checked}).")
        else:
            lines.append(f"All checks passed! ({checked})")
    else:
        counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
        parts = [_plural(counts[Severity.ERROR], "error"), _plural(counts[Severity.WARNING], "warning"),
                 f"{counts[Severity.INFO]} info"]
        lines.append(f"Found {_plural(len(findings), 'finding')} in {_plural(len({f.path for f in findings}), 'file')}"
                     f" ({', '.join(parts)}).")
        hint = fix_hint(findings)
        if summary.show_fixes and hint:
            lines.append(hint)
    if summary.skipped:
        lines.append(f"{_plural(len(summary.skipped), 'path')} skipped, not checked (the `binlint: skipped` "
                     "lines say why).")
    if summary.baseline_hidden:
        lines.append(f"{_plural(summary.baseline_hidden, 'finding')} hidden by the baseline.")
    return "\n".join(lines) + "\n"


def render(findings: list[Finding], summary: Summary) -> str:
    body = "".join(render_finding(f, summary.color) for f in findings)
    return body + ("\n" if body else "") + summary_line(findings, summary)
