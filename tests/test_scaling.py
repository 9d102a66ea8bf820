"""Large files complete and report: too large to parse, many alike functions, a file over its time limit.

How fast is not asserted here; `bench/scaling.py` measures it.
"""

from __future__ import annotations

import json
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.scaling import module_source
from binlint.config import DEFAULT_MAX_PARSE_SIZE
from binlint.pipeline.fix import Placed, _Accepted, _conflict
from binlint.testing import fake_key
from tests.helpers import run_cli


def _skip_lines(stderr: str) -> dict[str, str]:
    lines = {}
    for line in stderr.splitlines():
        if line.startswith("binlint: skipped "):
            path, _, why = line[len("binlint: skipped "):].partition(": ")
            lines[Path(path).name] = why
    return lines


def test_a_60000_function_module_gets_the_key_scan_and_a_note(tmp_path: Path) -> None:
    key = fake_key("huge")
    source = f'API_KEY = "{key}"\n' + module_source("plain", 60_000)
    assert len(source) > DEFAULT_MAX_PARSE_SIZE
    (tmp_path / "huge.py").write_text(source)
    (tmp_path / "small.py").write_text("import requests\n\nrequests.get('http://api.binance.com/api/v3/time')\n")
    for extra in ([], ["--fix", "--unsafe-fixes"]):
        done = run_cli("check", "--no-cache", "--format", "json", *extra, ".", cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        why = _skip_lines(done.stderr)["huge.py"]
        assert why.startswith(f"deep analysis: {len(source) / 1e6:.1f} MB of code is over max-parse-size"), why
        assert key not in done.stdout + done.stderr
        found = json.loads(done.stdout)["findings"]
        assert [(f["code"], f["line"]) for f in found if f["path"].endswith("huge.py")] == [("BL101", 1)]
        assert any(f["path"].endswith("small.py") for f in found) != bool(extra)  # the fix made https of it
    assert (tmp_path / "huge.py").read_text() == source  # never rewritten without a syntax tree
    assert "https://" in (tmp_path / "small.py").read_text()


def test_max_parse_size_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.binlint]\nmax-parse-size = 2000\n")
    (tmp_path / "bot.py").write_text(module_source("signed", 5))
    done = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert _skip_lines(done.stderr)["bot.py"].startswith("deep analysis: ")
    (tmp_path / "pyproject.toml").write_text("[tool.binlint]\nmax-parse-size = 'big'\n")
    done = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 2 and "max-parse-size" in done.stderr


