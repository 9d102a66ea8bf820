"""Every rule's documented examples, run as tests: what `binlint explain` shows is true.

Each ```python block under `## Example` must give the rule's finding as it stands (no
hidden prelude), and each one under `## Use instead` must not; a Use-instead block of a
rule that only reads Binance code must itself be Binance code, so its silence means
something.
"""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest

from binlint.analysis.module import ModuleModel
from binlint.config import Config
from binlint.rules import all_rules
from binlint.testing import fill
from tests.helpers import check_source

_HEADING = re.compile(r"(?m)^## (.+)$")
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def doc_blocks(doc: str, heading: str) -> list[str]:
    """The ```python blocks of the docs section `## heading`."""
    parts = _HEADING.split(doc)
    sections = dict(zip(parts[1::2], parts[2::2]))
    return _BLOCK.findall(sections.get(heading, ""))


EXAMPLES = [(rule, i, block) for rule in all_rules() for i, block in enumerate(doc_blocks(rule.doc(), "Example"))]
USE_INSTEAD = [(rule, i, block) for rule in all_rules() for i, block in enumerate(doc_blocks(rule.doc(), "Use instead"))]


def _id(item: tuple) -> str:
    rule, index, _ = item
    return f"{rule.code}-{index}"


def _fired(rule, block: str) -> list:
    config = Config(root=Path.cwd())
    result = check_source(fill(block), "bot.py", config=config, warn_unused_ignores=True)
    assert not result.errors, result.errors
    return [f for f in result.findings if f.code == rule.code]


def test_every_rule_documents_an_example_and_a_fix():
    for rule in all_rules():
        assert doc_blocks(rule.doc(), "Example"), f"{rule.code}: no ```python block under ## Example"
        assert doc_blocks(rule.doc(), "Use instead"), f"{rule.code}: no ```python block under ## Use instead"


@pytest.mark.parametrize("rule, index, block", EXAMPLES, ids=[_id(v) for v in EXAMPLES])
def test_documented_example_fires(rule, index, block):
    assert _fired(rule, block), f"{rule.code}: its ## Example block {index} does not fire it"


@pytest.mark.parametrize("rule, index, block", USE_INSTEAD, ids=[_id(v) for v in USE_INSTEAD])
def test_documented_fix_is_silent(rule, index, block):
    source = fill(block)
    if rule.binance_only:
        module = cst.parse_module(source)
        assert ModuleModel(module, "bot.py", source).is_binance, (
            f"{rule.code}: its ## Use instead block {index} is not Binance code, so the rule never reads it"
        )
    assert not _fired(rule, block), f"{rule.code}: its ## Use instead block {index} fires it"
