"""A test-only rule whose fixes exercise the fix machinery, and helpers for the fix tests.

`FixtureRule` (BL990) is registered only inside a test, through the `fixture_rule`
fixture; its behaviour is chosen by what the source holds:

- a string with `http://`          -> safe: the same string with `https://`
- a string holding a fake key or `KEYHERE` -> unsafe: `os.environ["BINANCE_API_KEY"]` + `import os`
- the string `"NEEDS_TIME"`        -> safe: `time.ctime()` + `import time`
- `wrap(...)`                      -> safe: `wrapped(...)`, an edit spanning its arguments
- the name `grow`                  -> safe: `grow + 1` (never settles)
- the names `ping` / `pong`        -> safe: swap them (the fixes undo each other)
- `breakme()`                      -> safe: `breakme(` (would not parse)
- `pairbreak(a, b)`                -> safe: two edits, `(a` and `b]`: together they do not parse
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import libcst as cst
import pytest

import binlint.rules
from binlint.config import Config
from binlint.model import Applicability, Severity
from binlint.pipeline.discover import FileKind, kind_of
from binlint.pipeline.engine import FileResult, RunSettings, check_bytes
from binlint.rules.base import Report, Rule, insert_import, replace_node


class FixtureRule(Rule):
    """A test-only rule.

    ## What it does
    Offers fixes of every shape, for the fix tests.
    """

    code = "BL990"
    name = "fixture-rule"
    severity = Severity.ERROR
    fix = "safe"
    binance_only = False

    def check(self, analysis) -> Iterable[Report]:  # type: ignore[no-untyped-def]
        model = analysis.model
        for node in model.tree.of_type(cst.SimpleString):
            value = node.evaluated_value if isinstance(node.evaluated_value, str) else ""
            if "http://" in node.value:
                yield Report(node, f"`{node.value}` is plain http", "Use https.", Applicability.SAFE,
                             (replace_node(analysis, node, node.value.replace("http://", "https://")),))
            if "KEYHERE" in value or (len(value) == 64 and value.isalnum()):
                yield Report(node, f"key {value} in code", "Read it from the environment.", Applicability.UNSAFE,
                             (replace_node(analysis, node, 'os.environ["BINANCE_API_KEY"]'),
                              *insert_import(analysis, "os")), secrets=(value,))
            if value == "NEEDS_TIME":
                yield Report(node, "needs time", "Call time.ctime().", Applicability.SAFE,
                             (replace_node(analysis, node, "time.ctime()"), *insert_import(analysis, "time")))
        for call in model.calls():
            if isinstance(call.func, cst.Name) and call.func.value == "wrap":
                arguments = ", ".join(model.code(arg.value) for arg in call.args)
                yield Report(call, "wrap", "Call wrapped().", Applicability.SAFE,
                             (replace_node(analysis, call, f"wrapped({arguments})"),))
            if isinstance(call.func, cst.Name) and call.func.value == "pairbreak" and len(call.args) == 2:
                first, last = call.args[0].value, call.args[1].value
                yield Report(call, "pairbreak", "Bracket it.", Applicability.SAFE,
                             (replace_node(analysis, first, f"({model.code(first)}"),
                              replace_node(analysis, last, f"{model.code(last)}]")))
            if isinstance(call.func, cst.Name) and call.func.value == "breakme":
                yield Report(call, "breakme", "Break it.", Applicability.SAFE, (replace_node(analysis, call, "breakme("),))
        for name in model.tree.of_type(cst.Name):
            swap = {"grow": "grow + 1", "ping": "pong", "pong": "ping"}.get(name.value)
            if swap is not None and not isinstance(model.tree.parent(name), cst.Call):
                yield Report(name, name.value, "Swap it.", Applicability.SAFE, (replace_node(analysis, name, swap),))


@pytest.fixture
def fixture_rule(monkeypatch: pytest.MonkeyPatch) -> type[Rule]:
    """Register BL990 for the duration of one test."""
    registered = binlint.rules.all_rules()
    monkeypatch.setattr(binlint.rules, "all_rules", lambda: (*registered, FixtureRule))
    return FixtureRule


def settings(*select: str) -> RunSettings:
    """Run settings for the machinery tests: only BL990 unless told otherwise."""
    return RunSettings(Config(root=Path.cwd()), select or ("BL990",))


def check_file(path: str | os.PathLike[str], run: RunSettings | None = None) -> FileResult:
    data = Path(path).read_bytes()
    kind = kind_of(str(path), explicit=True) or FileKind.TEXT
    return check_bytes(data, str(path), kind, run or settings())
