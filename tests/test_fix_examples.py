"""Every rule's wrong examples, fixed: the rule stops firing, the code parses, a second fix
changes nothing, and the result is the example's `fixed` text when it gives one.

Generated from `all_rules()`, so a rule picks these tests up as soon as it lands.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from binlint.config import Config
from binlint.pipeline import fix
from binlint.pipeline.discover import FileKind, kind_of
from binlint.pipeline.engine import RunSettings, check_bytes
from binlint.rules import all_rules
from binlint.testing import fill

CASES = [(rule, index, case) for rule in all_rules() for index, case in enumerate(rule.INVALID)]
IDS = [f"{rule.code}-{index}" for rule, index, _ in CASES]


def _settings(*select: str) -> RunSettings:
    return RunSettings(Config(root=Path.cwd()), select)


def _fix(data: bytes, filename: str, run: RunSettings) -> fix.SourceFix:
    kind = kind_of(filename, explicit=True) or FileKind.TEXT
    return fix.fix_bytes(data, filename, kind, run, unsafe=True)


def _parses(data: bytes, filename: str) -> bool:
    kind = kind_of(filename, explicit=True)
    if kind is FileKind.TEXT:
        return True
    return check_bytes(data, filename, kind or FileKind.PYTHON, _settings("BL001")).findings == []


@pytest.mark.parametrize("rule, index, case", CASES, ids=IDS)
def test_fixing_a_wrong_example_removes_the_finding(rule, index, case):
    data = fill(case.source, index).encode("utf-8")
    run = _settings(rule.code)
    out = _fix(data, case.filename, run)
    fixable = [f for f in out.before.findings if f.code == rule.code and f.fix.wanted(unsafe=True)]
    if not fixable:
        assert case.fixed is None, f"{rule.code} INVALID {index} gives `fixed` but its findings carry no edits"
        return  # advice only: it promises no fixed form, and nothing more is there to check
    assert not out.warnings, out.warnings
    assert out.changed, f"{rule.code} INVALID {index}: the edits changed nothing"
    assert _parses(out.data, case.filename)
    remaining = [f for f in out.result.findings if f.code == rule.code]
    advice = [f for f in out.before.findings if f.code == rule.code and not f.fix.wanted(unsafe=True)]
    assert len(remaining) <= len(advice), f"{rule.code} still fires after its fix: {remaining}"
    if case.fixed_source is not None:
        assert out.data.decode("utf-8") == fill(case.fixed_source, index)
    again = _fix(out.data, case.filename, run)
    assert not again.changed, f"{rule.code} INVALID {index}: a second --fix changed the code again"


@pytest.mark.parametrize("rule, index, case", CASES, ids=IDS)
def test_fixing_with_every_rule_keeps_the_example_sound(rule, index, case):
    data = fill(case.source, index).encode("utf-8")
    run = _settings("BL")
    out = _fix(data, case.filename, run)
    assert not out.warnings, out.warnings
    assert _parses(out.data, case.filename) or not _parses(data, case.filename)
    assert not _fix(out.data, case.filename, run).changed


@pytest.mark.parametrize("rule, index, case", CASES, ids=IDS)
def test_a_fix_run_ends_with_what_a_whole_check_finds(rule, index, case):
    """A `--fix` run's checks stop after the rules with fixes while they find some to apply
    (`RunSettings.fixing`): the file it writes and the findings it reports are those of whole checks."""
    from dataclasses import replace

    from binlint.rules import get_rule

    data = fill(case.source, index).encode("utf-8")
    whole = _fix(data, case.filename, _settings("BL"))
    for finding in whole.before.findings:  # a rule says which of its fixes a run applies, as its findings do
        for unsafe in (False, True):
            assert not finding.fix.wanted(unsafe) or get_rule(finding.code).fixes_applied(unsafe), finding.code
    fixing = replace(_settings("BL"), fixing="unsafe")
    kind = kind_of(case.filename, explicit=True) or FileKind.TEXT
    first = check_bytes(data, case.filename, kind, fixing)
    if first.partial:
        assert any(f.fix.wanted(unsafe=True) for f in first.findings)
        assert {f.code for f in first.findings} <= {f.code for f in whole.before.findings}
    out = fix.fix_bytes(data, case.filename, kind, fixing, unsafe=True, before=first)
    assert out.data == whole.data
    assert not out.result.partial
    assert out.result.findings == whole.result.findings
    assert out.warnings == whole.warnings


def test_the_cases_cover_every_rule():
    assert {rule.code for rule, _, _ in CASES} == {rule.code for rule in all_rules() if rule.INVALID}


SPLICED: list[bool] = []


@pytest.fixture
def counting_splices(monkeypatch):
    from binlint.pipeline.parse.incremental import Splicer

    real = Splicer.splice

    def counted(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        module = real(self, *args, **kwargs)
        SPLICED.append(module is not None)
        return module

    monkeypatch.setattr(Splicer, "splice", counted)


@pytest.mark.parametrize("rule, index, case", CASES, ids=IDS)
def test_fixing_on_the_check_s_tree_gives_what_whole_parses_give(rule, index, case, counting_splices):
    """With --fix the check holds its tree and the fixer splices its edits into it (`reuse.holding`):
    the fixed text, the findings left and the warnings are those of the fixer that parses each text whole."""
    from binlint.pipeline.parse import reuse

    data = fill(case.source, index).encode("utf-8")
    run = _settings(rule.code)
    whole = _fix(data, case.filename, run)
    reuse.holding(True)
    try:
        spliced = _fix(data, case.filename, run)
    finally:
        reuse.holding(False)
    assert (spliced.data, spliced.fixed, spliced.warnings) == (whole.data, whole.fixed, whole.warnings)
    assert spliced.result.findings == whole.result.findings


def test_the_fixes_of_the_examples_are_mostly_spliced():
    """The test above is worth something only if the splice was taken (run after it, in file order)."""
    if not SPLICED:
        pytest.skip("run with the test above")
    assert sum(SPLICED) >= len(SPLICED) // 3, f"{sum(SPLICED)} of {len(SPLICED)} fixes spliced"
