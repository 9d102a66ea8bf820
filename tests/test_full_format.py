"""`--format full`: the source line with carets under the span (the default on a terminal);
`text` (the default when piped) and `concise` keep their forms."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

from tests.helpers import BINLINT, run_cli

HTTP_BOT = "import binance\nimport requests\nrequests.get('http://api.binance.com/api/v3/ping', timeout=5)\n"
HTTP_SHOWN = [
    "bot.py:3:14: BL501 (error) [*] `http://api.binance.com` sends the API key, the signed query and",
    "    account data in clear text: anyone on the network path can read or change them.",
    "  |",
    "3 | requests.get('http://api.binance.com/api/v3/ping', timeout=5)",
    "  |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
    "  |",
    "  = help: Use `https://api.binance.com`.",
]


def _project(tmp_path: Path) -> Path:
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    return tmp_path


def test_full_shows_the_line_and_carets_under_the_span(tmp_path: Path) -> None:
    done = run_cli("check", "--no-cache", "--format", "full", "bot.py", cwd=_project(tmp_path), env={"COLUMNS": "100"})
    assert done.returncode == 1
    assert done.stdout.splitlines() == HTTP_SHOWN + [
        "", "Found 1 finding in 1 file (1 error, 0 warnings, 0 info).", "[*] 1 fixable with `binlint check --fix`."]


def test_full_is_the_default_on_a_terminal(tmp_path: Path) -> None:
    _project(tmp_path)
    main, secondary = pty.openpty()
    try:
        done = subprocess.run([BINLINT, "check", "--no-cache", "bot.py"], cwd=tmp_path, stdout=secondary,
                              stderr=subprocess.PIPE, timeout=120, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"})
        os.close(secondary)
        output = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal is closed once everything is read
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(main)
    assert done.returncode == 1
    assert output.decode().replace("\r\n", "\n").splitlines()[:len(HTTP_SHOWN)] == HTTP_SHOWN


def test_piped_output_keeps_the_text_form_and_concise_its_one_line(tmp_path: Path) -> None:
    _project(tmp_path)
    piped = run_cli("check", "--no-cache", "bot.py", cwd=tmp_path)
    assert piped.stdout.splitlines()[:2] == [
        "bot.py:3:14: BL501 `http://api.binance.com` sends the API key, the signed query and account data in clear"
        " text: anyone on the network path can read or change them. (error) [*]",
        "  help: Use `https://api.binance.com`.",
    ]
    assert run_cli("check", "--no-cache", "--format", "text", "bot.py", cwd=tmp_path).stdout == piped.stdout
    concise = run_cli("check", "--no-cache", "--output-format", "concise", "bot.py", cwd=tmp_path)
    assert concise.stdout.splitlines() == [
        "bot.py:3:14: BL501 [*] `http://api.binance.com` sends the API key, the signed query and account data in"
        " clear text: anyone on the network path can read or change them."]


def test_long_messages_wrap_to_the_terminal(tmp_path: Path) -> None:
    _project(tmp_path)
    done = run_cli("check", "--no-cache", "--format", "full", "bot.py", cwd=tmp_path, env={"COLUMNS": "60"})
    lines = done.stdout.splitlines()
    source = "3 | requests.get('http://api.binance.com/api/v3/ping', timeout=5)"
    assert source in lines  # source lines are never wrapped
    assert all(len(line) <= 60 for line in lines if line != source and "^" not in line), lines
    assert lines[1].startswith("    ") and lines[0].startswith("bot.py:3:14: BL501 (error) [*] ")


def test_multi_line_spans_tabs_control_characters_and_quiet(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text(
        "import binance\nimport requests\n\n"
        "def f():\n"
        "\tx = '\x1b[31m'; requests.get('https://api.binance.com/api/v3/time',\n"
        "\t\tparams={})\n")
    done = run_cli("check", "--no-cache", "--format", "full", "--quiet", "--select", "BL502", "bot.py", cwd=tmp_path,
                   env={"COLUMNS": "200"})
    lines = done.stdout.splitlines()
    assert "\x1b" not in done.stdout  # a terminal escape in the source is shown as a replacement character
    start = next(i for i, line in enumerate(lines) if line.startswith("5 |"))
    assert lines[start - 1:start + 5] == [
        "  |",
        "5 |     x = '\ufffd[31m'; requests.get('https://api.binance.com/api/v3/time',",
        "  | " + " " * len("    x = '?[31m'; ") + "^" * len("requests.get('https://api.binance.com/api/v3/time',"),
        "6 |         params={})",
        "  |         ^^^^^^^^^^",
        "  |",
    ]
    assert "Found" not in done.stdout  # --quiet: findings only


def test_notebook_cells_and_stdin_show_their_own_lines(tmp_path: Path) -> None:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}
             for source in (["import binance\n", "import requests\n"],
                            ["x = 1\n", "requests.get('http://api.binance.com/api/v3/ping', timeout=5)\n"])]
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                                    "nbformat_minor": 5}, indent=1))
    done = run_cli("check", "--no-cache", "--format", "full", "nb.ipynb", cwd=tmp_path, env={"COLUMNS": "100"})
    assert done.stdout.startswith("nb.ipynb:cell 1:2:14: BL501 ")
    assert "2 | requests.get('http://api.binance.com/api/v3/ping', timeout=5)\n" in done.stdout
    piped = run_cli("check", "--format", "full", "-", "--stdin-filename", "x.py", input=HTTP_BOT.encode(),
                    env={"COLUMNS": "100"})
    assert piped.stdout.splitlines()[:len(HTTP_SHOWN)] == [line.replace("bot.py", "x.py") for line in HTTP_SHOWN]


def test_a_very_long_line_is_shown_around_the_span(tmp_path: Path) -> None:
    padding = "x = [" + "1, " * 2000 + "]; "
    (tmp_path / "bot.py").write_text("import binance\nimport requests\n" + padding
                                     + "requests.get('http://api.binance.com/api/v3/ping', timeout=5)\n")
    done = run_cli("check", "--no-cache", "--format", "full", "bot.py", cwd=tmp_path)
    [shown] = [line for line in done.stdout.splitlines() if line.startswith("3 | ")]
    assert len(shown) < 500 and shown.startswith("3 | …") and "'http://api.binance.com/api/v3/ping'" in shown
    [carets] = [line for line in done.stdout.splitlines() if "^" in line]
    assert shown[carets.index("^"):].startswith("'http://api.binance.com/api/v3/ping'")
