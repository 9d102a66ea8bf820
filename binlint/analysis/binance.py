"""The Binance surface as data: hosts, path prefixes, SDK client classes and their key arguments.

Facts from shared reference `binance-facts.md` §1.1 and §3. Adding a host or an SDK
class is a one-line change here; no rule holds its own list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REST_HOSTS: frozenset[str] = frozenset(
    {
        "api.binance.com", "api1.binance.com", "api2.binance.com", "api3.binance.com",
        "api4.binance.com", "api-gcp.binance.com", "testnet.binance.vision",
        "demo-api.binance.com", "fapi.binance.com", "demo-fapi.binance.com",
        "testnet.binancefuture.com", "dapi.binance.com", "eapi.binance.com",
        "papi.binance.com", "api.binance.us", "data-api.binance.vision",
    }
)

# Hosts of Binance's test networks (spot testnet, futures testnet, demo trading) and their streams.
TESTNET_HOSTS: frozenset[str] = frozenset(
    {
        "testnet.binance.vision", "testnet.binancefuture.com", "demo-api.binance.com",
        "demo-fapi.binance.com", "stream.binancefuture.com", "dstream.binancefuture.com",
    }
)

PATH_PREFIXES: tuple[str, ...] = ("/api/v3/", "/sapi/", "/fapi/", "/dapi/", "/eapi/", "/papi/")

# A Binance REST host anywhere in a string (scheme optional).
HOST_PATTERN = re.compile(
    r"(?i)(?:^|[/@.\s\"'])(" + "|".join(re.escape(h) for h in sorted(REST_HOSTS, key=len, reverse=True)) + r")(?![A-Za-z0-9.-])"
)
# A string that mentions any binance.* host (websocket streams and the like included).
ANY_BINANCE_HOST = re.compile(r"(?i)\b[a-z0-9.-]*binance(?:future)?\.(?:com|us|vision)\b")

API_KEY_HEADER = "x-mbx-apikey"


def mentions_testnet_host(text: str) -> bool:
    """Whether a text names one of Binance's test-network hosts."""
    lower = text.lower()
    return ("binancefuture.com" in lower or "testnet.binance" in lower or "demo-" in lower) and any(
        host in lower for host in TESTNET_HOSTS)


@dataclass(frozen=True, slots=True)
class SdkClass:
    """A Binance client class of an SDK: how it takes its credentials."""

    sdk: str
    qualified_names: tuple[str, ...]
    key_args: tuple[str, ...] = ()  # keyword names of the API key
    secret_args: tuple[str, ...] = ()  # keyword names of the secret
    key_position: int | None = None  # positional index of the API key
    secret_position: int | None = None
    private_key_args: tuple[str, ...] = ("private_key",)
    passphrase_args: tuple[str, ...] = ("private_key_pass", "private_key_passphrase")
    config_dict: bool = False  # credentials come in a dict (ccxt)


PYTHON_BINANCE = SdkClass(
    "python-binance",
    (
        "binance.Client", "binance.client.Client", "binance.AsyncClient",
        "binance.client.AsyncClient", "binance.async_client.AsyncClient",
        "binance.AsyncClient.create", "binance.client.AsyncClient.create",
        "binance.async_client.AsyncClient.create",
    ),
    key_args=("api_key",), secret_args=("api_secret",), key_position=0, secret_position=1,
)
LEGACY_CONNECTOR = SdkClass(
    "binance-connector",
    ("binance.spot.Spot",),
    key_args=("api_key",), secret_args=("api_secret",), key_position=0, secret_position=1,
)
FUTURES_CONNECTOR = SdkClass(
    "binance-futures-connector",
    ("binance.um_futures.UMFutures", "binance.cm_futures.CMFutures", "binance.um_futures.um_futures.UMFutures",
     "binance.cm_futures.cm_futures.CMFutures"),
    key_args=("key",), secret_args=("secret",), key_position=0, secret_position=1,
)
MODULAR_CONFIG = SdkClass(
    "binance-sdk",
    ("binance_common.configuration.ConfigurationRestAPI", "binance_common.configuration.ConfigurationWebSocketAPI",
     "binance_common.configuration.ConfigurationWebSocketStreams"),
    key_args=("api_key",), secret_args=("api_secret",), key_position=0, secret_position=1,
)
CCXT = SdkClass(
    "ccxt",
    tuple(
        f"ccxt.{flavour}{name}"
        for flavour in ("", "async_support.", "pro.")
        for name in ("binance", "binanceusdm", "binancecoinm", "binanceus")
    ),
    config_dict=True,
)
UNICORN = SdkClass(
    "unicorn-binance-rest-api",
    ("unicorn_binance_rest_api.BinanceRestApiManager",
     "unicorn_binance_rest_api.manager.BinanceRestApiManager",
     "unicorn_binance_rest_api.unicorn_binance_rest_api_manager.BinanceRestApiManager"),
    key_args=("api_key",), secret_args=("api_secret",), key_position=0, secret_position=1,
)

