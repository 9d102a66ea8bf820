"""The installed `binlint` command, run in a subprocess as users and CI run it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from binlint import __version__
from binlint.rules import all_rules
from tests.helpers import run_cli

BROKEN = "import binance\n\ndef f(:\n    pass\n"  # BL001 at line 3
CLEAN = "from binance.client import Client\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "broken.py").write_text(BROKEN)
    (tmp_path / "bot" / "clean.py").write_text(CLEAN)
    (tmp_path / "notes.md").write_text("nothing to see")
    return tmp_path


def test_rules_lists_every_rule_with_severity_and_fix():
    done = run_cli("rules")
    assert done.returncode == 0
    for rule in all_rules():
        line = next(line for line in done.stdout.splitlines() if line.startswith(rule.code))
        assert rule.name in line and rule.severity.label in line


def test_rules_json_is_machine_readable():
    done = run_cli("rules", "--format", "json")
    codes = [row["code"] for row in json.loads(done.stdout)]
    assert codes == [rule.code for rule in all_rules()]


def test_explain_prints_the_rule_docs():
    done = run_cli("explain", "bl001")
    assert done.returncode == 0
    assert done.stdout.startswith("# unparsable-file (BL001)")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert heading in done.stdout


def test_explain_unknown_code_is_a_usage_error():
    done = run_cli("explain", "BL999")
    assert done.returncode == 2
    assert "BL999" in done.stderr


def test_version():
    assert __version__ in run_cli("--version").stdout


def test_findings_give_exit_1_and_text_output(project: Path):
    done = run_cli("check", "bot", cwd=project)
    assert done.returncode == 1, done.stderr
    assert "bot/broken.py:3:" in done.stdout and "BL001" in done.stdout
    assert "help:" in done.stdout
    assert "\x1b[" not in done.stdout  # piped output is plain


def test_clean_tree_gives_exit_0(project: Path):
    done = run_cli("check", "bot/clean.py", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All checks passed" in done.stdout


def test_json_output_has_exactly_the_documented_fields(project: Path):
    done = run_cli("check", "bot", "--format", "json", cwd=project)
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert set(document) == {"version", "findings", "summary"}
    assert document["version"] == __version__
    assert set(document["summary"]) == {"files", "parsed", "findings", "by_code"}
    assert document["summary"]["files"] == 2
    assert document["summary"]["by_code"] == {"BL001": 1}
    finding = document["findings"][0]
    assert set(finding) == {"path", "line", "column", "end_line", "end_column", "code", "name", "severity",
                            "message", "cell", "fix"}
    assert set(finding["fix"]) == {"text", "applicability", "edits"}
    assert finding["path"] == "bot/broken.py"  # relative, as given
    assert (finding["line"], finding["code"], finding["severity"], finding["cell"]) == (3, "BL001", "warning", None)


def test_absolute_paths_stay_absolute(project: Path):
    target = project / "bot" / "broken.py"
    document = json.loads(run_cli("check", str(target), "--format", "json").stdout)
    assert document["findings"][0]["path"] == str(target)


def test_concise_output_is_one_line_a_finding(project: Path):
    done = run_cli("check", "bot", "--format", "concise", cwd=project)
    assert done.stdout.splitlines() == [next(line for line in done.stdout.splitlines())]
    assert done.stdout.startswith("bot/broken.py:3:")


def test_severity_threshold_and_exit_zero(project: Path):
    assert run_cli("check", "bot", "--severity", "error", cwd=project).returncode == 0  # BL001 is a warning
    assert run_cli("check", "bot", "--severity", "info", cwd=project).returncode == 1
    assert run_cli("check", "bot", "--exit-zero", cwd=project).returncode == 0


def test_select_and_ignore(project: Path):
    assert run_cli("check", "bot", "--select", "BL1", cwd=project).returncode == 0
    assert run_cli("check", "bot", "--ignore", "BL00", cwd=project).returncode == 0
    assert run_cli("check", "bot", "--select", "BL0", "--ignore", "BL", cwd=project).returncode == 1
    bad = run_cli("check", "bot", "--select", "E501", cwd=project)
    assert bad.returncode == 2 and "E501" in bad.stderr


def test_quiet_prints_findings_only(project: Path):
    done = run_cli("check", "bot", "--quiet", cwd=project)
    assert done.returncode == 1
    assert "Found" not in done.stdout and "BL001" in done.stdout


def test_statistics(project: Path):
    done = run_cli("check", "bot", "--statistics", cwd=project)
    assert done.returncode == 1
    assert done.stdout.splitlines() == ["1  BL001      unparsable-file", "1 finding in all."]


def test_stdin_with_a_filename():
    done = run_cli("check", "-", "--stdin-filename", "bot/x.py", "--format", "json", input=BROKEN.encode())
    assert done.returncode == 1
    finding = json.loads(done.stdout)["findings"][0]
    assert (finding["path"], finding["line"]) == ("bot/x.py", 3)


def test_stdin_without_binance_content_is_clean():
    done = run_cli("check", "-", input=b"print('hello')\n")
    assert done.returncode == 0


def test_no_cache_and_jobs_are_accepted(project: Path):
    assert run_cli("check", "bot", "--no-cache", "--jobs", "2", cwd=project).returncode == 1


def test_missing_path_is_a_usage_error_not_a_pass(project: Path):
    done = run_cli("check", "nope.py", "bot/clean.py", cwd=project)
    assert done.returncode == 2
    assert "binlint: error: nope.py: no such file or folder" in done.stderr and "Traceback" not in done.stderr
    assert "All checks passed" not in done.stdout


@pytest.mark.parametrize(
    "table, words",
    [
        ("colour = 'red'", ["colour"]),
        ("select = 'BL1'", ["select", "list"]),
        ("select = ['XX1']", ["select", "XX1"]),
        ("recv-window-warn = -5", ["recv-window-warn"]),
        ("severity = {BL101 = 'fatal'}", ["severity.BL101"]),
        ("env-var-names = {api-token = 'X'}", ["env-var-names.api-token"]),
        ("max-file-size = 'big'", ["max-file-size"]),
    ],
)
def test_bad_config_exits_2_naming_the_key(project: Path, table: str, words: list[str]):
    (project / "pyproject.toml").write_text(f"[tool.binlint]\n{table}\n")
    done = run_cli("check", "bot", cwd=project)
    assert done.returncode == 2
    for word in words:
        assert word in done.stderr
    assert "Traceback" not in done.stderr


def test_invalid_toml_is_a_config_error(project: Path):
    (project / "binlint.toml").write_text("select = [\n")
    done = run_cli("check", "bot", cwd=project)
    assert done.returncode == 2 and "binlint.toml" in done.stderr


def test_config_is_found_from_the_paths_and_applies(project: Path):
    (project / "pyproject.toml").write_text("[tool.binlint]\nignore = ['BL001']\n")
    assert run_cli("check", "bot", cwd=project).returncode == 0
    assert run_cli("check", str(project / "bot")).returncode == 0  # from another cwd
    (project / "pyproject.toml").write_text("[tool.binlint]\nseverity = {BL001 = 'error'}\n")
    done = run_cli("check", "bot", "--severity", "error", "--format", "json", cwd=project)
    assert json.loads(done.stdout)["findings"][0]["severity"] == "error"


def test_explicit_config_file(project: Path, tmp_path_factory: pytest.TempPathFactory):
    elsewhere = tmp_path_factory.mktemp("cfg") / "binlint.toml"
    elsewhere.write_text("ignore = ['BL0']\n")
    assert run_cli("check", "bot", "--config", str(elsewhere), cwd=project).returncode == 0
    done = run_cli("check", "bot", "--config", str(project / "missing.toml"), cwd=project)
    assert done.returncode == 2 and "missing.toml" in done.stderr


def test_per_file_ignores_and_excludes(project: Path):
    (project / "pyproject.toml").write_text("[tool.binlint]\nper-file-ignores = {'bot/broken.py' = ['BL001']}\n")
    assert run_cli("check", "bot", cwd=project).returncode == 0
    (project / "pyproject.toml").write_text("[tool.binlint]\nextend-exclude = ['bot/broken.py']\n")
    assert run_cli("check", ".", cwd=project).returncode == 0


def test_gitignored_files_are_skipped_in_a_walk(project: Path):
    (project / ".gitignore").write_text("broken.py\n")
    assert run_cli("check", ".", cwd=project).returncode == 0
    # ... but a file named on the command line is still checked.
    assert run_cli("check", "bot/broken.py", cwd=project).returncode == 1


def test_hidden_files_are_walked(project: Path):
    (project / ".hidden").mkdir()
    (project / ".hidden" / "broken.py").write_text(BROKEN)
    done = run_cli("check", ".", "--format", "concise", cwd=project)
    assert ".hidden/broken.py:3:" in done.stdout


def test_symlink_loop_does_not_hang(project: Path):
    os.symlink(project / "bot", project / "bot" / "loop")
    done = run_cli("check", ".", "--format", "json", cwd=project)
    assert done.returncode == 1
    assert json.loads(done.stdout)["summary"]["by_code"] == {"BL001": 1}


def test_python_module_entry_point(project: Path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "binlint", "check", "bot"], cwd=project, capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 1 and "BL001" in done.stdout


def test_many_files_run_in_parallel_with_the_same_result(project: Path):
    for index in range(40):
        (project / "bot" / f"m{index:02}.py").write_text(BROKEN if index % 2 else CLEAN)
    serial = run_cli("check", "bot", "--jobs", "1", "--format", "json", "--no-cache", cwd=project)
    parallel = run_cli("check", "bot", "--jobs", "2", "--format", "json", "--no-cache", cwd=project)
    assert serial.stdout == parallel.stdout
    assert json.loads(serial.stdout)["summary"]["by_code"] == {"BL001": 21}


def test_binlint_is_silent_on_its_own_source():
    """Rule docs and examples hold Binance code in strings; none of it is code that runs."""
    root = Path(__file__).resolve().parents[1]
    done = run_cli("check", "binlint", "hooks", "bench", "examples/good_bot.py", "--format", "concise",
                   "--no-cache", "--severity", "info", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