def test_many_alike_functions_are_each_reported_at_their_line_and_fixed(tmp_path: Path) -> None:
    n = 150  # signing and retry findings in every function: positions and fixes were quadratic here
    # Sent again after any answer but a 200, with a fixed client order id: BL405 in every function.
    source = module_source("signed", n).replace("if response.status_code != 429:", "if response.status_code == 200:")
    path = tmp_path / "bot.py"
    path.write_text(source)
    lines = source.splitlines()
    params_lines = [i + 1 for i, line in enumerate(lines) if line.startswith("        params = {")]
    post_lines = [i + 1 for i, line in enumerate(lines) if "requests.post(" in line]
    done = run_cli("check", "--no-cache", "--format", "json", "bot.py", cwd=tmp_path)
    found = json.loads(done.stdout)["findings"]
    assert [f["line"] for f in found if f["code"] == "BL304"] == params_lines
    assert [f["line"] for f in found if f["code"] == "BL405"] == post_lines
    assert len(params_lines) == len(post_lines) == n
    done = run_cli("check", "--no-cache", "--format", "json", "--fix", "--unsafe-fixes", "bot.py", cwd=tmp_path)
    fixed = path.read_text()
    cst.parse_module(fixed)
    assert fixed.count('"recvWindow": 5000') == n
    assert {f["code"] for f in json.loads(done.stdout)["findings"]} == {"BL405"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_over_the_time_limit_is_reported_and_the_run_completes(tmp_path: Path, jobs: str) -> None:
    # A limit no parse of a megabyte reaches, and well above what checking a small bot takes.
    (tmp_path / "pyproject.toml").write_text("[tool.binlint]\nfile-time-limit = 0.5\n")
    slow = f'API_SECRET = "{fake_key("slow")}"\n' + module_source("signed", 1000)
    assert len(slow) < DEFAULT_MAX_PARSE_SIZE
    (tmp_path / "slow.py").write_text(slow)
    for i in range(16):  # enough files for the process pool
        (tmp_path / f"bot{i}.py").write_text(module_source("signed", 1))
    done = run_cli("check", "--no-cache", "--format", "json", "-j", jobs, ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    skipped = _skip_lines(done.stderr)
    assert skipped["slow.py"].startswith("analysis took over 0.5 s of CPU time (file-time-limit"), skipped
    assert set(skipped) == {"slow.py"}
    found = json.loads(done.stdout)["findings"]
    assert [(f["code"], f["line"]) for f in found if f["path"].endswith("slow.py")] == [("BL102", 1)]
    for i in range(16):  # every other file was checked in full
        assert {f["code"] for f in found if f["path"].endswith(f"bot{i}.py")} == {"BL304"}


def test_file_time_limit_must_be_a_positive_number(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.binlint]\nfile-time-limit = 0\n")
    (tmp_path / "bot.py").write_text("x = 1\n")
    done = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 2 and "file-time-limit" in done.stderr


_EDITS = st.builds(lambda unit, start, width, content: Placed(unit, start, start + width, content),
                   st.integers(0, 1), st.integers(0, 30), st.sampled_from([0, 0, 1, 2, 5]), st.sampled_from("ab"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_EDITS, min_size=1, max_size=3), max_size=12))
def test_the_round_index_finds_the_conflicts_a_pairwise_check_finds(groups: list[list[Placed]]) -> None:
    accepted = _Accepted()
    taken: list[Placed] = []
    for group in groups:
        expected = any(_conflict(edit, other) for edit in group for other in taken)
        assert any(accepted.conflicts(edit) for edit in group) == expected
        if not expected and not any(_conflict(a, b) for i, a in enumerate(group) for b in group[i + 1:]):
            taken.extend(group)
            for edit in group:
                accepted.add(edit)


def test_the_scaling_benchmark_never_counts_a_module_binlint_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.measure import Sample
    from bench.scaling import Series, report

    def series(name: str, seconds: dict[int, float], skipped: dict[int, str] | None = None) -> Series:
        made = Series(name, skipped=dict(skipped or {}))
        for n, value in seconds.items():
            made.add(n, Sample(value, value, 100_000, 0, 0))
        return made

    parse = {1000: 1.0, 2000: 2.0, 4000: 4.0}
    why = "larger than max-file-size"
    for default_limits in (False, True):
        check = series("binlint check", {1000: 1.1, 2000: 2.2, 4000: 0.1}, {4000: why})
        checks = dict(report("signed", [check, series("libcst parse only", parse)], default_limits))
        # The skip's 0.1 s is neither a ratio of 0.03 nor a point of the fit: it is left out, and said.
        assert any("at every n analysed: worst 1.10×" in line and holds for line, holds in checks.items())
        assert any(line.endswith("check growth exponent ≤ 1.1: 1.00") for line in checks)
        assert f"binlint check skipped the module at n = 4,000: {why}" in capsys.readouterr().out
        analysed = [holds for line, holds in checks.items() if "analysed the module at every n" in line]
        assert analysed == ([] if default_limits else [False])  # with raised limits a skip fails the run


def test_the_call_count_growth_holds_only_for_linear_work(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.scaling import report_calls

    sizes = [4000, 8000, 16000]
    counts = {"linear": {n: 5_000 * n + 70_000 for n in sizes}, "quadratic": {n: n * n for n in sizes}}
    checks = dict(report_calls("signed", sizes, counts))
    assert [holds for line, holds in checks.items()] == [True, False], checks
    assert "| 16,000 | 80,070,000 | 256,000,000 |" in capsys.readouterr().out


def test_a_call_count_of_a_run_that_skipped_the_module_stops_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.scaling

    assert bench.scaling._profiled("signed", 3, fix=False).getstats()  # analysed: a profile comes back
    monkeypatch.setattr(bench.scaling, "_RAISED_LIMITS", "[tool.binlint]\nmax-parse-size = 1000\n")
    with pytest.raises(SystemExit, match="over max-parse-size"):
        bench.scaling._profiled("signed", 3, fix=False)
