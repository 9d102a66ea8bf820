"""Whole-bot fixtures: multi-module projects under tests/projects/<shape>/{wrong,right}.

Each module marks the findings it must give with `# expect: CODE [CODE ...]` on the reported
line; a right twin has no marks and must give nothing. Credentials are `@KEY@`-style markers,
filled with fakes generated at test time. Every project is checked through the installed
CLI as a whole, and each wrong module again on its own (a partial run, as pre-commit does):
the findings in that module, which need the other modules to be seen, must be the same.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from binlint.testing import fill
from tests.helpers import run_cli

PROJECTS = Path(__file__).parent / "projects"
_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9 ,]+)")
TWINS = sorted(p for p in PROJECTS.glob("*/*") if p.is_dir() and p.name in ("wrong", "right"))
# Shapes also checked one module at a time (each partial run is a CLI call: keep the list short).
PARTIAL = ("getter", "factory", "callsite", "helper", "base_helper", "helper_retry", "star", "own_binance",
           "restclient", "reassigned", "testnet_keys", "session_param",
           "helper_resend")


def materialise(twin: Path, destination: Path) -> Path:
    """The twin copied to `destination` with its markers filled, as a project (pyproject.toml at its root)."""
    shutil.copytree(twin, destination)
    for path in destination.rglob("*.py"):
        path.write_text(fill(path.read_text()))
    (destination / "pyproject.toml").write_text("[project]\nname = 'bot'\n")
    return destination


def expected(root: Path) -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = _EXPECT.search(line)
            if match:
                for code in re.split(r"[ ,]+", match.group(1).strip()):
                    found.add((path.relative_to(root).as_posix(), number, code))
    return found


def reported(root: Path, *paths: str) -> set[tuple[str, int, str]]:
    done = run_cli("check", "--no-cache", "--format", "json", "--exit-zero", *(paths or (".",)), cwd=root)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr, done.stderr
    return {(Path(f["path"]).as_posix().removeprefix("./"), f["line"], f["code"])
            for f in json.loads(done.stdout)["findings"]}


def test_fixtures_exist():
    shapes = {p.parent.name for p in TWINS}
    assert len(shapes) >= 6
    for shape in shapes:
        assert (PROJECTS / shape / "wrong").is_dir() and (PROJECTS / shape / "right").is_dir(), shape
        assert expected(PROJECTS / shape / "wrong"), f"{shape}/wrong marks no finding"
        assert not expected(PROJECTS / shape / "right"), f"{shape}/right marks a finding"


@pytest.mark.parametrize("twin", TWINS, ids=lambda p: f"{p.parent.name}-{p.name}")
def test_project(twin: Path, tmp_path: Path):
    root = materialise(twin, tmp_path / "bot")
    want = expected(root)
    assert reported(root) == want
    if twin.name == "wrong" and twin.parent.name in PARTIAL:
        # A partial run reads the rest of the project: each module alone gives its own findings.
        for module in sorted({path for path, _, _ in want}):
            assert reported(root, module) == {f for f in want if f[0] == module}, module


@pytest.mark.parametrize("generic", ["restclient/wrong/rest.py", "restclient/right/rest.py",
                                     "requestlayer/wrong/layer.py", "requestlayer/right/layer.py"])
def test_generic_request_layers_pass_no_gate(generic: str):
    """The in-house request layers hold no Binance bytes: they are read only because Binance code imports them."""
    from binlint.pipeline import gate

    assert not gate.worth_parsing((PROJECTS / generic).read_bytes())
