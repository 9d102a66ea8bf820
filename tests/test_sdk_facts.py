"""An SDK is one entry of the SDK table: the model and the rules learn everything about it from there."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest

from binlint.analysis import Analysis, binance, sdk_facts
from binlint.analysis.module import ModuleModel
from binlint.analysis.retries import RetryModel
from binlint.analysis.sdk_facts import SdkClass, SdkFacts, SdkOrderMethods
from binlint.config import Config
from tests.helpers import codes

# An SDK that does not exist: its module name does not even hold the word binance.
ACME = SdkFacts(
    "acme-trade",
    clients=(SdkClass("acme-trade", ("acmetrade.Client",), key_args=("api_key",), secret_args=("api_secret",),
                      key_position=0, secret_position=1),),
    orders=SdkOrderMethods(orders=frozenset({"place"}), id_keywords=("order_tag",)),
    queries=frozenset({"lookup"}),
    modules=("acmetrade",),
    rate_limit_exceptions=frozenset({"AcmeSlowDown"}),
)

LOOP = """
import time

from acmetrade import Client

client = Client(api_key, api_secret)
while True:
    if signal():
        client.place(symbol="BTCUSDT", quantity=0.01)
    time.sleep(60)
"""

RETRIED = """
import time

from acmetrade import Client

client = Client(api_key, api_secret)


def buy():
    for attempt in range(5):
        try:
            return client.place(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1)
        except Exception:
            time.sleep(2 ** attempt)
"""


@pytest.fixture
def acme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdk_facts, "REGISTRY", sdk_facts.REGISTRY.with_sdk(ACME))


def test_an_unknown_sdk_is_not_binance_code():
    assert codes(LOOP, select=("BL401",)) == []
    assert binance.sdk_class("acmetrade.Client") is None


def test_one_entry_makes_bl401_fire_on_its_order_method(acme):
    assert binance.is_sdk_module("acmetrade")
    assert binance.sdk_class("acmetrade.Client") is ACME.clients[0]
    assert codes(LOOP, select=("BL401",)) == ["BL401"]


def test_one_entry_gives_the_client_order_id_argument(acme):
    assert codes(RETRIED, select=("BL403",)) == ["BL403"]
    fixed = RETRIED.replace("def buy():\n", "def buy():\n    tag = new_id()\n").replace(
        "quantity=1)", "quantity=1, order_tag=tag)")
    assert codes(fixed, select=("BL403",)) == []


def test_every_entry_is_well_formed():
    names = [f.name for f in sdk_facts.SDKS]
    assert len(names) == len(set(names))
    for facts in sdk_facts.SDKS:
        assert facts.clients and all(c.sdk == facts.name for c in facts.clients)
        assert facts.orders.orders
        assert facts.modules or facts.module_prefixes or facts.name == "ccxt"
        if facts.only_methods:
            assert binance.sdk_class(facts.only_methods_client) is not None


def _table_words() -> set[str]:
    words: set[str] = set(binance.REST_HOSTS)
    for facts in sdk_facts.SDKS:
        table = facts.orders
        words |= table.orders | table.tests | table.withdrawals | facts.queries | facts.only_methods
        words |= facts.rate_limit_exceptions | set(facts.recv_window_options) | {facts.name}
        words |= {name for cls in facts.clients for name in cls.qualified_names}
    return words


def test_no_rule_holds_an_sdk_fact_or_a_pattern_of_its_own():
    words = _table_words()
    rules = Path(binance.__file__).parent.parent / "rules"
    found = []
    for path in sorted(rules.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                    node.value in words or node.value.lower() == binance.API_KEY_HEADER):
                found.append(f"{path.name}:{node.lineno} {node.value!r}")
            if path.name.startswith("bl") and isinstance(node, ast.Attribute) and node.attr == "compile" \
                    and isinstance(node.value, ast.Name) and node.value.id == "re":
                found.append(f"{path.name}:{node.lineno} a pattern of its own")
    assert found == []


RATE_LIMITED = """
import time

from acmetrade import AcmeSlowDown, Client

client = Client(api_key, api_secret)


def buy(cid):
    for attempt in range(5):
        try:
            return client.place(symbol="BTCUSDT", order_tag=cid)
        except AcmeSlowDown:
            time.sleep(2 ** attempt)
"""


def _retry_model(source: str) -> RetryModel:
    return Analysis(ModuleModel(cst.parse_module(source), "bot.py", source), Config(root=Path.cwd())).retries


def test_one_entry_gives_the_rate_limit_exceptions(acme):
    (construct,) = _retry_model(RATE_LIMITED).constructs
    assert construct.rate_limit is not None and "handles 429/418" in " ".join(construct.problems())


def test_without_the_entry_its_exception_is_not_a_rate_limit():
    (construct,) = _retry_model(RATE_LIMITED).constructs
    assert construct.rate_limit is None
