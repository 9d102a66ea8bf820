"""The hooks: pre-commit's `try-repo` against this repository, and the plain git hook."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from binlint.rules import get_rule
from binlint.testing import fake_key
from tests.helpers import BINLINT

REPO = Path(__file__).resolve().parents[1]
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
needs_bl101 = pytest.mark.skipif(get_rule("BL101") is None, reason="BL101 (hard-coded API key) is not written yet")


def git(cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check,
                          env={**os.environ, **GIT_ENV, **(env or {})}, timeout=300)


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    return path


def bad_bot(key: str) -> str:
    return f'from binance.client import Client\n\nclient = Client("{key}", "x")\n'


# --- pre-commit framework ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as it is now (tracked and new files), committed in a scratch repository.

    `pre-commit try-repo` on the checkout itself would leave out files git does not track
    yet; a copy of the working tree tests exactly what is here.
    """
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout.split("\0")
    target = git_repo(tmp_path_factory.mktemp("hook-repo") / "binlint")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not name.startswith(("tests/", "bench/", "examples/")):
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    if not (target / "README.md").exists():
        (target / "README.md").write_text("binlint\n")
    assert (target / ".pre-commit-hooks.yaml").is_file()
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "snapshot")
    return target


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME for the session: the hook's venv is built (pip) once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(hook_repo: Path, home: Path, cwd: Path, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--verbose", "--files", *files],
        cwd=cwd, capture_output=True, text=True, timeout=900,
        env={**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"},
    )
    if done.returncode == 3 and "pip" in done.stdout + done.stderr:
        log = (home / "pre-commit.log")
        detail = log.read_text()[-400:] if log.exists() else (done.stdout + done.stderr)[-400:]
        pytest.skip(f"pre-commit could not pip-install the hook (no package index?): {detail}")
    return done


@pytest.mark.slow
@needs_bl101
def test_try_repo_binlint_hook(hook_repo: Path, pre_commit_home: Path, tmp_path: Path) -> None:
    project = git_repo(tmp_path / "project")
    key = fake_key("pre-commit")
    (project / "bad.py").write_text(bad_bot(key))
    (project / "good.py").write_text("import os\n\nprint(os.environ['BINANCE_API_KEY'][:0])\n")
    git(project, "add", "-A")
    done = try_repo(hook_repo, pre_commit_home, project, "binlint", "bad.py")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "bad.py:3:17: BL101" in output
    assert key not in output
    clean = try_repo(hook_repo, pre_commit_home, project, "binlint", "good.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr


@pytest.mark.slow
@needs_bl101
def test_try_repo_secrets_hook_on_an_env_file(hook_repo: Path, pre_commit_home: Path, tmp_path: Path) -> None:
    project = git_repo(tmp_path / "project")
    key = fake_key("dotenv")
    (project / ".env").write_text(f"# trading bot\nBINANCE_API_KEY={key}\nLOG_LEVEL=info\n")
    git(project, "add", "-A")
    done = try_repo(hook_repo, pre_commit_home, project, "binlint-secrets", ".env")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert ".env:2:" in output and "BL101" in output
    assert key not in output


def callsite_project(path: Path) -> Path:
    """tests/projects/callsite/wrong as a git repository with everything but orders.py committed;
    orders.py (no Binance word in it: its client comes from main.py) is then staged alone."""
    project = git_repo(path)
    source = Path(__file__).parent / "projects" / "callsite" / "wrong"
    (project / "main.py").write_text((source / "main.py").read_text())
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "main")
    (project / "orders.py").write_text((source / "orders.py").read_text())
    git(project, "add", "orders.py")
    return project


@pytest.mark.slow
def test_try_repo_reports_a_cross_module_finding_in_the_one_staged_file(hook_repo: Path, pre_commit_home: Path,
                                                                       tmp_path: Path) -> None:
    project = callsite_project(tmp_path / "project")
    done = subprocess.run(  # no --files: pre-commit hands the hook the staged files, here orders.py only
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "binlint", "--verbose"],
        cwd=project, capture_output=True, text=True, timeout=900,
        env={**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(pre_commit_home), "NO_COLOR": "1",
             "PRE_COMMIT_COLOR": "never"},
    )
    output = done.stdout + done.stderr
    if done.returncode == 3 and "pip" in output:
        pytest.skip("pre-commit could not pip-install the hook (no package index?)")
    assert done.returncode == 1, output
    assert "orders.py:6:12: BL401" in output and "orders.py:5:13: BL302" in output, output
    assert "main.py:" not in output


# --- the plain git hook -------------------------------------------------------------------------


def install_plain_hook(project: Path) -> None:
    hook = project / ".git" / "hooks" / "pre-commit"
    shutil.copy(REPO / "hooks" / "pre-commit", hook)
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)


def commit(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return git(project, "commit", "-m", "work", *extra, check=False, env={"BINLINT": BINLINT})


@needs_bl101
def test_plain_hook_blocks_a_staged_key(tmp_path: Path) -> None:
    project = git_repo(tmp_path / "project")
    install_plain_hook(project)
    key = fake_key("plain-hook")
    (project / "bot.py").write_text(bad_bot(key))
    (project / "notes.md").write_text("not checked\n")
    git(project, "add", "-A")
    # The working tree is fixed but the fix is not staged: the staged key must still block.
    (project / "bot.py").write_text("import os\n")
    blocked = commit(project)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "bot.py:3:17: BL101" in output and "git commit --no-verify" in output
    assert key not in output
    assert git(project, "rev-parse", "--verify", "HEAD", check=False).returncode != 0  # nothing committed

    git(project, "add", "bot.py")
    done = commit(project)
    assert done.returncode == 0, done.stdout + done.stderr


def test_plain_hook_passes_clean_commits_and_can_be_bypassed(tmp_path: Path) -> None:
    project = git_repo(tmp_path / "project")
    install_plain_hook(project)
    (project / "old.py").write_text('import binance\nprint "placing order"\n')  # BL001, a warning
    (project / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    git(project, "add", "-A")
    assert commit(project).returncode != 0
    assert commit(project, "--no-verify").returncode == 0
    (project / "ok.py").write_text("print('hello')\n")
    git(project, "add", "ok.py")
    done = commit(project)
    assert done.returncode == 0, done.stdout + done.stderr
    # Extra options reach binlint: only BL1 now, so the unparsable file no longer blocks.
    (project / "old.py").write_text('import binance\nprint "still old"\n')
    git(project, "add", "old.py")
    assert commit(project).returncode != 0
    selected = git(project, "commit", "-m", "w", check=False, env={"BINLINT": BINLINT, "BINLINT_ARGS": "--select BL1"})
    assert selected.returncode == 0, selected.stdout + selected.stderr


def test_hook_manifest() -> None:
    import yaml  # pre-commit depends on PyYAML

    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["binlint"]["entry"] == "binlint check"
    assert hooks["binlint"]["types_or"] == ["python", "pyi", "jupyter"]
    assert hooks["binlint-secrets"]["entry"] == "binlint check --select BL1"
    assert hooks["binlint-secrets"]["types"] == ["text"]
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["require_serial"] is True
        assert hook["minimum_pre_commit_version"]
    done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_plain_hook_reads_the_other_modules_of_the_project(tmp_path: Path) -> None:
    project = callsite_project(tmp_path / "project")
    install_plain_hook(project)
    done = commit(project)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "orders.py:6:12: BL401" in output and "orders.py:5:13: BL302" in output, output
