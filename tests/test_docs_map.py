"""ARCHITECTURE.md stays a map of the package: every module of `binlint/` is named in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "binlint"


def _modules() -> list[Path]:
    """The modules a reader needs placed (rules and reporters are found by their pattern)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if path.name in ("__init__.py", "__main__.py"):
            continue
        if relative.parts[0] == "rules" and re.match(r"bl\d{3}_", path.name):
            continue
        if relative.parts[0] == "report" and path.name.endswith("_format.py"):
            continue
        found.append(relative)
    return found


def test_architecture_names_every_module():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [str(m) for m in _modules() if m.as_posix() not in text and f"`{m.name}`" not in text]
    assert not missing, f"ARCHITECTURE.md does not place: {missing}"


def test_documents_link_each_other_and_name_real_test_files():
    architecture = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "CONTRIBUTING.md" in architecture and "ARCHITECTURE.md" in contributing
    for name in set(re.findall(r"tests/(test_\w+\.py)", architecture + contributing)):
        assert (ROOT / "tests" / name).exists(), f"the docs name tests/{name}, which does not exist"
    for name in set(re.findall(r"bench/(\w+\.py)", architecture + contributing)):
        assert (ROOT / "bench" / name).exists(), f"the docs name bench/{name}, which does not exist"
