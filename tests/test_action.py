"""The GitHub Action (`action.yml`): valid action metadata, and its shell steps run as the runner would.

The module installs binlint once through the action's own install step (from this checkout,
into a fresh venv under RUNNER_TEMP); the other runs reuse that venv.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from binlint.testing import fake_key
from tests.action_runner import ActionRun, ExpressionError, evaluate, load, run_action

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "tests" / "data" / "github-action.schema.json"
KEY, SECRET = fake_key("action-key"), fake_key("action-secret")

GOOD = '''import os
import time

from binance.client import Client

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])


def balances():
    return client.get_account(timestamp=int(time.time() * 1000))
'''
BAD = GOOD.replace('os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"]', f'"{KEY}", "{SECRET}"') \
    .replace("int(time.time() * 1000)", "int(time.time())")


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def pull_request(base: str, head: str) -> dict[str, Any]:
    return {"event_name": "pull_request", "sha": head,
            "event": {"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A repository whose pull request adds a hard-coded key pair and a timestamp in seconds."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    work = tmp_path_factory.mktemp("action")
    workspace = work / "workspace"
    workspace.mkdir()
    git(workspace, "init", "-q", "-b", "main")
    (workspace / "good.py").write_text(GOOD)
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "base")
    base = git(workspace, "rev-parse", "HEAD")
    (workspace / "bot.py").write_text(BAD)
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "pull request")
    head = git(workspace, "rev-parse", "HEAD")
    clean = work / "clean"
    clean.mkdir()
    (clean / "good.py").write_text(GOOD)
    return {"work": work, "workspace": workspace, "clean": clean, "base": base, "head": head}


@pytest.fixture(scope="module")
def first_run(repo: dict[str, Any]) -> tuple[ActionRun, Path]:
    """The whole action on the pull request, install included, SARIF and history asked for."""
    runner_temp = repo["work"] / "runner"
    run = run_action(ROOT, repo["workspace"], runner_temp, {"sarif": "true", "history": "true"},
                     pull_request(repo["base"], repo["head"]))
    installed = run.steps[0]
    assert installed.ran and installed.returncode == 0, installed.stdout + installed.stderr
    return run, runner_temp / "binlint-venv" / "bin"


def again(repo: dict[str, Any], bin_dir: Path, workspace: Path, with_: dict[str, str] | None = None,
          github: dict[str, Any] | None = None, shim: Path | None = None) -> ActionRun:
    """The action once more, with the first run's install."""
    prefix = tuple(str(p) for p in (shim, bin_dir) if p is not None)
    return run_action(ROOT, workspace, repo["work"] / "runner", with_, github, skip=("Install binlint",),
                      path_prefix=prefix)


# --- the metadata -------------------------------------------------------------------------------


def schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text())
    return jsonschema.validators.validator_for(schema)(schema)


def test_action_yml_is_valid_action_metadata():
    action = load(ROOT / "action.yml")
    validator = schema_validator()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(action)]
    assert not errors, errors
    assert action["runs"]["using"] == "composite"
    # The schema has teeth: a run step without a shell, or an unknown key, is rejected.
    broken = copy.deepcopy(action)
    del broken["runs"]["steps"][1]["shell"]
    assert not validator.is_valid(broken)
    broken = copy.deepcopy(action)
    broken["inputs"]["paths"]["defualt"] = "."
    assert not validator.is_valid(broken)


def test_every_input_is_declared_and_used():
    text = (ROOT / "action.yml").read_text()
    action = load(ROOT / "action.yml")
    used = set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text.split("\nruns:", 1)[1]))
    assert used == set(action["inputs"]), (used, set(action["inputs"]))
    assert all(isinstance(spec.get("default", ""), str) for spec in action["inputs"].values())
    # No input is spliced into a script: they reach the shell through env only.
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_expressions_the_runner_evaluates():
    contexts = {"inputs": {"sarif": "true"}, "github": {"event": {}}, "steps": {}}
    assert evaluate("inputs.sarif == 'true'", contexts) is True
    assert evaluate("inputs.sarif != 'true' || !always()", contexts) is False
    assert evaluate("github.event.pull_request.base.sha", contexts) is None
    with pytest.raises(ExpressionError):
        evaluate("fromJSON(inputs.sarif)", contexts)


# --- the steps, run -----------------------------------------------------------------------------


