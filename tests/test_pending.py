"""The project index built in a child process while the first file parses (`binlint.pipeline.pending`).

Each test runs in a fresh interpreter: a forked child is only made in a process with one thread,
and the test runner's worker has more.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent


def _run(script: str, cwd: Path | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_value_comes_from_a_child_with_what_it_keeps() -> None:
    out = _run("""
        import os
        from binlint.pipeline.pending import Pending
        parent = os.getpid()
        kept = {}
        pending = Pending(lambda: ("built", os.getpid()), lambda: {"summarised": 3}, kept.update)
        value, pid = pending.result()
        assert value == "built" and pid != parent, (value, pid, parent)
        assert kept == {"summarised": 3}
        assert pending.result() == (value, pid)  # read once, kept
        print("ok")
    """)
    assert out.strip() == "ok"


def test_a_child_that_fails_leaves_the_value_to_be_computed_here() -> None:
    out = _run("""
        import os
        from binlint.pipeline.pending import Pending
        parent = os.getpid()

        def compute():
            if os.getpid() != parent:
                raise RuntimeError("the child fails")
            return "computed here"

        assert Pending(compute).result() == "computed here"
        print("ok")
    """)
    assert out.strip() == "ok"


def test_with_another_thread_running_nothing_is_forked() -> None:
    out = _run("""
        import os, threading
        from binlint.pipeline.pending import Pending, can_fork
        assert can_fork()
        stop = threading.Event()
        threading.Thread(target=stop.wait).start()
        assert not can_fork()
        pending = Pending(lambda: os.getpid())
        assert pending.result() == os.getpid()
        stop.set()
        print("ok")
    """)
    assert out.strip() == "ok"


def test_only_runs_with_enough_python_to_parse_build_the_index_in_a_child(tmp_path: Path) -> None:
    from binlint.frontends.app import BACKGROUND_INDEX_FROM, _index_in_background
    from binlint.pipeline.discover import FileKind, Target

    small, big, notes = tmp_path / "small.py", tmp_path / "big.py", tmp_path / "notes.txt"
    small.write_text("x = 1\n")
    big.write_text("x = 1\n" * (BACKGROUND_INDEX_FROM // 6 + 1))
    notes.write_text("x" * BACKGROUND_INDEX_FROM)
    target = {path: Target(str(path), FileKind.TEXT if path is notes else FileKind.PYTHON)
              for path in (small, big, notes)}
    assert not _index_in_background([target[small], target[notes]], None)
    assert _index_in_background([target[small], target[big]], None)
    assert not _index_in_background([target[big]] * 16, None)  # checked by a pool of workers
    assert _index_in_background([target[big]] * 16, 1)


def test_a_partial_run_builds_the_index_in_a_child_and_finds_what_it_tells(tmp_path: Path) -> None:
    """One module of a project checked alone: the index of the rest of the project is built in a
    forked child while the module parses, and the findings are those of a run that builds it here."""
    from tests.test_projects import PROJECTS, expected, materialise

    root = materialise(PROJECTS / "factory" / "wrong", tmp_path / "bot")
    script = """
        import json, os, sys, threading
        if sys.argv[1] == "thread":  # a second thread: nothing is forked, the index is built here
            stop = threading.Event()
            threading.Thread(target=stop.wait, daemon=True).start()
        forks = []
        real_fork = os.fork

        def fork():
            pid = real_fork()
            if pid:
                forks.append(pid)
            return pid

        os.fork = fork
        from binlint.frontends import app
        from binlint.frontends.cli import main
        app.BACKGROUND_INDEX_FROM = 0  # a small project: forked all the same
        try:
            main(["check", "--no-cache", "--format", "json", "--exit-zero", "main.py"])
        except SystemExit:
            pass
        print(len(forks), file=sys.stderr)
    """
    runs = {}
    for mode in ("fork", "thread"):
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(script), mode], capture_output=True, text=True,
                              cwd=root, timeout=120)
        assert done.returncode == 0, done.stderr
        runs[mode] = (json.loads(done.stdout)["findings"], int(done.stderr.strip().splitlines()[-1]))
    assert runs["fork"][1] == 1 and runs["thread"][1] == 0
    assert runs["fork"][0] == runs["thread"][0]
    found = {(f["path"], f["line"], f["code"]) for f in runs["fork"][0]}
    assert found == {e for e in expected(root) if e[0] == "main.py"}


def test_only_a_python_file_waits_for_the_index(tmp_path: Path) -> None:
    """A config or text file cannot be imported, so its check does not wait for the index the
    child is still building (`--fix` checks the largest file last: a `pyproject.toml` before it
    would otherwise hold the run up for the whole build)."""
    out = _run("""
        import threading
        from pathlib import Path
        from binlint.config import Config
        from binlint.pipeline import cache, engine
        from binlint.pipeline.discover import FileKind, Target
        from binlint.pipeline.pending import Pending
        hold = threading.Event()
        threading.Thread(target=hold.wait, daemon=True).start()  # a second thread: nothing forks
        asked = []
        settings = engine.RunSettings(Config(root=Path.cwd()), project=Pending(lambda: asked.append(1)))
        Path("pyproject.toml").write_text("[tool.binlint]\\n")
        Path("notes.py").write_text("x = 1\\n")
        assert engine.quick_result(b"[tool.binlint]\\n", "pyproject.toml", FileKind.TEXT, settings) is not None
        assert settings.view_digest("pyproject.toml", FileKind.TEXT) == ""
        index = cache.Index(None, "settings")
        first = cache._from_cache_or_quick(index, Target("pyproject.toml", FileKind.TEXT), settings)
        assert first is not None and not first.findings
        assert asked == [], "a text file waited for the index"
        assert engine.quick_result(b"x = 1\\n", "notes.py", FileKind.PYTHON, settings) is not None
        assert asked == [1], "a Python file must ask whether Binance code imports it"
        hold.set()
        print("ok")
    """, cwd=tmp_path)
    assert out.strip() == "ok"