SDK_CLASSES: tuple[SdkClass, ...] = (
    PYTHON_BINANCE, LEGACY_CONNECTOR, FUTURES_CONNECTOR, MODULAR_CONFIG, CCXT, UNICORN,
)
_BY_NAME: dict[str, SdkClass] = {name: cls for cls in SDK_CLASSES for name in cls.qualified_names}

# ccxt's credential keys inside the config dict.
CCXT_KEY_FIELDS = ("apiKey",)
CCXT_SECRET_FIELDS = ("secret",)

# Modules whose import alone marks Binance code.
SDK_MODULE_PREFIXES: tuple[str, ...] = (
    "binance", "binance_sdk_", "binance_common", "unicorn_binance_rest_api",
)


def sdk_class(qualified_name: str | None) -> SdkClass | None:
    """The SDK client class a qualified name denotes, if any."""
    if not qualified_name:
        return None
    found = _BY_NAME.get(qualified_name)
    if found is not None:
        return found
    # Modular SDK clients: binance_sdk_spot.spot.Spot, binance_sdk_wallet.Wallet, ...
    if qualified_name.startswith("binance_sdk_") and qualified_name.rsplit(".", 1)[-1][:1].isupper():
        return SdkClass("binance-sdk", (qualified_name,))
    return None


def is_sdk_module(module: str) -> bool:
    """Whether importing `module` is evidence of Binance code."""
    top = module.split(".", 1)[0]
    return top == "binance" or any(top.startswith(p) for p in SDK_MODULE_PREFIXES[1:])


def binance_host(text: str) -> str | None:
    """The Binance REST host mentioned in `text`, lower-cased, if any."""
    match = HOST_PATTERN.search(text)
    return match.group(1).lower() if match else None


def binance_path(text: str) -> str | None:
    """The part of `text` from a Binance path prefix on (`/api/v3/order?...`), if any."""
    indices = [i for i in (text.find(prefix) for prefix in PATH_PREFIXES) if i >= 0]
    return text[min(indices):] if indices else None


# Methods only an SDK client has: in Binance code, a receiver of unknown type called with one
# of these is that SDK's client (a parameter, `self.client` set from outside). Generic names
# (`create_order`, `cancel_order`, `get_order`) are left out on purpose: any wrapper has them.
SDK_ONLY_METHODS: dict[str, str] = {
    **{name: "binance.client.Client" for name in (
        "order_market_buy", "order_market_sell", "order_limit_buy", "order_limit_sell", "order_market",
        "order_limit", "order_oco_buy", "order_oco_sell", "create_oco_order", "create_margin_order",
        "create_margin_oco_order", "futures_create_order", "futures_cancel_order", "futures_limit_order",
        "futures_market_order", "futures_limit_buy_order", "futures_limit_sell_order", "futures_market_buy_order",
        "futures_market_sell_order", "futures_place_batch_order", "futures_coin_create_order",
        "futures_change_leverage", "futures_account_balance", "futures_position_information",
        "get_symbol_ticker", "get_asset_balance", "get_all_tickers", "get_historical_klines",
        "create_test_order",
    )},
    **{name: "ccxt.binance" for name in (
        "create_market_buy_order", "create_market_sell_order", "create_limit_buy_order", "create_limit_sell_order",
        "createMarketBuyOrder", "createMarketSellOrder", "createLimitBuyOrder", "createLimitSellOrder",
        "fetch_ohlcv", "fetchOHLCV", "private_post_order", "fapiPrivatePostOrder", "fapiprivate_post_order",
    )},
    **{name: "binance.spot.Spot" for name in ("new_margin_order", "new_oco_order")},
}
# `new_order` is the connectors' order method, but a common name: it counts only with the
# keywords Binance's order endpoint takes.
SDK_NEW_ORDER_KEYWORDS: frozenset[str] = frozenset({"symbol", "side", "type"})
SDK_NEW_ORDER_CLASS = "binance.spot.Spot"


def sdk_class_by_method(method: str, keywords: frozenset[str]) -> str | None:
    """The SDK client class a method call implies on a receiver of unknown type, if any."""
    found = SDK_ONLY_METHODS.get(method)
    if found is None and method == "new_order" and SDK_NEW_ORDER_KEYWORDS <= keywords:
        return SDK_NEW_ORDER_CLASS
    return found
