"""Baselines: `--update-baseline` records today's findings, `--baseline` reports only new ones."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from binlint.pipeline import baseline
from binlint.model import Fix, Finding, Severity
from binlint.rules import get_rule
from binlint.testing import fake_key
from tests.helpers import run_cli

pytestmark = pytest.mark.skipif(get_rule("BL101") is None, reason="BL101 (hard-coded API key) is not written yet")

HEADER = "from binance.client import Client\n\n"


def key_line(name: str, seed: str) -> str:
    return f'{name} = "{fake_key(seed)}"\n'


def check(cwd: Path, *args: str) -> tuple[int, list[dict], str]:
    done = run_cli("check", "--format", "json", "--no-cache", *args, cwd=cwd)
    assert done.returncode in (0, 1, 2), done.stderr
    findings = json.loads(done.stdout)["findings"] if done.returncode != 2 else []
    return done.returncode, findings, done.stderr


def test_moved_code_stays_hidden_and_only_the_new_problem_reports(tmp_path: Path) -> None:
    bot = tmp_path / "bot.py"
    first, second = key_line("API_KEY", "one"), key_line("BINANCE_API_KEY", "two")
    bot.write_text(HEADER + first + "\n\n" + second)
    written = run_cli("check", "--no-cache", ".", "--update-baseline", "binlint-baseline.json", cwd=tmp_path)
    assert written.returncode == 0, written.stdout + written.stderr
    assert written.stdout == ("Recorded 2 findings in the baseline binlint-baseline.json (1 file checked, 1 parsed);"
                              " `--baseline binlint-baseline.json` hides them from now on.\n")
    status, findings, _ = check(tmp_path, ".", "--baseline", "binlint-baseline.json")
    assert status == 0 and findings == []

    # Move the recorded lines (reorder, indent into a function), then add one new key.
    new = key_line("API_KEY", "three")
    bot.write_text(HEADER + "def settings():\n    " + second + "\n\n" + first + "# more code\n" + new)
    status, findings, _ = check(tmp_path, ".", "--baseline", "binlint-baseline.json")
    assert status == 1
    assert [(f["code"], f["line"]) for f in findings] == [("BL101", 9)]


def test_the_baseline_file_is_stable_and_holds_no_lines_keys_or_times(tmp_path: Path) -> None:
    bot = tmp_path / "bot.py"
    lines = [key_line("API_KEY", "a"), key_line("api_key", "b"), key_line("BINANCE_API_KEY", "c")]
    bot.write_text(HEADER + "".join(lines))
    assert run_cli("check", "--no-cache", ".", "--update-baseline", "base.json", cwd=tmp_path).returncode == 0
    first = (tmp_path / "base.json").read_bytes()
    bot.write_text(HEADER + "\n\n" + "".join(reversed(lines)))
    assert run_cli("check", "--no-cache", ".", "--update-baseline", "base.json", cwd=tmp_path).returncode == 0
    assert (tmp_path / "base.json").read_bytes() == first

    text = first.decode()
    document = json.loads(text)
    entries = document["entries"]
    assert entries == sorted(entries, key=lambda e: (e["path"], e["code"], e["fingerprint"]))
    assert {tuple(sorted(e)) for e in entries} == {("code", "count", "fingerprint", "path")}
    assert [e["path"] for e in entries] == ["bot.py"] * 3
    for seed in "abc":
        assert fake_key(seed) not in text and fake_key(seed)[:12] not in text
    assert "line" not in text.replace("binlint-baseline", "")
    assert text.endswith("\n") and text == json.dumps(document, indent=2, sort_keys=True) + "\n"


def test_identical_findings_are_counted(tmp_path: Path) -> None:
    bot = tmp_path / "bot.py"
    same = key_line("API_KEY", "same")
    bot.write_text(HEADER + "def a():\n    " + same + "def b():\n    " + same)
    run_cli("check", "--no-cache", ".", "--update-baseline", "base.json", cwd=tmp_path)
    [entry] = json.loads((tmp_path / "base.json").read_text())["entries"]
    assert entry["count"] == 2
    bot.write_text(HEADER + "def a():\n    " + same + "def b():\n    " + same + "def c():\n    " + same)
    status, findings, _ = check(tmp_path, ".", "--baseline", "base.json")
    assert status == 1 and len(findings) == 1


def test_stale_entries_are_reported_with_statistics(tmp_path: Path) -> None:
    bot = tmp_path / "bot.py"
    bot.write_text(HEADER + key_line("API_KEY", "x") + key_line("BINANCE_API_KEY", "y"))
    run_cli("check", "--no-cache", ".", "--update-baseline", "base.json", cwd=tmp_path)
    bot.write_text(HEADER + key_line("API_KEY", "x"))
    done = run_cli("check", "--no-cache", ".", "--baseline", "base.json", "--statistics", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 baseline entry no longer match any finding" in done.stdout


def test_paths_are_relative_to_the_baseline_folder(tmp_path: Path) -> None:
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots" / "bot.py").write_text(HEADER + key_line("API_KEY", "rel"))
    run_cli("check", "--no-cache", ".", "--update-baseline", "base.json", cwd=tmp_path)
    assert json.loads((tmp_path / "base.json").read_text())["entries"][0]["path"] == "bots/bot.py"
    status, findings, _ = check(tmp_path / "bots", "bot.py", "--baseline", "../base.json")
    assert status == 0 and findings == []


@pytest.mark.parametrize("content, complaint", [
    ("{not json", "not valid JSON"),
    ('{"entries": []}', "not a binlint baseline"),
    ('{"binlint-baseline": 1, "entries": [{"path": "a.py", "code": "BL101"}]}', "fingerprint"),
    ('{"binlint-baseline": 1, "entries": [{"path": "a.py", "code": "BL101", "fingerprint": "ab", "count": 0}]}',
     "count"),
    ('{"binlint-baseline": 7, "entries": []}', "version"),
])
def test_a_malformed_baseline_is_a_clear_error(tmp_path: Path, content: str, complaint: str) -> None:
    (tmp_path / "bot.py").write_text(HEADER)
    (tmp_path / "base.json").write_text(content)
    status, _, stderr = check(tmp_path, ".", "--baseline", "base.json")
    assert status == 2
    assert "base.json" in stderr and complaint in stderr and "Traceback" not in stderr


def test_a_missing_baseline_says_how_to_make_one(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text(HEADER)
    status, _, stderr = check(tmp_path, ".", "--baseline", "nowhere.json")
    assert status == 2 and "--update-baseline nowhere.json" in stderr


def test_an_unwritable_baseline_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text(HEADER)
    done = run_cli("check", "--no-cache", ".", "--update-baseline", "no/such/dir/base.json", cwd=tmp_path)
    assert done.returncode == 2 and "cannot write baseline" in done.stderr


def test_filter_hides_each_recorded_finding_once(tmp_path: Path) -> None:
    def make(path: str, line: int, fingerprint: str) -> Finding:
        return Finding(path, line, 1, line, 2, "BL101", "hardcoded-api-key", Severity.ERROR, "m", Fix("f"),
                       fingerprint=fingerprint)

    a, b = str(tmp_path / "a.py"), str(tmp_path / "b.py")
    recorded = baseline.Baseline.of([make(a, 1, "aa"), make(a, 2, "aa"), make(b, 1, "bb")], tmp_path)
    assert recorded.counts == Counter({("a.py", "BL101", "aa"): 2, ("b.py", "BL101", "bb"): 1})
    now = [make(a, 9, "aa"), make(a, 10, "cc")]
    kept, hidden, stale = recorded.filter(now)
    assert [f.fingerprint for f in kept] == ["cc"] and hidden == 1 and stale == 2
