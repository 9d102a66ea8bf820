"""Secrets in Jupyter notebooks: code cells parsed (magics and shell escapes tolerated), other cells text-scanned."""

from __future__ import annotations

import json
from pathlib import Path

from binlint.testing import fake_key
from tests.helpers import check_source, run_cli

KEY, SECRET = fake_key("nb-key"), fake_key("nb-secret")


def notebook(*cells: str | tuple[str, str]) -> str:
    """A notebook whose cells are code (a string) or (cell_type, source)."""
    made = []
    for cell in cells:
        kind, source = ("code", cell) if isinstance(cell, str) else cell
        entry = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            entry.update({"execution_count": None, "outputs": []})
        made.append(entry)
    return json.dumps({"cells": made, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def located(text: str) -> list[tuple[str, int | None, int, int]]:
    result = check_source(text, "research.ipynb")
    assert not result.errors, result.errors
    return [(f.code, f.cell, f.line, f.column) for f in result.findings if f.code.startswith(("BL0", "BL1"))]


def test_key_in_a_later_cell_has_its_cell_and_cell_relative_line():
    text = notebook(
        ("markdown", "# Research\nBinance keys below."),
        "!pip install python-binance\n%load_ext autoreload\nfrom binance.client import Client\n",
        "x = 1\n\nclient = Client(\n    api_key=\"" + KEY + "\",\n    api_secret=SECRET,\n)\n",
    )
    assert located(text) == [("BL101", 2, 4, 13)]


def test_magics_shell_escapes_and_help_lines_do_not_break_parsing():
    text = notebook(
        "%matplotlib inline\n!pip install ccxt\nfiles = !ls\nimport ccxt\nccxt.binance?\n",
        "%%time\nexchange = ccxt.binance({\"apiKey\": \"" + KEY + "\", \"secret\": \"" + SECRET + "\"})\n",
    )
    result = check_source(text, "research.ipynb")
    assert result.parsed
    assert [(f.code, f.cell, f.line) for f in result.findings if f.code.startswith("BL1")] == [
        ("BL101", 1, 2), ("BL102", 1, 2)]


def test_bash_cell_gets_the_text_scan_in_its_own_cell():
    text = notebook(
        "import os\n",
        "%%bash\n# credentials for the demo\nexport BINANCE_API_SECRET=" + SECRET + "\n",
        "print(1)\n",
    )
    assert located(text) == [("BL102", 1, 3, 27)]


def test_a_cell_that_does_not_parse_still_gets_its_keys_found():
    text = notebook(
        "from binance.client import Client\n",
        "print 'python 2'\nclient = Client(\"" + KEY + "\", \"" + SECRET + "\")\n",
    )
    found = located(text)
    assert ("BL001", 1, 1, 1) in found
    assert [(c, cell, line) for c, cell, line, _ in found if c != "BL001"] == [("BL101", 1, 2), ("BL102", 1, 2)]


def test_exposure_in_a_notebook_cell():
    text = notebook(
        "import os\nfrom binance.client import Client\nsecret = os.environ['BINANCE_API_SECRET']\n",
        "print(secret)\n",
    )
    assert located(text) == [("BL104", 1, 1, 1)]


def test_unsafe_fix_rewrites_only_the_cell_and_hides_the_key(tmp_path: Path):
    path = tmp_path / "research.ipynb"
    path.write_text(notebook(
        ("markdown", "notes"),
        "import os\nfrom binance.client import Client\n",
        "client = Client(\"" + KEY + "\", os.environ[\"BINANCE_API_SECRET\"])\n",
    ))
    done = run_cli("check", "research.ipynb", "--format", "json", "--no-cache", cwd=tmp_path)
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["code"] == "BL101"]
    assert (finding["cell"], finding["line"]) == (2, 1)
    assert KEY not in done.stdout
    fixed = run_cli("check", "research.ipynb", "--unsafe-fixes", "--no-cache", cwd=tmp_path)
    assert KEY not in fixed.stdout + fixed.stderr
    cells = json.loads(path.read_text())["cells"]
    assert "".join(cells[2]["source"]) == 'client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])\n'
    assert cells[0]["source"] == ["notes"]
    assert KEY not in path.read_text()


def _file_line(path: Path, source_line: str) -> int:
    """The line of the .ipynb file that holds this source line (as nbformat writes it: one JSON string a line)."""
    [number] = [n for n, line in enumerate(path.read_text().splitlines(), 1) if json.dumps(source_line) in line]
    return number


def test_positions_mean_one_thing_in_every_format(tmp_path: Path):
    """Messages name lines in the numbering of the location (cell-relative); SARIF and GitHub
    annotations land on the line of the .ipynb file that holds the cell's line."""
    key_line, secret_line, request_line = f'API_KEY = "{KEY}"\n', f'API_SECRET = "{SECRET}"\n', \
        'requests.get("https://api.binance.com/api/v3/account", params=p)\n'
    first = "import requests\nfrom binance.client import Client\n" + "x = 1\n" * 18 + key_line  # key: line 21
    second = "y = 2\n" * 11 + secret_line + "client = Client(API_KEY, API_SECRET)\n" + request_line  # 12, 13, 14
    path = tmp_path / "research.ipynb"
    path.write_text(notebook(("markdown", "# notes"), first, second))
    done = run_cli("check", "--no-cache", "--format", "json", "research.ipynb", cwd=tmp_path)
    found = {f["code"]: f for f in json.loads(done.stdout)["findings"]}
    assert (found["BL101"]["cell"], found["BL101"]["line"]) == (1, 21)
    assert (found["BL102"]["cell"], found["BL102"]["line"]) == (2, 12)
    assert (found["BL502"]["cell"], found["BL502"]["line"]) == (2, 14)
    assert "on line 13 of cell 2" in found["BL101"]["message"]
    assert "(line 12 of cell 2)" in found["BL101"]["message"]
    assert "(line 21 of cell 1)" in found["BL102"]["message"] and "on line 13 " in found["BL102"]["message"]
    assert "`requests.get(...)` on line 14 " in found["BL502"]["message"]
    text = run_cli("check", "--no-cache", "--format", "concise", "research.ipynb", cwd=tmp_path).stdout
    assert "research.ipynb:cell 2:14:1: BL502 " in text

    sarif = json.loads(run_cli("check", "--no-cache", "--format", "sarif", "research.ipynb", cwd=tmp_path).stdout)
    regions = {r["ruleId"]: (r["locations"][0]["physicalLocation"]["region"], r["message"]["text"])
               for r in sarif["runs"][0]["results"]}
    for code, source_line in (("BL101", key_line), ("BL102", secret_line), ("BL502", request_line)):
        region, message = regions[code]
        assert region == {"startLine": _file_line(path, source_line), "endLine": _file_line(path, source_line)}
        assert message.startswith(f"(notebook cell {found[code]['cell']}, line {found[code]['line']}) ")
    from tests.test_sarif import validate

    validate(sarif)

    github = run_cli("check", "--no-cache", "--format", "github", "research.ipynb", cwd=tmp_path).stdout
    [annotation] = [line for line in github.splitlines() if "BL502" in line]
    file_line = _file_line(path, request_line)
    assert f"line={file_line},endLine={file_line}," in annotation
    assert "::cell 2, line 14: " in annotation
    assert KEY not in github + json.dumps(sarif) + text


def test_a_one_string_source_and_stdin_are_placed_too(tmp_path: Path):
    document = json.loads(notebook("import requests\nimport binance\n"))
    document["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                              "source": "x = 1\nrequests.get('https://api.binance.com/api/v3/time')\n"})
    text = json.dumps(document, indent=1)
    expected = next(n for n, line in enumerate(text.splitlines(), 1) if '"x = 1\\n' in line)
    done = run_cli("check", "--format", "github", "-", "--stdin-filename", "nb.ipynb", input=text.encode())
    assert f"file=nb.ipynb,line={expected},endLine={expected}," in done.stdout
    assert "::cell 1, line 2: " in done.stdout