def test_the_action_reports_the_pull_request_and_fails(first_run, repo):
    run, bin_dir = first_run
    names = [s.name for s in run.steps]
    assert names == ["Install binlint", "binlint check", "binlint history", "Upload SARIF to code scanning",
                     "binlint result"]
    assert re.search(r"binlint, version \d", run.step("Install binlint").stdout)
    assert (bin_dir / "binlint").exists()
    assert run.path_added == [str(bin_dir)]  # the later steps run the binlint just installed

    check = run.step("binlint check")
    assert check.ran and check.returncode == 0, check.stderr
    annotations = re.findall(r"^::error file=([^,]+),line=(\d+),.*?title=(BL\d+) ", check.stdout, re.MULTILINE)
    assert sorted(annotations) == [("bot.py", "10", "BL302"), ("bot.py", "6", "BL101"), ("bot.py", "6", "BL102")]
    assert run.outputs["exit-code"] == "1"

    sarif = json.loads((repo["workspace"] / "binlint.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert sorted(r["ruleId"] for r in sarif["runs"][0]["results"]) == ["BL101", "BL102", "BL302"]
    assert run.outputs["sarif-file"] == "binlint.sarif"
    upload = run.step("Upload SARIF to code scanning")
    assert upload.uses == "github/codeql-action/upload-sarif@v3"
    assert upload.with_ == {"sarif_file": "binlint.sarif", "category": "binlint"}

    result = run.step("binlint result")
    assert result.ran and result.returncode == 1 and run.failed
    assert KEY not in run.log and SECRET not in run.log
    assert KEY not in json.dumps(sarif) and SECRET not in json.dumps(sarif)


def test_history_step_on_the_installed_binlint(first_run, repo):
    run, bin_dir = first_run
    history = run.step("binlint history")
    assert history.ran and history.returncode == 0, history.stderr
    has_history = subprocess.run([str(bin_dir / "binlint"), "history", "--help"], capture_output=True).returncode == 0
    if has_history:
        assert "has no history command" not in history.stdout
    else:
        assert re.search(r"^::notice title=binlint history::binlint, version \S+ has no history command",
                         history.stdout, re.MULTILINE), history.stdout


def test_clean_code_passes_and_skips_what_was_not_asked(first_run, repo):
    _, bin_dir = first_run
    run = again(repo, bin_dir, repo["clean"])
    assert not run.failed, run.log
    assert run.outputs["exit-code"] == "0"
    assert not run.step("binlint history").ran
    assert run.step("Upload SARIF to code scanning").uses is None  # not reached: `sarif` is false
    assert not (repo["clean"] / "binlint.sarif").exists()


def test_paths_args_and_format_reach_binlint(first_run, repo):
    _, bin_dir = first_run
    run = again(repo, bin_dir, repo["workspace"], {"paths": "good.py bot.py", "args": "--select BL3 --severity error",
                                                     "format": "concise"})
    check = run.step("binlint check")
    assert check.stdout.splitlines()[0].startswith("bot.py:10:"), check.stdout
    assert "BL302" in check.stdout and "BL101" not in check.stdout
    assert run.outputs["exit-code"] == "1" and run.failed
    # Paths are never globbed.
    run = again(repo, bin_dir, repo["workspace"], {"paths": "*.py"})
    assert "binlint: error: *.py: no such file or folder" in run.step("binlint check").stderr
    assert run.outputs["exit-code"] == "2" and run.failed  # a path that does not exist fails the gate


def history_shim(folder: Path, status: int) -> Path:
    """A `binlint` in front of the installed one that records `history` calls and answers with `status`."""
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "binlint"
    shim.write_text(f'''#!/usr/bin/env bash
if [ "$1" = history ]; then
  if [ "$2" = --help ]; then exit 0; fi
  printf '%s\\n' "$*" >> "{folder}/calls"
  exit {status}
fi
PATH="${{PATH#*:}}" exec binlint "$@"
''')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.mark.parametrize("status", [0, 1])
def test_history_step_scans_the_pull_requests_commits(first_run, repo, tmp_path, status):
    _, bin_dir = first_run
    shim = history_shim(tmp_path / "shim", status)
    run = again(repo, bin_dir, repo["clean"], {"history": "true"}, pull_request(repo["base"], repo["head"]), shim)
    assert (shim / "calls").read_text() == f"history --format github {repo['base']}..{repo['head']}\n"
    assert run.outputs["exit-code"] == "0"  # the check itself found nothing
    assert run.failed is (status != 0)
    assert run.step("binlint result").returncode == status


def test_history_range_input_and_other_events(first_run, repo, tmp_path):
    _, bin_dir = first_run
    shim = history_shim(tmp_path / "shim", 0)
    again(repo, bin_dir, repo["clean"], {"history": "true", "history-range": "origin/main..HEAD"},
          pull_request(repo["base"], repo["head"]), shim)
    assert (shim / "calls").read_text() == "history --format github origin/main..HEAD\n"
    run = again(repo, bin_dir, repo["clean"], {"history": "true"}, {"event_name": "push"}, shim)
    assert "not a pull request and no history-range given" in run.step("binlint history").stdout
    assert (shim / "calls").read_text().count("\n") == 1 and not run.failed


def test_the_readme_documents_the_actions_inputs():
    import yaml

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In CI:", 1)[1].split("\n## ", 1)[0]
    action = load(ROOT / "action.yml")
    documented = re.findall(r"^\| `([a-z-]+)` \|", section, re.MULTILINE)
    assert documented == list(action["inputs"]), documented
    workflow = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1))
    steps = workflow["jobs"]["binlint"]["steps"]
    uses = next(s for s in steps if s.get("uses", "").startswith("<owner>/binlint@"))
    assert set(uses["with"]) <= set(action["inputs"])
