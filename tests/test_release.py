"""Release hygiene: one version, a Keep a Changelog changelog, CI that checks the built wheel."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from binlint import __version__

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_the_version_lives_in_one_place():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "binlint.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?(?:\.dev\d+)?", __version__)
    literal = re.compile(rf"""["']v?{re.escape(__version__)}["']""")
    for path in (ROOT / "binlint").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path != ROOT / "binlint" / "__init__.py":
            assert "__version__ =" not in text and not literal.search(text), path


def test_the_changelog_keeps_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    headings = re.findall(r"^## (.*)$", text, re.MULTILINE)
    assert headings[0] == "[Unreleased]", headings
    releases = []
    for heading in headings[1:]:
        match = re.fullmatch(r"\[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", heading)
        assert match, f"release heading {heading!r} is not `[X.Y.Z] - YYYY-MM-DD`"
        releases.append((tuple(int(p) for p in match.group(1).split(".")), match.group(2)))
    assert releases == sorted(releases, reverse=True), "releases must go newest first"
    # The package's version is the newest release, or a pre-release of the next one.
    base = tuple(int(p) for p in re.match(r"\d+\.\d+\.\d+", __version__).group().split("."))  # type: ignore[union-attr]
    final = re.fullmatch(r"\d+\.\d+\.\d+", __version__) is not None
    assert releases[0][0] == base if final else releases[0][0] < base, (releases[0], __version__)
    sections = set(re.findall(r"^### (.*)$", text, re.MULTILINE))
    assert sections <= SECTIONS, sections - SECTIONS


def test_ci_checks_the_wheel_alone_and_installs_neovim():
    ci = (ROOT / ".ci" / "run").read_text()
    assert '.ci/wheel-check "$venv/bin/python"' in ci
    assert "apt-get install" in ci and "neovim" in ci
    wheel_check = (ROOT / ".ci" / "wheel-check").read_text()
    for command in ("check --no-cache examples/", "explain BL101", "rules", "-m binlint --version",
                    "lsp_smoke.py", "detect-secrets\" scan"):
        assert command in wheel_check, command


def test_the_public_entry_points_resolve():
    """`binlint.cli:main` keeps working for configurations that name it, and the installed
    script points at the same command."""
    import importlib
    import subprocess

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    module, _, attr = project["project"]["scripts"]["binlint"].partition(":")
    script_main = getattr(importlib.import_module(module), attr)
    from binlint.cli import main

    assert main is script_main
    probe = "import sys; sys.argv = ['binlint', '--version']; from binlint.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and __version__ in done.stdout, done.stderr


def test_the_program_leaves_its_heap_to_the_end_of_the_process():
    """The `binlint` program freezes the objects still alive as it exits (the interpreter would
    scan them all once more); `main` called from other code leaves the collector as it was."""
    import subprocess

    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "sys.argv = ['binlint', '--version']\n"
        "from binlint.{module} import {name}\n"
        "try:\n"
        "    {name}({args})\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    for module, name, args, frozen in (("cli", "main", "", True), ("frontends.cli", "run", "", True),
                                       ("frontends.cli", "main", "standalone_mode=False", False)):
        done = subprocess.run([sys.executable, "-c", probe.format(module=module, name=name, args=args)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert __version__ in done.stdout and f"frozen {frozen}" in done.stdout, (module, name, done.stdout)
