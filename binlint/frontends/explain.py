"""`binlint rules` and `binlint explain CODE`: the docs, read from the rule modules."""

from __future__ import annotations

import json

from binlint.rules import all_rules, get_rule
from binlint.testing import display

_FIX_LABELS = {"safe": "safe fix", "unsafe": "unsafe fix", "advice": "advice only",
               "safe where exact": "safe fix where exact, else advice"}


def rules_table() -> str:
    rows = [(r.code, r.name, r.severity.label, _FIX_LABELS.get(r.fix, r.fix)) for r in all_rules()]
    widths = [max(len(row[i]) for row in rows + [("code", "name", "severity", "fix")]) for i in range(4)]
    header = ("code", "name", "severity", "fix")
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)
    return "\n".join(lines) + "\n"


def rules_json() -> str:
    return json.dumps(
        [{"code": r.code, "name": r.name, "severity": r.severity.label, "fix": r.fix, "summary": r.summary()}
         for r in all_rules()],
        indent=2,
    ) + "\n"


def rules_markdown() -> str:
    """The rule table as Markdown (the README's copy is checked against it by a test)."""
    lines = ["| code | name | severity | fix | what it finds |", "|---|---|---|---|---|"]
    for r in all_rules():
        summary = r.summary().replace("|", "\\|")
        lines.append(f"| {r.code} | {r.name} | {r.severity.label} | {_FIX_LABELS.get(r.fix, r.fix)} | {summary} |")
    return "\n".join(lines) + "\n"


def explain_rule(code: str) -> str | None:
    rule = get_rule(code)
    if rule is None:
        return None
    head = f"# {rule.name} ({rule.code})\n\nSeverity: {rule.severity.label}. Fix: {_FIX_LABELS.get(rule.fix, rule.fix)}.\n\n"
    return head + display(rule.doc()) + "\n"
