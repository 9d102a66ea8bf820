"""`--since REF`: only findings on lines added or changed since a git ref."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from binlint.pipeline.since import added_lines
from binlint.rules import get_rule
from binlint.testing import fake_key
from tests.helpers import run_cli

needs_bl101 = pytest.mark.skipif(get_rule("BL101") is None, reason="BL101 (hard-coded API key) is not written yet")
HEADER = "from binance.client import Client\n\n"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, check=True)
    return done.stdout


def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    return tmp_path


def commit(cwd: Path, message: str = "c") -> None:
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "-m", message)


def key_line(name: str, seed: str) -> str:
    return f'{name} = "{fake_key(seed)}"\n'


def reported(cwd: Path, *args: str) -> list[tuple[str, int]]:
    done = run_cli("check", "--format", "json", "--no-cache", *args, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return [(f["path"], f["line"]) for f in json.loads(done.stdout)["findings"]]


def test_hunk_headers_name_the_new_lines() -> None:
    diff = (b"diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
            b"@@ -3 +3 @@\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,4 +21,0 @@\n-e\n")
    assert added_lines(diff) == {3, 11, 12}
    assert added_lines(b"") == set()


@needs_bl101
def test_only_added_or_changed_lines_report(tmp_path: Path) -> None:
    root = repo(tmp_path)
    bot = root / "bot.py"
    old, changed = key_line("API_KEY", "old"), key_line("BINANCE_API_KEY", "before")
    bot.write_text(HEADER + old + "\n" + changed + "\nprint('end')\n")
    commit(root)
    assert len(reported(root, ".")) == 2
    assert reported(root, ".", "--since", "HEAD") == []

    # Shift everything down, change one key line, add a new one, delete another line.
    bot.write_text("# new header comment\n" + HEADER + old + "\n" + key_line("BINANCE_API_KEY", "after")
                   + key_line("api_key", "new"))
    assert reported(root, ".", "--since", "HEAD") == [("bot.py", 6), ("bot.py", 7)]


@needs_bl101
def test_untracked_files_are_all_new(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "old.py").write_text(HEADER + key_line("API_KEY", "committed"))
    commit(root)
    (root / "sub").mkdir()
    (root / "sub" / "fresh.py").write_text(HEADER + key_line("API_KEY", "fresh"))
    assert reported(root, ".", "--since", "HEAD") == [("sub/fresh.py", 3)]
    # Run from a subfolder too: paths are relative to the working directory, git's to the top.
    assert reported(root / "sub", ".", "--since", "HEAD") == [("fresh.py", 3)]


@needs_bl101
def test_an_older_ref_counts_every_commit_since(tmp_path: Path) -> None:
    root = repo(tmp_path)
    bot = root / "bot.py"
    bot.write_text(HEADER + "x = 1\n")
    commit(root, "first")
    bot.write_text(HEADER + "x = 1\n" + key_line("API_KEY", "second"))
    commit(root, "second")
    bot.write_text(HEADER + "x = 1\n" + key_line("API_KEY", "second") + key_line("api_key", "third"))
    assert reported(root, ".", "--since", "HEAD") == [("bot.py", 5)]
    assert reported(root, ".", "--since", "HEAD~1") == [("bot.py", 4), ("bot.py", 5)]


@needs_bl101
def test_notebook_cells_are_compared_cell_by_cell(tmp_path: Path) -> None:
    root = repo(tmp_path)

    def notebook(*cells: str) -> str:
        return json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                                      "execution_count": None} for c in cells],
                           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)

    book = root / "research.ipynb"
    first = "from binance.client import Client\n" + key_line("API_KEY", "nb-old")
    book.write_text(notebook(first))
    commit(root)
    assert reported(root, ".", "--since", "HEAD") == []
    book.write_text(notebook("# setup\nimport os\n", first, "x = 1\n" + key_line("api_key", "nb-new")))
    done = run_cli("check", "--format", "json", "--no-cache", ".", "--since", "HEAD", cwd=root)
    findings = json.loads(done.stdout)["findings"]
    assert [(f["cell"], f["line"]) for f in findings] == [(2, 2)]


def test_outside_a_git_repository_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text(HEADER)
    done = run_cli("check", "--no-cache", ".", "--since", "main", cwd=tmp_path,
                   env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert done.returncode == 2
    assert "needs a git repository" in done.stderr and "Traceback" not in done.stderr


def test_an_unknown_ref_is_a_clear_error(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "bot.py").write_text(HEADER)
    commit(root)
    done = run_cli("check", "--no-cache", ".", "--since", "no-such-branch", cwd=root)
    assert done.returncode == 2
    assert "unknown git ref 'no-such-branch'" in done.stderr
    option_like = run_cli("check", "--no-cache", ".", "--since=--output=/tmp/x", cwd=root)
    assert option_like.returncode == 2 and "not a git ref" in option_like.stderr
