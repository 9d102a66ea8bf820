"""`--format github`: GitHub Actions workflow commands that annotate the pull request."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from binlint.model import Fix, Finding, Severity
from binlint.report import Summary
from binlint.report.github_format import escape_data, escape_property, render
from binlint.rules import get_rule
from binlint.testing import fake_key
from tests.helpers import run_cli

# ::level key=value,key=value::message — values and message escaped, so no raw `,` `:` or newline.
COMMAND = re.compile(
    r"^::(?P<level>error|warning|notice) "
    r"(?P<props>(?:[A-Za-z]+=[^,:\r\n]*)(?:,[A-Za-z]+=[^,:\r\n]*)*)"
    r"::(?P<message>[^\r\n]*)$"
)


def parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, f"not a workflow command: {line!r}"
    props = dict(item.split("=", 1) for item in match.group("props").split(","))
    return match.group("level"), props, match.group("message")


def finding(**changes: Any) -> Finding:
    values: dict[str, Any] = dict(
        path="bot/trade.py", line=12, column=5, end_line=12, end_column=40, code="BL302",
        name="timestamp-not-milliseconds", severity=Severity.ERROR, message="`ts` is in seconds",
        fix=Fix("Use int(time.time() * 1000)."),
    )
    values.update(changes)
    return Finding(**values)


def test_one_annotation_per_finding() -> None:
    output = render([finding(), finding(severity=Severity.WARNING), finding(severity=Severity.INFO)], Summary())
    lines = output.splitlines()
    assert [parse(line)[0] for line in lines] == ["error", "warning", "notice"]
    level, props, message = parse(lines[0])
    assert props == {"file": "bot/trade.py", "line": "12", "endLine": "12", "col": "5", "endColumn": "40",
                     "title": "BL302 (timestamp-not-milliseconds)"}
    assert message == "`ts` is in seconds%0AHelp: Use int(time.time() * 1000)."


def test_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    weird = finding(path="dir,with:odd/na%me.py", message="line one\nline two: 50%, done")
    [line] = render([weird], Summary()).splitlines()
    _, props, message = parse(line)
    assert props["file"] == "dir%2Cwith%3Aodd/na%25me.py"
    assert message.startswith("line one%0Aline two: 50%25, done%0AHelp: ")


def test_multi_line_span_has_no_columns() -> None:
    [line] = render([finding(end_line=14, end_column=3)], Summary()).splitlines()
    _, props, _ = parse(line)
    assert props["line"] == "12" and props["endLine"] == "14"
    assert "col" not in props and "endColumn" not in props


def test_notebook_finding_whose_file_cannot_be_read_names_the_cell_only() -> None:
    [line] = render([finding(path="research.ipynb", cell=3, line=2, end_line=2)], Summary()).splitlines()
    _, props, message = parse(line)
    assert "line" not in props
    assert message.startswith("cell 3, line 2: ")


def test_cli(tmp_path: Path) -> None:
    (tmp_path / "old.py").write_text('import binance\nprint "placing order"\n')
    done = run_cli("check", "--format", "github", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    [line] = done.stdout.splitlines()
    level, props, _ = parse(line)
    assert level == "warning" and props["file"] == "old.py" and props["line"] == "2"
    assert props["title"] == "BL001 (unparsable-file)"
    clean = run_cli("check", "--format", "github", "--no-cache", "old.py", "--ignore", "BL001", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout == ""


@pytest.mark.skipif(get_rule("BL101") is None, reason="BL101 (hard-coded API key) is not written yet")
def test_no_whole_key_in_annotations(tmp_path: Path) -> None:
    key = fake_key("github")
    (tmp_path / "bot.py").write_text(f'from binance.client import Client\nclient = Client("{key}", "x")\n')
    done = run_cli("check", "--format", "github", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert key not in done.stdout + done.stderr
    assert any(parse(line)[1]["title"].startswith("BL101") for line in done.stdout.splitlines())
