"""The Binance SDKs as data: one `SdkFacts` entry per SDK, and the registry the model reads.

Everything binlint knows about an SDK stands in its entry: the client classes and how
they take credentials, the modules whose import marks Binance code, the order, test,
withdrawal and order-query methods, the client-order-id arguments, the rate-limit
exception names, where a `recvWindow` option is set, and the methods only its client
has. Adding an SDK is adding one entry to `SDKS`; `binance.py`, `orders.py`, `sdk.py`,
`retries.py` and the rules read the entries through `REGISTRY`, at call time, so a test
can put an imaginary SDK in with `monkeypatch.setattr(sdk_facts, "REGISTRY", ...)`.

Facts: shared reference `binance-facts.md` §3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property


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
    config_key_fields: tuple[str, ...] = ()  # the API key's field in that dict
    config_secret_fields: tuple[str, ...] = ()  # the secret's field in that dict


@dataclass(frozen=True, slots=True)
class SdkOrderMethods:
    """The order-placing methods of one SDK, and how its calls take a client order id."""

    orders: frozenset[str]
    tests: frozenset[str] = frozenset()
    withdrawals: frozenset[str] = frozenset({"withdraw"})
    id_keywords: tuple[str, ...] = ("newClientOrderId",)
    withdrawal_id_keywords: tuple[str, ...] = ("withdrawOrderId",)
    params_dict: bool = False  # the id goes inside a params dict (ccxt)


@dataclass(frozen=True, slots=True)
class SdkFacts:
    """Everything binlint knows about one Binance SDK."""

    name: str
    clients: tuple[SdkClass, ...]
    orders: SdkOrderMethods
    # Methods that read an order back (by client order id, or as a list): the step before a safe resend.
    queries: frozenset[str] = frozenset()
    # Top-level modules whose import marks Binance code: by name, and by prefix.
    modules: tuple[str, ...] = ()
    module_prefixes: tuple[str, ...] = ()
    # Classes of any module with this prefix are this SDK's clients (`binance_sdk_spot.spot.Spot`).
    client_module_prefix: str | None = None
    # Methods only this SDK's client has, and the client class they imply on an untyped receiver.
    only_methods: frozenset[str] = frozenset()
    only_methods_client: str | None = None
    # Methods with a common name that imply the client only with these keywords (`new_order(symbol=, side=, type=)`).
    keyword_methods: tuple[tuple[str, frozenset[str]], ...] = ()
    # Exception classes (last name) the SDK raises on a 429/418 answer.
    rate_limit_exceptions: frozenset[str] = frozenset()
    # Client attributes holding a dict of options where `recvWindow` is set (`exchange.options["recvWindow"]`).
    recv_window_options: tuple[str, ...] = ()
    implicit_endpoints: bool = False  # `private_post_order`-style methods, one per REST endpoint
    # Formats amounts to the market's precision itself (ccxt); the others send a number as `str(number)`.
    formats_amounts: bool = False
    fills_client_order_id: bool = False  # makes a new client order id on every call when none is given


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _with_camel(names: frozenset[str]) -> frozenset[str]:
    """Snake-case names plus their camelCase aliases (ccxt has both)."""
    camel = {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name) for name in names}
    return names | frozenset(camel)


PYTHON_BINANCE = SdkFacts(
    "python-binance",
    clients=(SdkClass(
        "python-binance",
        (
            "binance.Client", "binance.client.Client", "binance.AsyncClient",
            "binance.client.AsyncClient", "binance.async_client.AsyncClient",
            "binance.AsyncClient.create", "binance.client.AsyncClient.create",
            "binance.async_client.AsyncClient.create",
        ),
        key_args=("api_key",), secret_args=("api_secret",), key_position=0, secret_position=1,
    ),),
    orders=SdkOrderMethods(
        orders=_words(
            # spot
            "create_order order_limit order_limit_buy order_limit_sell order_market order_market_buy"
            " order_market_sell create_oco_order order_oco_buy order_oco_sell cancel_replace_order"
            # margin
            " create_margin_order create_margin_oco_order"
            # USD-M futures
            " futures_create_order futures_limit_order futures_market_order futures_limit_buy_order"
            " futures_limit_sell_order futures_market_buy_order futures_market_sell_order"
            " futures_modify_order futures_place_batch_order futures_create_algo_order"
            # COIN-M futures
            " futures_coin_create_order futures_coin_place_batch_order futures_coin_modify_order"
            # options, portfolio margin
            " options_place_order options_place_batch_order options_create_block_trade_order"
            " papi_create_um_order papi_create_cm_order papi_create_um_conditional_order"
            " papi_create_cm_conditional_order papi_create_margin_order papi_margin_order_oco"
            " papi_modify_um_order papi_modify_cm_order"
            # websocket API
            " ws_create_order ws_order_limit ws_order_limit_buy ws_order_limit_sell ws_order_market"
            " ws_order_market_buy ws_order_market_sell ws_create_oco_order ws_create_oto_order"
            " ws_create_otoco_order ws_create_sor_order ws_cancel_and_replace_order"
            " ws_futures_create_order ws_futures_edit_order ws_futures_create_algo_order"
        ),
        tests=_words("create_test_order futures_create_test_order ws_create_test_order ws_create_test_sor_order"),
    ),
    queries=_words(
        "get_order get_open_orders get_all_orders get_my_trades futures_get_order futures_get_open_orders"
        " futures_get_all_orders futures_account_trades futures_coin_get_order futures_coin_get_open_orders"
        " futures_coin_get_all_orders get_margin_order get_open_margin_orders get_all_margin_orders"
        " options_query_order options_get_open_orders papi_get_um_order papi_get_cm_order papi_get_margin_order"
        " papi_get_um_open_orders papi_get_cm_open_orders ws_get_order ws_get_open_orders ws_futures_get_order"
    ),
    modules=("binance",),
    # Generic names (`create_order`, `cancel_order`, `get_order`) are left out on purpose: any wrapper has them.
    only_methods=_words(
        "order_market_buy order_market_sell order_limit_buy order_limit_sell order_market"
        " order_limit order_oco_buy order_oco_sell create_oco_order create_margin_order"
        " create_margin_oco_order futures_create_order futures_cancel_order futures_limit_order"
        " futures_market_order futures_limit_buy_order futures_limit_sell_order futures_market_buy_order"
        " futures_market_sell_order futures_place_batch_order futures_coin_create_order"
        " futures_change_leverage futures_account_balance futures_position_information"
        " get_symbol_ticker get_asset_balance get_all_tickers get_historical_klines create_test_order"
    ),
    only_methods_client="binance.client.Client",
    implicit_endpoints=True,
    fills_client_order_id=True,
)

BINANCE_CONNECTOR = SdkFacts(
    "binance-connector",
    clients=(SdkClass("binance-connector", ("binance.spot.Spot",), key_args=("api_key",), secret_args=("api_secret",),
                       key_position=0, secret_position=1),),
    orders=SdkOrderMethods(
        orders=_words(
            "new_order new_oco_order new_oto_order new_otoco_order cancel_and_replace new_margin_order"
            " new_margin_oco_order margin_new_oto_order margin_new_otoco_order"
        ),
        tests=_words("new_order_test"),
        withdrawals=_words("withdraw local_entity_withdraw managed_sub_account_withdraw"),
    ),
    queries=_words(
        "get_order get_open_orders get_orders query_order my_trades margin_order margin_open_orders"
        " margin_all_orders get_order_list get_open_oco_orders"
    ),
    modules=("binance",),
    only_methods=_words("new_margin_order new_oco_order"),
    only_methods_client="binance.spot.Spot",
    # `new_order` is the connectors' order method, but a common name: it counts only with the
    # keywords Binance's order endpoint takes.
    keyword_methods=(("new_order", frozenset({"symbol", "side", "type"})),),
)

BINANCE_FUTURES_CONNECTOR = SdkFacts(
    "binance-futures-connector",
    clients=(SdkClass(
        "binance-futures-connector",
        ("binance.um_futures.UMFutures", "binance.cm_futures.CMFutures", "binance.um_futures.um_futures.UMFutures",
         "binance.cm_futures.cm_futures.CMFutures"),
        key_args=("key",), secret_args=("secret",), key_position=0, secret_position=1,
    ),),
    orders=SdkOrderMethods(
        orders=_words("new_order modify_order new_batch_order modify_batch_order"),
        tests=_words("new_order_test"),
        withdrawals=frozenset(),
    ),
    queries=_words("query_order get_orders get_open_orders get_all_orders query_open_order get_account_trades"),
    modules=("binance",),
)

BINANCE_SDK = SdkFacts(
    "binance-sdk",
    clients=(SdkClass(
        "binance-sdk",
        ("binance_common.configuration.ConfigurationRestAPI", "binance_common.configuration.ConfigurationWebSocketAPI",
         "binance_common.configuration.ConfigurationWebSocketStreams"),
        key_args=("api_key",), secret_args=("api_secret",), key_position=0, secret_position=1,
    ),),
    orders=SdkOrderMethods(
        orders=_words(
            # spot REST and websocket API
            "new_order order_oco order_list_oco order_list_oto order_list_otoco order_list_opo"
            " order_list_opoco sor_order order_cancel_replace order_amend_keep_priority order_place"
            " order_list_place order_list_place_oco order_list_place_oto order_list_place_otoco"
            " order_list_place_opo order_list_place_opoco sor_order_place"
            # futures
            " place_multiple_orders modify_order modify_multiple_orders new_algo_order"
            # margin
            " margin_account_new_order margin_account_new_oco margin_account_new_oto"
            " margin_account_new_otoco"
        ),
        tests=_words("order_test sor_order_test test_order"),
        id_keywords=("new_client_order_id",),
        withdrawal_id_keywords=("withdraw_order_id",),
    ),
    queries=_words(
        "query_order current_open_orders all_orders query_current_open_order query_all_orders query_order_list"
        " account_trade_list query_margin_account_order query_margin_account_open_orders order_status"
        " open_orders_status"
    ),
    module_prefixes=("binance_sdk_", "binance_common"),
    client_module_prefix="binance_sdk_",
    rate_limit_exceptions=_words("TooManyRequestsError RateLimitBanError"),
)

CCXT = SdkFacts(
    "ccxt",
    clients=(SdkClass(
        "ccxt",
        tuple(
            f"ccxt.{flavour}{name}"
            for flavour in ("", "async_support.", "pro.")
            for name in ("binance", "binanceusdm", "binancecoinm", "binanceus")
        ),
        config_dict=True, config_key_fields=("apiKey",), config_secret_fields=("secret",),
    ),),
    orders=SdkOrderMethods(
        orders=_with_camel(
            _words(
                "create_order create_orders create_limit_order create_market_order create_limit_buy_order"
                " create_limit_sell_order create_market_buy_order create_market_sell_order"
                " create_market_order_with_cost create_market_buy_order_with_cost"
                " create_market_sell_order_with_cost create_stop_order create_stop_limit_order"
                " create_stop_market_order create_stop_loss_order create_take_profit_order"
                " create_trigger_order create_trailing_amount_order create_trailing_percent_order"
                " create_post_only_order create_reduce_only_order"
                " create_order_with_take_profit_and_stop_loss create_twap_order edit_order edit_orders"
                " create_order_ws create_orders_ws edit_order_ws create_limit_order_ws create_market_order_ws"
            )
        ),
        withdrawals=_with_camel(_words("withdraw withdraw_ws")),
        id_keywords=("clientOrderId", "newClientOrderId"),
        withdrawal_id_keywords=("withdrawOrderId",),
        params_dict=True,
    ),
    queries=_with_camel(_words("fetch_order fetch_orders fetch_open_orders fetch_open_order fetch_closed_orders"
                               " fetch_my_trades fetch_order_ws fetch_orders_ws fetch_open_orders_ws")),
    only_methods=_words(
        "create_market_buy_order create_market_sell_order create_limit_buy_order create_limit_sell_order"
        " createMarketBuyOrder createMarketSellOrder createLimitBuyOrder createLimitSellOrder"
        " fetch_ohlcv fetchOHLCV private_post_order fapiPrivatePostOrder fapiprivate_post_order"
    ),
    only_methods_client="ccxt.binance",
    rate_limit_exceptions=_words("DDoSProtection RateLimitExceeded"),
    recv_window_options=("options",),
    implicit_endpoints=True,
    formats_amounts=True,
    fills_client_order_id=True,
)

UNICORN = SdkFacts(
    "unicorn-binance-rest-api",
    clients=(SdkClass(
        "unicorn-binance-rest-api",
        ("unicorn_binance_rest_api.BinanceRestApiManager",
         "unicorn_binance_rest_api.manager.BinanceRestApiManager",
         "unicorn_binance_rest_api.unicorn_binance_rest_api_manager.BinanceRestApiManager"),
        key_args=("api_key",), secret_args=("api_secret",), key_position=0, secret_position=1,
    ),),
    orders=SdkOrderMethods(
        orders=_words(
            "create_order order_limit order_limit_buy order_limit_sell order_market order_market_buy"
            " order_market_sell create_oco_order order_oco_buy order_oco_sell create_margin_order"
            " create_margin_oco_order futures_create_order futures_create_algo_order"
            " futures_place_batch_order futures_coin_place_batch_order"
        ),
        tests=_words("create_test_order"),
    ),
    queries=_words(
        "get_order get_open_orders get_all_orders get_margin_order get_open_margin_orders futures_get_order"
        " futures_get_open_orders futures_get_all_orders"
    ),
    module_prefixes=("unicorn_binance_rest_api",),
)

SDKS: tuple[SdkFacts, ...] = (PYTHON_BINANCE, BINANCE_CONNECTOR, BINANCE_FUTURES_CONNECTOR, BINANCE_SDK, CCXT, UNICORN)

# Every name a client order id (or withdrawal id) is passed under, in any SDK (the REST API's are the defaults).
ORDER_ID_KEYWORDS: frozenset[str] = frozenset(
    keyword for sdk in SDKS for keyword in (*sdk.orders.id_keywords, *sdk.orders.withdrawal_id_keywords)
)


class Registry:
    """The SDK entries, with the lookups the model makes built once from them."""

    def __init__(self, facts: tuple[SdkFacts, ...]) -> None:
        self.facts = facts

    def with_sdk(self, facts: SdkFacts) -> "Registry":
        """A registry with one more SDK (or one replaced, by name)."""
        return Registry((*(f for f in self.facts if f.name != facts.name), facts))

    @cached_property
    def by_name(self) -> dict[str, SdkFacts]:
        return {f.name: f for f in self.facts}

    @cached_property
    def classes(self) -> dict[str, SdkClass]:
        """Client classes by qualified name."""
        return {name: cls for f in self.facts for cls in f.clients for name in cls.qualified_names}

    @cached_property
    def client_module_prefixes(self) -> tuple[tuple[str, str], ...]:
        return tuple((f.client_module_prefix, f.name) for f in self.facts if f.client_module_prefix)

    @cached_property
    def modules(self) -> frozenset[str]:
        return frozenset(m for f in self.facts for m in f.modules)

    @cached_property
    def module_prefixes(self) -> tuple[str, ...]:
        return tuple(p for f in self.facts for p in f.module_prefixes)

    @cached_property
    def gate_words(self) -> tuple[bytes, ...]:
        """Module names the byte gate must let through: those that do not hold the word binance."""
        names = {*self.modules, *self.module_prefixes}
        return tuple(sorted(n.lower().encode() for n in names if "binance" not in n.lower()))

    @cached_property
    def only_methods(self) -> dict[str, str]:
        """Method name -> the client class it implies on an untyped receiver."""
        return {m: f.only_methods_client for f in self.facts if f.only_methods_client for m in f.only_methods}

    @cached_property
    def keyword_methods(self) -> dict[str, tuple[frozenset[str], str]]:
        """Common method name -> (the keywords that make it an SDK call, the client class)."""
        return {method: (keywords, f.only_methods_client or f.clients[0].qualified_names[0])
                for f in self.facts for method, keywords in f.keyword_methods}

    @cached_property
    def rate_limit_exceptions(self) -> frozenset[str]:
        return frozenset(name for f in self.facts for name in f.rate_limit_exceptions)

    @cached_property
    def recv_window_options(self) -> frozenset[str]:
        return frozenset(name for f in self.facts for name in f.recv_window_options)


REGISTRY = Registry(SDKS)
