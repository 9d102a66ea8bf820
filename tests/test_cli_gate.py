"""As a CI gate, `binlint check` never passes by mistake: a path or code that names nothing is
a usage error, every file not checked is noted and counted, and the summaries say what happened."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from binlint.codes import rule_codes
from binlint.rules import all_rules
from binlint.testing import fake_key
from tests.helpers import run_cli

HTTP_BOT = "import binance\nimport requests\nrequests.get('http://api.binance.com/api/v3/ping', timeout=5)\n"


def test_rule_codes_are_read_without_importing_the_rules() -> None:
    assert rule_codes() == tuple(rule.code for rule in all_rules())


# --- 1. paths that name nothing ----------------------------------------------------------


def test_a_mistyped_folder_fails_the_gate(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    done = run_cli("check", "nothere/", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "binlint: error: nothere/: no such file or folder\n"
    assert "All checks passed" not in done.stdout


def test_a_symlink_loop_given_directly_fails_the_gate(tmp_path: Path) -> None:
    os.symlink("loop", tmp_path / "loop")
    done = run_cli("check", "loop", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr == "binlint: error: loop: symlink loop\n"
    assert done.stdout == ""


def test_every_unreadable_path_is_named(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    done = run_cli("check", "a.py", "bot.py", "b/", "--format", "json", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["binlint: error: a.py: no such file or folder",
                                        "binlint: error: b/: no such file or folder"]


# --- 2. codes that match no rule -----------------------------------------------------------


@pytest.mark.parametrize("flag, code, near", [
    ("--select", "BL9", "did you mean BL5, BL4 or BL3?"),
    ("--ignore", "BL407", "did you mean BL406, BL405 or BL404?"),
    ("--select", "bl003", "did you mean BL002, BL001"),
])
def test_a_code_that_matches_no_rule_is_a_usage_error(tmp_path: Path, flag: str, code: str, near: str) -> None:
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    done = run_cli("check", flag, code, ".", cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith(f"binlint: error: {flag}: {code.upper()!r} matches no rule; {near}")
    assert done.stdout == ""


@pytest.mark.parametrize("table", [
    'select = ["BL9"]', 'ignore = ["BL60"]', 'per-file-ignores = {"x/*" = ["BL107"]}', 'severity = {BL999 = "info"}',
])
def test_a_config_code_that_matches_no_rule_is_a_config_error(tmp_path: Path, table: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.binlint]\n{table}\n")
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    done = run_cli("check", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "matches no rule; did you mean" in done.stderr and "pyproject.toml" in done.stderr


def test_codes_and_prefixes_that_match_rules_still_work(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    for select in ("BL", "BL5", "BL50", "BL501"):
        assert run_cli("check", "--select", select, ".", cwd=tmp_path).returncode == 1, select
    assert run_cli("check", "--ignore", "BL501", ".", cwd=tmp_path).returncode == 0


# --- 3. statistics -------------------------------------------------------------------------


def test_statistics_mark_safe_and_unsafe_fixes_apart_and_total(tmp_path: Path) -> None:
    key = fake_key("statistics")
    (tmp_path / "bot.py").write_text(
        "import requests\nfrom binance.client import Client\n"
        f"client = Client({key!r}, 'x')\n"  # BL101: unsafe fix
        "requests.get('http://api.binance.com/api/v3/ping', timeout=5)\n"  # BL501: safe fix
        "requests.get('https://api.binance.com/api/v3/time')\n"  # BL502: unsafe fix
        "requests.get('https://api.binance.com/api/v3/depth')\n"  # BL502
    )
    done = run_cli("check", "--statistics", "--no-cache", "--select", "BL101,BL501,BL502", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "2  BL502  [-] request-without-timeout",
        "1  BL101  [-] hardcoded-api-key",
        "1  BL501  [*] insecure-transport",
        "4 findings in all: [*] 1 fixable with `binlint check --fix`, [-] 3 more with `binlint check --unsafe-fixes`.",
    ]
    text = run_cli("check", "--no-cache", "--select", "BL502", ".", cwd=tmp_path)
    assert text.stdout.splitlines()[-1] == \
        "[unsafe fix] 2 fixable with `binlint check --unsafe-fixes` (no safe fixes)."
    assert "0 fixable" not in text.stdout


# --- 5. every file not checked is noted and counted ----------------------------------------


def test_a_binary_python_file_without_binance_bytes_is_noted(tmp_path: Path) -> None:
    (tmp_path / "blob.py").write_bytes(bytes(range(256)))
    done = run_cli("check", "blob.py", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stderr == "binlint: skipped blob.py: binary content (NUL bytes) in a Python file\n"
    assert "All checks passed" not in done.stdout
    assert done.stdout.splitlines() == [
        "No findings (0 files checked, 0 parsed).",
        "1 path skipped, not checked (the `binlint: skipped` lines say why).",
    ]


def test_links_that_lead_nowhere_in_a_walk_are_noted_and_counted(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bot.py").write_text("print('hello')\n")
    os.symlink("missing.py", tmp_path / "src" / "dangling.py")
    os.symlink("loop_b.py", tmp_path / "src" / "loop_a.py")
    os.symlink("loop_a.py", tmp_path / "src" / "loop_b.py")
    os.symlink("missing", tmp_path / "src" / "no-kind")  # not a file binlint would check: quiet
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    os.symlink("missing.py", tmp_path / "src" / "ignored.py")  # ignored: quiet
    done = run_cli("check", ".", cwd=tmp_path)
    assert done.returncode == 0
    assert sorted(done.stderr.splitlines()) == [
        "binlint: skipped src/dangling.py: dangling symlink (its target does not exist)",
        "binlint: skipped src/loop_a.py: symlink loop",
        "binlint: skipped src/loop_b.py: symlink loop",
    ]
    assert done.stdout.splitlines() == [
        "No findings (1 file checked, 0 parsed).",
        "3 paths skipped, not checked (the `binlint: skipped` lines say why).",
    ]
    statistics = run_cli("check", "--statistics", ".", cwd=tmp_path)
    assert "3 paths skipped, not checked" in statistics.stdout


def test_skips_beside_findings_are_counted(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text(HTTP_BOT)
    (tmp_path / "blob.py").write_bytes(b"\x00")
    done = run_cli("check", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1] == "1 path skipped, not checked (the `binlint: skipped` lines say why)."


# --- 6. baselines --------------------------------------------------------------------------


def test_update_baseline_says_what_it_recorded_and_where(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text(HTTP_BOT + "requests.get('http://api.binance.com/api/v3/time', timeout=5)\n")
    done = run_cli("check", "--no-cache", ".", "--update-baseline", "base.json", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == ("Recorded 2 findings in the baseline base.json (1 file checked, 1 parsed);"
                           " `--baseline base.json` hides them from now on.\n")
    assert "All checks passed" not in done.stdout
    as_json = run_cli("check", "--no-cache", ".", "--update-baseline", "base.json", "--format", "json", cwd=tmp_path)
    assert json.loads(as_json.stdout)["findings"] == []
    assert as_json.stderr == "binlint: recorded 2 findings in the baseline base.json\n"
    again = run_cli("check", "--no-cache", ".", "--baseline", "base.json", cwd=tmp_path)
    assert again.returncode == 0 and "2 findings hidden by the baseline." in again.stdout


# --- 8. example copies of scanned files ----------------------------------------------------


@pytest.mark.parametrize("name", [".user.cfg.example", "config.ini.sample", "prod.env.example", "keys.json.template",
                                  "settings.py.example"])
def test_example_copies_of_scanned_files_are_text_scanned(tmp_path: Path, name: str) -> None:
    key = fake_key("example " + name)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / name).write_text(f"BINANCE_API_KEY={key}\n")
    (tmp_path / "conf" / "notes.example").write_text(f"BINANCE_API_KEY={key}\n")  # no scanned kind below: passed by
    done = run_cli("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["findings"]
    assert [(f["path"], f["code"]) for f in found] == [(f"conf/{name}", "BL101")]
    assert key not in done.stdout
