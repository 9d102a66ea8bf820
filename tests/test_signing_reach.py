"""`SigningModel._reaches_request` (what `_refers` visits, gathered once) answers what asking
`_refers` of every request, signed container, digest and helper argument answers."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from binlint.analysis import Analysis
from binlint.analysis.module import ModuleModel
from binlint.analysis.values import called_function
from binlint.config import Config
from binlint.rules import all_rules
from binlint.testing import fill
from bench.botgen import bot_source

SOURCES = [bot_source(150), bot_source(150, style="class")] + [
    fill(case.source, index) for rule in all_rules() if rule.code.startswith(("BL2", "BL3"))
    for index, case in enumerate((*rule.VALID, *rule.INVALID)) if case.filename.endswith(".py")
]


def _reaches_request_by_refers(signing, carrier: cst.BaseExpression, node: cst.CSTNode) -> bool:
    """The question asked the slow way: `_refers` from every root, one after the other."""
    model = signing.model
    for site in signing.analysis.requests.binance_sites:
        for expr in (site.url_expr, site.params, site.data, site.json):
            if expr is not None and signing._refers(expr, carrier, node):
                return True
    for flow in signing.binance_signings:
        payload = flow.payload
        if payload is not None and payload.container is not None and model.tree.order(payload.container) >= 0 \
                and signing._refers(payload.container, carrier, node):
            return True
    for digest in signing.digests:
        if digest.message is not None and signing._refers(digest.message, carrier, node):
            return True
    for call in signing._calls_with_args:
        if id(called_function(model, call)) in signing._request_functions and any(
                signing._refers(arg.value, carrier, node) for arg in call.args):
            return True
    return False


@pytest.mark.parametrize("index", range(len(SOURCES)))
def test_reaches_request_is_refers_from_every_root(index: int) -> None:
    source = SOURCES[index]
    module = cst.parse_module(source)
    signing = Analysis(ModuleModel(module, "bot.py", source), Config(root=Path.cwd())).signing
    tree = signing.model.tree
    carriers = tree.of_type(cst.Dict, cst.Name, cst.Attribute, cst.Call)
    for carrier in carriers:
        inner = tree.within(carrier, cst.SimpleString) or [carrier]
        for node in (carrier, inner[0]):
            assert signing._reaches_request(carrier, node) == _reaches_request_by_refers(signing, carrier, node), \
                (module.code_for_node(carrier), module.code_for_node(node))
