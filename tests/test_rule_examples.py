"""Every rule's VALID and INVALID examples, run as tests (the docs and tests cannot drift)."""

from __future__ import annotations

import pytest

from binlint.rules import all_rules
from binlint.testing import fill
from tests.helpers import check_source

VALID = [(rule, i, case) for rule in all_rules() for i, case in enumerate(rule.VALID)]
INVALID = [(rule, i, case) for rule in all_rules() for i, case in enumerate(rule.INVALID)]


def _id(item: tuple) -> str:
    rule, index, _ = item
    return f"{rule.code}-{index}"


@pytest.mark.parametrize("rule, index, case", VALID, ids=[_id(v) for v in VALID])
def test_valid_example_is_silent(rule, index, case):
    result = check_source(fill(case.source, index), case.filename)
    assert not result.errors, result.errors
    fired = [f for f in result.findings if f.code == rule.code]
    assert not fired, f"{rule.code} fired on its VALID example {index}: {fired}"


@pytest.mark.parametrize("rule, index, case", INVALID, ids=[_id(v) for v in INVALID])
def test_invalid_example_fires(rule, index, case):
    result = check_source(fill(case.source, index), case.filename)
    assert not result.errors, result.errors
    fired = [f for f in result.findings if f.code == rule.code]
    assert len(fired) == case.count, f"{rule.code} INVALID {index}: expected {case.count}, got {fired}"
    assert fired[0].line == case.line, f"{rule.code} INVALID {index}: at line {fired[0].line}, not {case.line}"
    expected = case.severity if case.severity is not None else rule.severity  # INFO is 0, falsy
    assert fired[0].severity == expected
    assert fired[0].fix.text.strip(), "every finding carries a fix text"


def test_every_rule_is_documented_and_has_examples():
    headings = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety")
    for rule in all_rules():
        doc = rule.doc()
        for heading in headings:
            assert heading in doc, f"{rule.code} docs lack {heading!r}"
        if rule.code != "BL002":
            assert rule.VALID and rule.INVALID, f"{rule.code} needs VALID and INVALID examples"
