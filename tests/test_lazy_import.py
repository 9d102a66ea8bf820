"""A run over files with no Binance content never imports libcst (it costs more than the
whole rest of such a run); a Binance file does import it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Runs the real command-line entry point and reports, at interpreter exit, whether libcst was loaded.
PROBE = """
import atexit, sys
atexit.register(lambda: print("LIBCST-LOADED" if "libcst" in sys.modules else "LIBCST-NOT-LOADED", file=sys.stderr))
sys.argv = ["binlint", *sys.argv[1:]]
from binlint.frontends.cli import main
main()
"""


def libcst_loaded(*args: str, cwd: Path) -> bool:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    marker = done.stderr.strip().splitlines()[-1]
    assert marker in ("LIBCST-LOADED", "LIBCST-NOT-LOADED"), done.stderr
    return marker == "LIBCST-LOADED"


@pytest.fixture
def plain_tree(tmp_path: Path) -> Path:
    """Python, notebook and text files with nothing Binance in them: enough for the process pool."""
    root = tmp_path / "plain"
    (root / "pkg").mkdir(parents=True)
    for n in range(24):
        (root / "pkg" / f"mod_{n:02}.py").write_text(
            f'"""Module {n}."""\n\nimport json\n\n\ndef load(path):\n    with open(path) as f:\n'
            f"        return json.load(f)  # {'x' * n}\n"
        )
    (root / "pkg" / "broken.py").write_text("def f(:\n    pass\n")  # not Binance: never parsed at all
    (root / "notes.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                   "source": ["print('hello')\n"]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }))
    (root / "settings.json").write_text('{"debug": true, "url": "https://example.com/api"}\n')
    (root / ".env").write_text("DATABASE_URL=postgres://localhost/app\n")
    return root


@pytest.mark.parametrize("flags", [(), ("--no-cache",), ("--format", "json"), ("--format", "concise"),
                                   ("--format", "github"), ("--jobs", "1")])
def test_no_binance_content_never_imports_libcst(plain_tree: Path, flags: tuple[str, ...]):
    assert not libcst_loaded("check", *flags, ".", cwd=plain_tree)
    assert not libcst_loaded("check", *flags, ".", cwd=plain_tree)  # a warm cache too


def test_a_single_plain_file_never_imports_libcst(plain_tree: Path):
    assert not libcst_loaded("check", "--no-cache", "pkg/mod_01.py", cwd=plain_tree)


def test_a_binance_file_imports_libcst(plain_tree: Path):
    (plain_tree / "pkg" / "bot.py").write_text("from binance.client import Client\n\nclient = Client()\n")
    assert libcst_loaded("check", "--no-cache", ".", cwd=plain_tree)
    assert libcst_loaded("check", ".", cwd=plain_tree)  # a cold cache: the new file is checked
