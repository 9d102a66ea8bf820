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
