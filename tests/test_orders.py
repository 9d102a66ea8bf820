"""The order-call table and the resolution of order-placing calls (binlint/analysis/orders.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from binlint.analysis import Analysis
from binlint.analysis.module import ModuleModel
from binlint.analysis.orders import implicit_kind, sdk_method_kind
from binlint.analysis.sdk_facts import REGISTRY
from binlint.config import Config


def analyse(source: str, config: Config | None = None) -> Analysis:
    source = textwrap.dedent(source).lstrip("\n")
    return Analysis(ModuleModel(cst.parse_module(source), "bot.py", source), config or Config(root=Path.cwd()))


def orders(source: str, config: Config | None = None) -> list[tuple[int, str, str, str]]:
    analysis = analyse(source, config)
    return [(analysis.model.line(o.call), o.kind, o.via, o.describe(analysis.model)) for o in analysis.orders.calls]


# --- the table -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sdk, method, kind",
    [
        ("python-binance", "create_order", "order"),
        ("python-binance", "order_market_buy", "order"),
        ("python-binance", "create_margin_order", "order"),
        ("python-binance", "futures_create_order", "order"),
        ("python-binance", "futures_coin_create_order", "order"),
        ("python-binance", "options_place_order", "order"),
        ("python-binance", "papi_create_um_order", "order"),
        ("python-binance", "ws_create_order", "order"),
        ("python-binance", "v3_post_order_list_oto", "order"),
        ("python-binance", "futures_v1_post_batch_order", "order"),
        ("python-binance", "margin_v1_post_localentity_withdraw_apply", "withdrawal"),
        ("python-binance", "create_test_order", "test"),
        ("python-binance", "withdraw", "withdrawal"),
        ("python-binance", "get_order", None),
        ("python-binance", "cancel_order", None),
        ("python-binance", "futures_cancel_order", None),
        ("python-binance", "v3_delete_order", None),
        ("python-binance", "get_withdraw_history", None),
        ("binance-connector", "new_order", "order"),
        ("binance-connector", "new_margin_order", "order"),
        ("binance-connector", "new_order_test", "test"),
        ("binance-connector", "withdraw", "withdrawal"),
        ("binance-connector", "cancel_order", None),
        ("binance-futures-connector", "new_batch_order", "order"),
        ("binance-futures-connector", "modify_order", "order"),
        ("binance-futures-connector", "query_order", None),
        ("binance-sdk", "new_order", "order"),
        ("binance-sdk", "order_list_otoco", "order"),
        ("binance-sdk", "margin_account_new_order", "order"),
        ("binance-sdk", "order_test", "test"),
        ("binance-sdk", "withdraw", "withdrawal"),
        ("binance-sdk", "get_order", None),
        ("ccxt", "create_order", "order"),
        ("ccxt", "createOrder", "order"),
        ("ccxt", "create_market_buy_order", "order"),
        ("ccxt", "createMarketBuyOrderWithCost", "order"),
        ("ccxt", "edit_order", "order"),
        ("ccxt", "withdraw", "withdrawal"),
        ("ccxt", "private_post_order", "order"),
        ("ccxt", "privatePostOrder", "order"),
        ("ccxt", "fapiprivate_post_order", "order"),
        ("ccxt", "fapiPrivatePostBatchOrders", "order"),
        ("ccxt", "fapiprivate_put_order", "order"),
        ("ccxt", "sapi_post_margin_order", "order"),
        ("ccxt", "private_post_order_cancelreplace", "order"),
        ("ccxt", "privatePostOrderTest", "test"),
        ("ccxt", "sapi_post_capital_withdraw_apply", "withdrawal"),
        ("ccxt", "sapiPostCapitalWithdrawApply", "withdrawal"),
        ("ccxt", "private_delete_order", None),
        ("ccxt", "private_get_order", None),
        ("ccxt", "sapi_post_convert_limit_cancelorder", None),
        ("ccxt", "sapi_post_account_enablefastwithdrawswitch", None),
        ("ccxt", "fetch_order", None),
        ("ccxt", "cancel_order", None),
        ("unicorn-binance-rest-api", "order_limit_sell", "order"),
        ("unicorn-binance-rest-api", "futures_place_batch_order", "order"),
        ("unicorn-binance-rest-api", "withdraw", "withdrawal"),
    ],
)
def test_method_kinds(sdk, method, kind):
    assert sdk_method_kind(sdk, method) == kind


def test_implicit_names_need_a_binance_api_prefix():
    assert implicit_kind("public_post_order") is None
    assert implicit_kind("foo_post_order") is None
    assert implicit_kind("papi_post_um_conditional_order") == "order"


def test_every_sdk_has_a_table():
    assert set(REGISTRY.by_name) == {
        "python-binance", "binance-connector", "binance-futures-connector", "binance-sdk", "ccxt",
        "unicorn-binance-rest-api",
    }


# --- resolution through imports ----------------------------------------------------------


def test_sdk_order_calls_are_resolved_through_imports():
    found = orders(
        """
        import ccxt
        from binance.client import Client
        from binance.spot import Spot
        from binance.um_futures import UMFutures
        from binance_common.configuration import ConfigurationRestAPI
        from binance_sdk_spot.spot import Spot as ModularSpot
        from unicorn_binance_rest_api import BinanceRestApiManager

        client = Client(k, s)
        spot = Spot(api_key=k, api_secret=s)
        futures = UMFutures(key=k, secret=s)
        modular = ModularSpot(config_rest_api=ConfigurationRestAPI(api_key=k, api_secret=s))
        exchange = getattr(ccxt, "binance")({"apiKey": k, "secret": s})
        ubra = BinanceRestApiManager(k, s)

        client.order_limit_buy(symbol="BTCUSDT", quantity=1, price="1")
        spot.new_order("BTCUSDT", "BUY", "MARKET", quantity=1)
        futures.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1)
        modular.rest_api.new_order(symbol="BTCUSDT", side="BUY", type="MARKET")
        exchange.createOrder("BTC/USDT", "market", "buy", 1)
        ubra.order_market_sell(symbol="BTCUSDT", quantity=1)
        client.get_order(symbol="BTCUSDT", orderId=1)
        """
    )
    assert [(line, via) for line, _, via, _ in found] == [
        (16, "python-binance"), (17, "binance-connector"), (18, "binance-futures-connector"),
        (19, "binance-sdk"), (20, "ccxt"), (21, "unicorn-binance-rest-api"),
    ]
    assert found[3][3] == "`modular.rest_api.new_order(...)` on line 19"


def test_names_alone_do_not_make_an_order_call():
    found = orders(
        """
        from binance.client import Client
        from mybroker import Client as BrokerClient

        client = BrokerClient()
        client.create_order(symbol="X")
        exchange.create_order("BTC/USDT", "market", "buy", 1)
        """
    )
    assert found == []


def test_sdk_client_on_self_and_async_client():
    found = orders(
        """
        from binance import AsyncClient

        class Bot:
            def __init__(self, client: AsyncClient):
                self.client = client

            async def buy(self):
                await self.client.order_market_buy(symbol="BTCUSDT", quantity=1)

        async def main():
            client = await AsyncClient.create(k, s)
            await client.futures_create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1)
        """
    )
    assert [line for line, *_ in found] == [8, 12]


def test_raw_order_requests_and_helpers_that_send_them():
    found = orders(
        """
        import requests

        BASE = "https://api.binance.com"

        def signed(method, path, params):
            return requests.request(method, BASE + path, params=params, timeout=10)

        def buy(params):
            return signed("POST", "/api/v3/order", params)

        def status(params):
            return signed("GET", "/api/v3/order", params)

        def withdraw(query):
            return requests.post(BASE + "/sapi/v1/capital/withdraw/apply?" + query, timeout=10)

        def check(query):
            return requests.post(BASE + "/api/v3/order/test?" + query, timeout=10)
        """
    )
    assert [(line, kind) for line, kind, _, _ in found] == [(9, "order"), (15, "withdrawal"), (18, "test")]
    assert found[0][3] == "the request through `signed(...)` on line 9 to `POST /api/v3/order`"


# --- config extension ----------------------------------------------------------------------


def test_config_order_methods_and_client_classes():
    config = Config(root=Path.cwd(), order_methods=("place", "mybot.trading.submit_order"),
                    client_classes=("mybot.exchange.Exchange",))
    found = orders(
        """
        import binance
        from mybot.exchange import Exchange
        from mybot.trading import submit_order
        from other import Thing

        ex = Exchange()
        ex.place("BTCUSDT", 1)
        submit_order("BTCUSDT", 1)
        Thing().place("x")
        ex.cancel("BTCUSDT")
        """,
        config,
    )
    assert [(line, via) for line, _, via, _ in found] == [(7, "config"), (8, "config")]


def test_config_order_methods_extend_sdk_clients():
    config = Config(root=Path.cwd(), order_methods=("my_custom_order",))
    found = orders(
        """
        from binance.client import Client
        client = Client(k, s)
        client.my_custom_order(symbol="BTCUSDT")
        """,
        config,
    )
    assert [(line, kind) for line, kind, _, _ in found] == [(3, "order")]


# --- client order ids ------------------------------------------------------------------------


def client_order_ids(source: str) -> list[tuple[str, str | None]]:
    analysis = analyse(source)
    found = []
    for order in analysis.orders.calls:
        cid = analysis.orders.client_order_id(order)
        found.append((cid.state, analysis.model.code(cid.value) if cid.value is not None else None))
    return found


def test_client_order_id_states():
    assert client_order_ids(
        """
        import ccxt
        from binance.client import Client
        from binance_sdk_spot.spot import Spot

        client = Client(k, s)
        exchange = ccxt.binance()
        modular = Spot(config_rest_api=config)

        client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1, newClientOrderId=cid)
        client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1)
        params = {"symbol": "BTCUSDT", "newClientOrderId": made}
        client.create_order(**params)
        other = {"symbol": "BTCUSDT"}
        other["newClientOrderId"] = later
        client.create_order(**other)
        client.create_order(**kwargs)
        exchange.create_order("BTC/USDT", "market", "buy", 1, None, {"clientOrderId": c1})
        exchange.create_order("BTC/USDT", "market", "buy", 1, params={"newClientOrderId": c2})
        exchange.create_order("BTC/USDT", "market", "buy", 1)
        modular.rest_api.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", new_client_order_id=c3)
        client.withdraw(coin="USDT", address=a, amount=1, withdrawOrderId=w)
        """
    ) == [
        ("present", "cid"), ("absent", None), ("present", "made"), ("present", "later"), ("unknown", None),
        ("present", "c1"), ("present", "c2"), ("absent", None), ("present", "c3"), ("present", "w"),
    ]


def test_client_order_id_of_raw_requests():
    assert client_order_ids(
        """
        import requests
        URL = "https://api.binance.com/api/v3/order"
        requests.post(URL, data={"symbol": "BTCUSDT", "newClientOrderId": cid}, timeout=10)
        requests.post(URL, data={"symbol": "BTCUSDT"}, timeout=10)
        requests.post(URL + "?symbol=BTCUSDT&newClientOrderId=abc", timeout=10)
        requests.post(URL, data=body, timeout=10)
        """
    ) == [("present", "cid"), ("absent", None), ("present", None), ("unknown", None)]
