"""The output formats of `binlint history`: those of `check`, each finding with its commit.

Built on the `check` reporters (redaction, escaping and SARIF rule descriptors live
there once); this module adds the commit, its date, the count of later commits and
whether the credential is still at HEAD.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from binlint import __version__
from binlint.model import Finding, Severity, scrub
from binlint.report import Summary
from binlint.report import github_format, json_format, sarif_format
from binlint.report.concise_format import location
from binlint.frontends.history.scan import HistoryFinding, HistoryScan


def where(item: HistoryFinding) -> str:
    """`commit 1a2b3c4 (2024-05-01), at HEAD` and how many later commits held it."""
    status = "at HEAD" if item.at_head else "only in history"
    later = ""
    if item.later_commits:
        later = f"; {item.later_commits} later commit{'' if item.later_commits == 1 else 's'} added it again"
    return f"commit {item.short} ({item.date[:10]}), {status}{later}"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def summary_line(items: list[HistoryFinding], scan: HistoryScan, hidden: int) -> str:
    line = f"{_plural(scan.commits, 'commit')} scanned: "
    if not items:
        line += "no credential found."
    else:
        present = sum(1 for item in items if item.at_head)
        line += (f"found {_plural(len(items), 'credential')} "
                 f"({present} at HEAD, {len(items) - present} only in history).")
    if hidden:
        line += f"\n{_plural(hidden, 'credential')} hidden by the baseline."
    return line + "\n"


def render_item(item: HistoryFinding, color: bool = False) -> str:
    """One finding as `check` prints it, with its commit on the line after the location."""
    from binlint.report.text_format import render_finding

    first, _, rest = render_finding(item.finding, color).partition("\n")
    return f"{first}\n  {where(item)}\n{rest}"


def render_text(items: list[HistoryFinding], scan: HistoryScan, hidden: int, color: bool = False) -> str:
    body = "".join(render_item(item, color) for item in items)
    return body + ("\n" if body else "") + summary_line(items, scan, hidden)


def render_concise(items: list[HistoryFinding], scan: HistoryScan, hidden: int, color: bool = False) -> str:
    return "".join(f"{location(i.finding)}: {i.finding.code} [{i.short} {i.date[:10]}, "
                   f"{'at HEAD' if i.at_head else 'only in history'}] {i.finding.message}\n" for i in items)


def history_fields(item: HistoryFinding) -> dict[str, Any]:
    return {"commit": item.commit, "date": item.date, "at_head": item.at_head,
            "later_commits": item.later_commits, "fingerprint": item.finding.fingerprint}


def render_json(items: list[HistoryFinding], scan: HistoryScan, hidden: int, color: bool = False) -> str:
    findings = [{**json_format.finding_dict(i.finding), **history_fields(i)} for i in items]
    document = {
        "version": __version__,
        "findings": findings,
        "summary": {
            "commits": scan.commits,
            "findings": len(items),
            "at_head": sum(1 for i in items if i.at_head),
            "by_code": Summary().by_code([i.finding for i in items]),
            "baseline_hidden": hidden,
            "skipped": dict(sorted(scan.skipped.items())),
            "notes": [scrub(note) for note in scan.notes],
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_github(items: list[HistoryFinding], scan: HistoryScan, hidden: int, color: bool = False) -> str:
    return "".join(github_format.annotation(_with_commit(i)) for i in items)


def _with_commit(item: HistoryFinding) -> Finding:
    return item.finding.with_changes(message=f"In {where(item)}: {item.finding.message}")


def render_sarif(items: list[HistoryFinding], scan: HistoryScan, hidden: int, color: bool = False,
                 root: str | None = None) -> str:
    from binlint.rules import all_rules

    rules = all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for item in items:
        result = sarif_format.result(_with_commit(item), index.get(item.finding.code), 1)
        location = result["locations"][0]
        location["physicalLocation"]["artifactLocation"] = {
            "uri": quote(item.finding.path.encode("utf-8", "surrogateescape")), "uriBaseId": sarif_format.SRCROOT}
        properties = {"commit": item.commit, "date": item.date, "atHead": item.at_head,
                      "laterCommits": item.later_commits}
        location["properties"] = properties
        result["properties"].update(properties)
        results.append(result)
    base = Path(root or ".").resolve().as_uri().rstrip("/") + "/"
    notes = [{"level": "error", "message": {"text": scrub(error)}} for error in scan.errors]
    notes += [{"level": "note", "message": {"text": scrub(note)}} for note in scan.notes]
    invocation: dict[str, Any] = {"executionSuccessful": not scan.errors}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "binlint", "version": __version__, "semanticVersion": __version__,
            "informationUri": sarif_format.INFORMATION_URI,
            "rules": [sarif_format.rule_descriptor(rule) for rule in rules],
        }},
        "originalUriBaseIds": {sarif_format.SRCROOT: {"uri": base}},
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation],
        "results": results,
    }
    document = {"$schema": sarif_format.SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text, "concise": render_concise, "json": render_json, "sarif": render_sarif,
    "github": render_github,
}
FORMATS = tuple(RENDERERS)  # `binlint history --format` choices


def failing(items: list[HistoryFinding], severity: Severity) -> bool:
    return any(item.finding.severity >= severity for item in items)
