"""`binlint check --fix / --unsafe-fixes / --diff`, run as the installed command in a subprocess."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from binlint.testing import fake_key
from tests.helpers import BINLINT, run_cli

HTTP_BOT = '''import requests

BASE_URL = "http://api.binance.com"


def server_time():
    return requests.get(BASE_URL + "/api/v3/time", timeout=10).json()
'''
HTTPS_BOT = HTTP_BOT.replace("http://", "https://")


def run_bytes(*args: str, cwd: Path, input: bytes) -> subprocess.CompletedProcess[bytes]:
    """Run binlint with binary stdin/stdout (no newline translation)."""
    return subprocess.run([BINLINT, *args], cwd=cwd, input=input, capture_output=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})


def test_fix_rewrites_the_file_and_reports_what_remains(tmp_path):
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    (tmp_path / "clean.py").write_text(HTTPS_BOT)
    done = run_cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "bot.py").read_text() == HTTPS_BOT
    assert (tmp_path / "clean.py").read_text() == HTTPS_BOT
    assert "Fixed 1 finding (0 remaining)." in done.stdout
    assert "All checks passed!" in done.stdout
    again = run_cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    assert again.returncode == 0 and "Fixed" not in again.stdout


def test_json_after_fix_lists_only_remaining_findings(tmp_path):
    source = HTTP_BOT + '\n\ndef insecure():\n    return requests.get(BASE_URL, timeout=10, verify=False)\n'
    (tmp_path / "bot.py").write_text(source)
    done = run_cli("check", "--fix", "--no-cache", "--format", "json", "bot.py", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [(f["code"], f["line"], f["fix"]["applicability"]) for f in report["findings"]] == [
        ("BL501", 11, "advice")]
    assert report["summary"]["findings"] == 1
    assert (tmp_path / "bot.py").read_text() == source.replace("http://", "https://")


def test_diff_prints_the_patch_and_writes_nothing(tmp_path):
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    done = run_cli("check", "--diff", "--no-cache", "bot.py", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == (
        "--- bot.py\n+++ bot.py\n@@ -1,6 +1,6 @@\n import requests\n \n"
        '-BASE_URL = "http://api.binance.com"\n+BASE_URL = "https://api.binance.com"\n \n \n'
        " def server_time():\n"
    )
    assert "Would fix 1 finding." in done.stderr
    assert (tmp_path / "bot.py").read_text() == HTTP_BOT
    (tmp_path / "bot.py").write_text(HTTPS_BOT)
    clean = run_cli("check", "--diff", "--no-cache", "bot.py", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout == ""


def test_unsafe_fixes_need_their_flag(tmp_path):
    source = 'import requests\n\nrequests.get("https://api.binance.com/api/v3/time")\n'
    (tmp_path / "bot.py").write_text(source)
    safe_only = run_cli("check", "--fix", "--no-cache", "bot.py", cwd=tmp_path)
    assert safe_only.returncode == 1
    assert (tmp_path / "bot.py").read_text() == source
    assert "BL502" in safe_only.stdout and "[unsafe fix]" in safe_only.stdout
    assert "[unsafe fix] 1 fixable with `binlint check --unsafe-fixes` (no safe fixes)." in safe_only.stdout
    diff = run_cli("check", "--diff", "--unsafe-fixes", "--no-cache", "bot.py", cwd=tmp_path)
    assert diff.returncode == 1 and "+requests.get(\"https://api.binance.com/api/v3/time\", timeout=10)" in diff.stdout
    done = run_cli("check", "--unsafe-fixes", "--no-cache", "bot.py", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert (tmp_path / "bot.py").read_text() == source.replace('time")', 'time", timeout=10)')
    assert "Fixed 1 finding (0 remaining)." in done.stdout


def test_diff_never_prints_a_key(tmp_path):
    key, secret = fake_key("cli-diff-key"), fake_key("cli-diff-secret")
    source = (f'from binance.client import Client\n\n# old key: {key}\n'
              f'client = Client("{key}", "{secret}")\n')
    (tmp_path / "bot.py").write_text(source)
    done = run_cli("check", "--diff", "--unsafe-fixes", "--no-cache", "bot.py", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    output = done.stdout + done.stderr
    assert key not in output and secret not in output
    assert key[:4] + "…" + key[-2:] in done.stdout
    assert "+import os\n" in done.stdout
    assert '+client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])\n' in done.stdout
    assert (tmp_path / "bot.py").read_text() == source


def test_stdin_fix_prints_the_fixed_source_byte_for_byte(tmp_path):
    source = HTTP_BOT.replace("\n", "\r\n").encode()
    done = run_bytes("check", "--fix", "--no-cache", "-", "--stdin-filename", "bot.py", cwd=tmp_path, input=source)
    assert done.returncode == 0, done.stderr
    assert done.stdout == source.replace(b"http://", b"https://")
    assert b"Fixed 1 finding (0 remaining)." in done.stderr


def test_stdin_diff(tmp_path):
    done = run_bytes("check", "--diff", "--no-cache", "-", "--stdin-filename", "bot.py", cwd=tmp_path,
                     input=HTTP_BOT.encode())
    assert done.returncode == 1
    assert done.stdout.startswith(b"--- bot.py\n+++ bot.py\n")


def test_read_only_file_is_reported_and_others_fixed(tmp_path):
    # Mode bits decide, so this holds when the tests run as root too.
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(HTTP_BOT)
    (tmp_path / "b.py").chmod(0o444)
    done = run_cli("check", "--fix", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert done.returncode == 1  # b.py keeps its finding: the exit status is as usual, not 2
    assert "binlint: warning: b.py: not fixed: the file is read-only" in done.stderr
    assert (tmp_path / "a.py").read_text() == HTTPS_BOT
    assert (tmp_path / "c.py").read_text() == HTTPS_BOT
    assert (tmp_path / "b.py").read_text() == HTTP_BOT
    assert stat.S_IMODE((tmp_path / "b.py").stat().st_mode) == 0o444
    assert [f["path"] for f in json.loads(done.stdout)["findings"]] == ["b.py"]


def test_notebook_and_crlf_files_keep_their_form(tmp_path):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Bot\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [{"output_type": "stream",
         "name": "stdout", "text": ["http://api.binance.com\n"]}], "source": HTTP_BOT.splitlines(True)},
    ]
    notebook = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"
    (tmp_path / "bot.ipynb").write_text(notebook)
    crlf = HTTP_BOT.replace("\n", "\r\n").encode("utf-8")
    (tmp_path / "crlf.py").write_bytes(crlf)
    done = run_cli("check", "--fix", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Fixed 2 findings (0 remaining)." in done.stdout
    expected = notebook.replace('"BASE_URL = \\"http://', '"BASE_URL = \\"https://')
    assert (tmp_path / "bot.ipynb").read_text() == expected
    assert (tmp_path / "crlf.py").read_bytes() == crlf.replace(b"http://", b"https://")


def test_fix_with_the_cache_sees_the_fixed_file(tmp_path):
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    first = run_cli("check", "--fix", ".", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_cli("check", ".", cwd=tmp_path)
    assert second.returncode == 0 and "All checks passed!" in second.stdout
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    third = run_cli("check", "--diff", ".", cwd=tmp_path)
    assert third.returncode == 1 and "+BASE_URL = \"https://api.binance.com\"" in third.stdout


@pytest.mark.parametrize("flag", ["--fix", "--diff"])
def test_unparsable_file_is_left_alone(tmp_path, flag):
    source = 'import requests\nprint "http://api.binance.com"\n'
    (tmp_path / "bot.py").write_text(source)
    done = run_cli("check", flag, "--no-cache", "bot.py", cwd=tmp_path)
    assert (tmp_path / "bot.py").read_text() == source
    if flag == "--diff":
        assert (done.returncode, done.stdout) == (0, "")
    else:
        assert done.returncode == 1 and "BL001" in done.stdout and "Fixed" not in done.stdout


def test_many_files_are_fixed_on_several_processes(tmp_path):
    names = [f"bot{n:02}.py" for n in range(20)]  # past the engine's parallel threshold
    for name in names:
        (tmp_path / name).write_text(HTTP_BOT)
    (tmp_path / "bot07.py").chmod(0o444)
    done = run_cli("check", "--fix", "--no-cache", "--jobs", "2", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert "Fixed 19 findings (1 remaining)." in done.stdout
    assert "binlint: warning: bot07.py: not fixed: the file is read-only" in done.stderr
    assert [n for n in names if (tmp_path / n).read_text() == HTTPS_BOT] == [n for n in names if n != "bot07.py"]


ORDER_BOT = HTTP_BOT + '''
from binance.client import Client

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])


def buy():
    return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1)
'''.replace("import requests\n", "import os\n\nimport requests\n", 1)


def test_a_file_whose_fix_is_not_written_keeps_every_finding(tmp_path):
    # A --fix run checks a file with fixes to apply with the fixing rules only (the fixed text is
    # checked again); when the write is refused, the other rules run on it after all, and the
    # cache never keeps the shorter check for a later run.
    (tmp_path / "bot.py").write_text(ORDER_BOT)
    (tmp_path / "bot.py").chmod(0o444)
    done = run_cli("check", "--fix", "--format", "json", "bot.py", cwd=tmp_path)
    assert done.returncode == 1
    assert "binlint: warning: bot.py: not fixed: the file is read-only" in done.stderr
    assert [f["code"] for f in json.loads(done.stdout)["findings"]] == ["BL501", "BL401"]
    again = run_cli("check", "--format", "json", "bot.py", cwd=tmp_path)
    assert [f["code"] for f in json.loads(again.stdout)["findings"]] == ["BL501", "BL401"]
    (tmp_path / "bot.py").chmod(0o644)
    fixed = run_cli("check", "--fix", "--format", "json", "bot.py", cwd=tmp_path)
    assert [f["code"] for f in json.loads(fixed.stdout)["findings"]] == ["BL401"]
    assert (tmp_path / "bot.py").read_text() == ORDER_BOT.replace("http://", "https://")
