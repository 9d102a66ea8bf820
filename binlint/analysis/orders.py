"""Order-placing calls: the SDK order methods as data, and the calls in a module that place orders.

An order-placing call is an SDK method call from the table below (resolved through
`analysis.sdk.calls`, i.e. through imports, never by variable name), an implicit
endpoint method that POSTs or PUTs an order path (ccxt `private_post_order`,
python-binance `v3_post_order_list_oto`), a method named in the config's
`order-methods` (on an SDK client or a `client-classes` instance, or by qualified
name), or a raw HTTP request to an order-placing path (`analysis.requests`).
Withdrawals count as order-placing: money leaves the account either way.

Facts: shared reference `binance-facts.md` §3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import libcst as cst

from binlint.analysis import endpoints
from binlint.analysis.values import dict_shape, dotted_text, mutations_of, string_value

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.requests import EndpointCall, RequestSite

Kind = Literal["order", "test", "withdrawal"]


@dataclass(frozen=True, slots=True)
class SdkOrderMethods:
    """The order-placing methods of one SDK, and how its calls take a client order id."""

    orders: frozenset[str]
    tests: frozenset[str] = frozenset()
    withdrawals: frozenset[str] = frozenset({"withdraw"})
    id_keywords: tuple[str, ...] = ("newClientOrderId",)
    withdrawal_id_keywords: tuple[str, ...] = ("withdrawOrderId",)
    params_dict: bool = False  # the id goes inside a params dict (ccxt)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _with_camel(names: frozenset[str]) -> frozenset[str]:
    """Snake-case names plus their camelCase aliases (ccxt has both)."""
    camel = {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name) for name in names}
    return names | frozenset(camel)


ORDER_METHODS: dict[str, SdkOrderMethods] = {
    "python-binance": SdkOrderMethods(
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
    "binance-connector": SdkOrderMethods(
        orders=_words(
            "new_order new_oco_order new_oto_order new_otoco_order cancel_and_replace new_margin_order"
            " new_margin_oco_order margin_new_oto_order margin_new_otoco_order"
        ),
        tests=_words("new_order_test"),
        withdrawals=_words("withdraw local_entity_withdraw managed_sub_account_withdraw"),
    ),
    "binance-futures-connector": SdkOrderMethods(
        orders=_words("new_order modify_order new_batch_order modify_batch_order"),
        tests=_words("new_order_test"),
        withdrawals=frozenset(),
    ),
    "binance-sdk": SdkOrderMethods(
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
    "ccxt": SdkOrderMethods(
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
    "unicorn-binance-rest-api": SdkOrderMethods(
        orders=_words(
            "create_order order_limit order_limit_buy order_limit_sell order_market order_market_buy"
            " order_market_sell create_oco_order order_oco_buy order_oco_sell create_margin_order"
            " create_margin_oco_order futures_create_order futures_create_algo_order"
            " futures_place_batch_order futures_coin_place_batch_order"
        ),
        tests=_words("create_test_order"),
    ),
}

# Implicit endpoint methods: `<api>_<verb>_<path>` (ccxt `private_post_order`, python-binance
# `v3_post_order_list_oto`) and ccxt's camelCase `<api><Verb><Path>` (`fapiPrivatePostOrder`).
_IMPLICIT_API = r"private|sapi(?:v\d)?|fapiprivate(?:v\d)?|dapiprivate(?:v\d)?|eapiprivate|papi(?:v\d)?" \
                r"|v3|futures_v\d|futures_coin_v\d|margin_v\d|options_v\d|papi_v\d"
_SNAKE = re.compile(rf"^(?:{_IMPLICIT_API})_(post|put)_([a-z0-9_]+)$")
_CAMEL = re.compile(r"^(private|sapi(?:V\d)?|fapiPrivate(?:V\d)?|dapiPrivate(?:V\d)?|eapiPrivate|papi(?:V\d)?)"
                    r"(Post|Put)([A-Z][A-Za-z0-9]*)$")


def implicit_kind(method: str) -> Kind | None:
    """Whether an implicit endpoint method name places an order (or a withdrawal)."""
    match = _SNAKE.match(method)
    if match:
        tokens = match.group(2).split("_")
    else:
        match = _CAMEL.match(method)
        if not match:
            return None
        tokens = [t.lower() for t in re.findall(r"[A-Z][a-z0-9]*", match.group(3))]
    if "withdraw" in tokens and tokens[-1] in ("withdraw", "apply"):
        return "withdrawal"
    if not any("order" in t for t in tokens):
        return None
    if any("cancel" in t for t in tokens) and not any("replace" in t for t in tokens):
        return None
    return "test" if tokens[-1] == "test" else "order"


# Methods that read an order back, by client order id or as a list: the step before a safe
# resend (binance-facts.md §1.8 and §5, step 3). Per SDK; ccxt's camelCase aliases included.
QUERY_METHODS: dict[str, frozenset[str]] = {
    "python-binance": _words(
        "get_order get_open_orders get_all_orders get_my_trades futures_get_order futures_get_open_orders"
        " futures_get_all_orders futures_account_trades futures_coin_get_order futures_coin_get_open_orders"
        " futures_coin_get_all_orders get_margin_order get_open_margin_orders get_all_margin_orders"
        " options_query_order options_get_open_orders papi_get_um_order papi_get_cm_order papi_get_margin_order"
        " papi_get_um_open_orders papi_get_cm_open_orders ws_get_order ws_get_open_orders ws_futures_get_order"
    ),
    "binance-connector": _words(
        "get_order get_open_orders get_orders query_order my_trades margin_order margin_open_orders"
        " margin_all_orders get_order_list get_open_oco_orders"
    ),
    "binance-futures-connector": _words("query_order get_orders get_open_orders get_all_orders query_open_order"
                                        " get_account_trades"),
    "binance-sdk": _words(
        "query_order current_open_orders all_orders query_current_open_order query_all_orders query_order_list"
        " account_trade_list query_margin_account_order query_margin_account_open_orders order_status"
        " open_orders_status"
    ),
    "ccxt": _with_camel(_words("fetch_order fetch_orders fetch_open_orders fetch_open_order fetch_closed_orders"
                               " fetch_my_trades fetch_order_ws fetch_orders_ws fetch_open_orders_ws")),
    "unicorn-binance-rest-api": _words(
        "get_order get_open_orders get_all_orders get_margin_order get_open_margin_orders futures_get_order"
        " futures_get_open_orders futures_get_all_orders"
    ),
}
_IMPLICIT_QUERY = re.compile(
    rf"^(?:{_IMPLICIT_API})_get_(order|openorders?|allorders|orderlist|mytrades|usertrades|margin_order)$"
    r"|^(?:private|fapiPrivate(?:V\d)?|dapiPrivate(?:V\d)?|sapi(?:V\d)?)Get(?:Margin)?(?:Order|OpenOrders?|AllOrders)$"
)


def is_query_method(sdk: str, method: str) -> bool:
    """Whether an SDK client method reads an order back (the check before a resend)."""
    return method in QUERY_METHODS.get(sdk, frozenset()) or bool(_IMPLICIT_QUERY.match(method))


def sdk_method_kind(sdk: str, method: str) -> Kind | None:
    """What an SDK client method does: place an order, a test order, a withdrawal, or none of these."""
    table = ORDER_METHODS.get(sdk)
    if table is not None:
        if method in table.orders:
            return "order"
        if method in table.tests:
            return "test"
        if method in table.withdrawals:
            return "withdrawal"
    if sdk in ("ccxt", "python-binance"):
        return implicit_kind(method)
    return None


# --- the calls of one module -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderCall:
    """One call that places an order (or a test order, or a withdrawal)."""

    call: cst.Call
    kind: Kind
    via: str  # the SDK name, "config", or the HTTP library of a raw request
    label: str  # the call as code: `client.create_order(...)`
    id_keywords: tuple[str, ...]  # parameter names of the client order id
    params_dict: bool = False  # the id goes in a params dict (ccxt)
    endpoint: "EndpointCall | None" = None  # a raw request (or a helper that sends one)

    def describe(self, model: "ModuleModel") -> str:
        """How messages name it: "`client.create_order(...)` on line 9", plus the endpoint of a raw request."""
        endpoint = self.endpoint
        if endpoint is not None and (endpoint.site is None or endpoint.call is not endpoint.site.call):  # a helper's call
            return (f"the request through `{self.label}` on line {model.line(self.call)} to "
                    f"`{endpoint.method or 'POST'} {endpoint.path}`")
        text = f"`{self.label}` on line {model.line(self.call)}"
        if endpoint is not None:
            text += f" (`{endpoint.method or 'POST'} {endpoint.path}`)"
        return text


@dataclass(frozen=True, slots=True)
class ClientOrderId:
    """Where a call's client order id comes from.

    `state` is "present" (then `value` is the expression sent, None when it is written
    into a query string), "absent" (the call sends none, so the SDK or Binance makes a
    new one on every attempt), or "unknown" (the parameters come from somewhere binlint
    cannot follow).
    """

    state: Literal["present", "absent", "unknown"]
    value: cst.BaseExpression | None = None
    name: str | None = None  # the parameter it is sent as


_ALL_ID_KEYWORDS = ("newClientOrderId", "new_client_order_id", "clientOrderId", "client_order_id")


class OrderModel:
    """The order-placing calls of one module (`analysis.orders`)."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.model: ModuleModel = analysis.model

    @cached_property
    def calls(self) -> list[OrderCall]:
        """Every order-placing call, in source order."""
        found: dict[int, OrderCall] = {}
        for sdk_call in self.analysis.sdk.calls:
            kind = sdk_method_kind(sdk_call.sdk, sdk_call.method)
            if kind is None and sdk_call.method in self._plain_names:
                kind = "order"
            if kind is None:
                continue
            table = ORDER_METHODS.get(sdk_call.sdk, ORDER_METHODS["python-binance"])
            keywords = table.withdrawal_id_keywords if kind == "withdrawal" else table.id_keywords
            found[id(sdk_call.call)] = OrderCall(
                sdk_call.call, kind, sdk_call.sdk, self._label(sdk_call.call), keywords, table.params_dict
            )
        if self._plain_names or self._qualified_names:
            for call in self.model.calls():
                if id(call) not in found and self._configured(call):
                    found[id(call)] = OrderCall(call, "order", "config", self._label(call), _ALL_ID_KEYWORDS)
        if self.model.is_binance:
            for endpoint in self.analysis.requests.endpoint_calls():
                if not endpoint.is_order_path or id(endpoint.call) in found:
                    continue
                withdrawal = endpoints.is_withdrawal(endpoint.path)
                kind = "withdrawal" if withdrawal else ("test" if endpoint.path.endswith("/test") else "order")
                keywords = ("withdrawOrderId",) if withdrawal else ("newClientOrderId",)
                found[id(endpoint.call)] = OrderCall(
                    endpoint.call, kind, _library(endpoint), self._label(endpoint.call), keywords, endpoint=endpoint
                )
        return sorted(found.values(), key=lambda c: self.model.tree.order(c.call))

    @cached_property
    def queries(self) -> list[cst.Call]:
        """Calls that read an order back (`get_order`, `fetch_order`, `GET /api/v3/order`), in source order."""
        found = [c.call for c in self.analysis.sdk.calls if is_query_method(c.sdk, c.method)]
        if self.model.is_binance:
            found.extend(e.call for e in self.analysis.requests.endpoint_calls()
                         if endpoints.is_order_query(e.method, e.path))
        return sorted(found, key=self.model.tree.order)

    def for_call(self, call: cst.CSTNode) -> OrderCall | None:
        return self._by_call.get(id(call))

    @cached_property
    def _by_call(self) -> dict[int, OrderCall]:
        return {id(order.call): order for order in self.calls}

    # --- config extension ---------------------------------------------------------

    @cached_property
    def _plain_names(self) -> frozenset[str]:
        return frozenset(m for m in self.analysis.config.order_methods if "." not in m)

    @cached_property
    def _qualified_names(self) -> frozenset[str]:
        return frozenset(m for m in self.analysis.config.order_methods if "." in m)

    def _configured(self, call: cst.Call) -> bool:
        """A call the config declares order-placing (`order-methods`, `client-classes`)."""
        name = self.model.call_name(call)
        if name is not None and name in self._qualified_names:
            return True
        func = call.func
        if type(func) is cst.Attribute and func.attr.value in self._plain_names:
            receiver = self.model.qualname(func.value)
            if receiver is None and type(func.value) is cst.Call:
                receiver = self.model.instance_type(func.value)
            classes = self.analysis.config.client_classes
            return receiver is not None and any(receiver == c or receiver.endswith("." + c) for c in classes)
        if type(func) is cst.Name and func.value in self._plain_names:
            return True
        return False

    # --- client order ids ---------------------------------------------------------

    def client_order_id(self, order: OrderCall) -> ClientOrderId:
        """Where the client order id `order` sends comes from."""
        endpoint = order.endpoint
        if endpoint is not None and endpoint.site is not None and endpoint.call is endpoint.site.call:
            return self._site_id(order, endpoint.site)
        keys = order.id_keywords
        unknown = False
        for arg in order.call.args:
            if arg.keyword is not None and arg.keyword.value in keys:
                return ClientOrderId("present", arg.value, arg.keyword.value)
        for arg in order.call.args:
            if arg.star == "*":
                unknown = True
                continue
            if arg.keyword is not None and arg.keyword.value != "params" and not arg.star:
                continue
            if arg.keyword is None and not arg.star and not self._dict_like(arg.value):
                continue  # a positional symbol, side or amount
            found = self._entry(arg.value, keys)
            if found.state == "present":
                return found
            unknown = unknown or found.state == "unknown"
        return ClientOrderId("unknown" if unknown else "absent")

    def _site_id(self, order: OrderCall, site: RequestSite) -> ClientOrderId:
        keys = order.id_keywords
        if site.query is not None and any(f"{k}=" in site.query for k in keys):
            return ClientOrderId("present", None, keys[0])
        unknown = False
        for value in (site.params, site.data, site.json):
            if value is None:
                continue
            text = string_value(self.model, value)
            if text is not None:
                if any(f"{k}=" in text.text for k in keys):
                    return ClientOrderId("present", None, keys[0])
                unknown = unknown or not text.exact
                continue
            found = self._entry(value, keys)
            if found.state == "present":
                return found
            unknown = unknown or found.state == "unknown"
        return ClientOrderId("unknown" if unknown else "absent")

    def _entry(self, expr: cst.BaseExpression, keys: tuple[str, ...]) -> ClientOrderId:
        """The client order id in a dict expression (literal, `dict(...)`, a name and its changes)."""
        model = self.model
        shape = dict_shape(model, expr)
        if shape is not None:
            for key in keys:
                item = shape.get(key)
                if item is not None:
                    return ClientOrderId("present", item.value, key)
        complete = shape is not None and shape.complete
        if type(expr) in (cst.Name, cst.Attribute):
            for mutation in mutations_of(model, expr):
                if mutation.key in keys:
                    return ClientOrderId("present", mutation.value, mutation.key)
                if mutation.kind == "update" and mutation.value is not None:
                    inner = self._entry(mutation.value, keys) if mutation.value is not expr else None
                    if inner is not None and inner.state == "present":
                        return inner
                    complete = complete and inner is not None and inner.state == "absent"
                elif mutation.kind in ("setitem", "setdefault") and mutation.key is None:
                    complete = False
        return ClientOrderId("absent" if complete else "unknown")

    def _dict_like(self, expr: cst.BaseExpression) -> bool:
        """Whether a positional argument is (or names) a dict: ccxt's params."""
        return dict_shape(self.model, expr) is not None

    def _label(self, call: cst.Call) -> str:
        return call_label(self.model, call)


# --- words for messages ------------------------------------------------------------


def call_label(model: "ModuleModel", call: cst.Call) -> str:
    """The call as code for messages: `client.create_order(...)`."""
    return f"{dotted_text(call.func) or model.code(call.func)}(...)"


def id_hint(order: OrderCall) -> str:
    """How this call takes a fixed client order id, as code: `newClientOrderId=cid`."""
    if order.kind == "withdrawal":
        key = order.id_keywords[0] if order.id_keywords else "withdrawOrderId"
        return f'`params={{"{key}": wid}}`' if order.params_dict else f"`{key}=wid`"
    if order.params_dict:
        return '`params={"clientOrderId": cid}`'
    if order.endpoint is not None:
        return '`"newClientOrderId": cid` in the sent parameters'
    return f"`{order.id_keywords[0]}=cid`"


def id_minter(order: OrderCall) -> str:
    """Who makes a fresh client order id when the call sends none."""
    if order.via in ("python-binance", "ccxt"):
        return f"{order.via} fills in a new client order id on every call"
    return "Binance assigns a new client order id to every request"


def query_hint(order: OrderCall) -> str:
    """How to look this order up by its client order id, as words with code."""
    if order.kind == "withdrawal":
        return "look the withdrawal up by that id (`withdraw_history`, `GET /sapi/v1/capital/withdraw/history`)"
    func = order.call.func
    method = func.attr.value if type(func) is cst.Attribute else ""
    receiver = dotted_text(func.value) if type(func) is cst.Attribute else None
    on = f"{receiver}." if receiver else ""
    if order.endpoint is not None or order.via not in ORDER_METHODS:
        path = "/fapi/v1/order" if "futures" in order.label or (order.endpoint and "/fapi/" in order.endpoint.path) \
            else "/api/v3/order"
        return f"query `GET {path}?origClientOrderId=cid` (a signed request)"
    if order.via == "ccxt":
        return f'query it with `{on}fetch_order(None, symbol, params={{"origClientOrderId": cid}})`'
    if order.via == "binance-sdk":
        return f"query it with `{on}query_order(symbol, orig_client_order_id=cid)`"
    if order.via == "binance-futures-connector":
        return f"query it with `{on}query_order(symbol, origClientOrderId=cid)`"
    query = "futures_coin_get_order" if method.startswith("futures_coin") else \
        "futures_get_order" if method.startswith("futures") else \
        "get_margin_order" if "margin" in method and order.via == "python-binance" else "get_order"
    return f"query it with `{on}{query}(symbol=..., origClientOrderId=cid)`"


def what_it_places(order: OrderCall) -> str:
    return {"withdrawal": "a withdrawal", "test": "a test order"}.get(order.kind, "an order")


# --- amounts: order parameters Binance reads as decimal text ---------------------------

# As sent (camelCase) and as SDK keywords (snake_case).
DECIMAL_PARAMS: frozenset[str] = frozenset(
    {"price", "quantity", "quoteOrderQty", "stopPrice", "quote_order_qty", "stop_price"}
)
# One of them ending a piece of a hand-built query string (`...&quantity=` before the value).
DECIMAL_QUERY_PARAM = re.compile(r"(?:^|[?&])(price|quantity|quoteOrderQty|stopPrice)=$")
# SDKs that send a number they are given as `str(number)` (ccxt formats to the market's precision).
STR_FORMATTING_SDKS: frozenset[str] = frozenset(
    {"python-binance", "binance-connector", "binance-futures-connector", "binance-sdk", "unicorn-binance-rest-api"}
)


# --- what a failure says about the order (binance-facts.md §1.6–§1.8, §5) --------------
#
# A retry after a failure that proves the order was not placed is harmless; after one whose
# outcome is unknown the order may already exist. Exceptions by their last name, as the
# SDKs, HTTP libraries and Python raise them.

NOT_PLACED_EXCEPTIONS: frozenset[str] = frozenset({
    # rate limits (429/418): the request was refused
    "TooManyRequestsError", "RateLimitBanError", "DDoSProtection", "RateLimitExceeded", "TooManyRequests",
    # the request never reached the server
    "ConnectTimeout", "ConnectTimeoutError", "ConnectionRefusedError", "NewConnectionError", "ClientConnectorError", "ConnectError",
    # refused on its merits: timestamp, signature, key, validation
    "InvalidNonce", "AuthenticationError", "PermissionDenied", "AccountSuspended", "BadRequest", "BadSymbol",
    "InvalidOrder", "InsufficientFunds", "OrderImmediatelyFillable", "BadRequestError", "UnauthorizedError",
    "ForbiddenError", "BinanceOrderException", "BinanceOrderMinAmountException", "BinanceOrderMinPriceException",
    "BinanceOrderMinTotalException", "BinanceOrderUnknownSymbolException", "BinanceOrderInactiveSymbolException",
    # "already placed": the resend was refused because the first one exists
    "DuplicateOrderId",
})
UNKNOWN_OUTCOME_EXCEPTIONS: frozenset[str] = frozenset({
    # anything at all
    "Exception", "BaseException",
    # an SDK's catch-all API error (every Binance error code, -1007 and 5xx included)
    "BinanceAPIException", "BinanceRequestException", "ClientError", "ServerError", "Error", "APIError",
    "ExchangeError", "BaseError", "NetworkError", "RequestTimeout", "ExchangeNotAvailable", "OnMaintenance",
    # HTTP and socket failures that can come after the request was sent
    "RequestException", "Timeout", "ReadTimeout", "ReadTimeoutError", "ReadError", "ConnectionError",
    "ConnectionResetError", "ChunkedEncodingError", "ProtocolError", "RemoteDisconnected", "HTTPError",
    "TimeoutError", "TimeoutException", "ServerDisconnectedError", "ClientOSError",
    "ServerTimeoutError", "OSError", "IOError", "timeout", "HTTPException", "URLError",
})
# Error codes and HTTP statuses: the answer proves the order was not placed (or was placed
# by an earlier attempt: -2010 "Duplicate order sent.", futures -4116).
NOT_PLACED_CODES: frozenset[int] = frozenset({429, 418, 400, 401, 403, -1003, -1015, -1021, -1022, -2010, -2014,
                                              -2015, -4116, -5028, -4188})
# The outcome is unknown: -1007 (timeout waiting for the backend), -1006/-1001, and 5xx.
UNKNOWN_OUTCOME_CODES: frozenset[int] = frozenset({-1007, -1006, -1001, 500, 502, 503, 504})


def exception_outcome(name: str | None) -> Literal["not-placed", "unknown", "other"]:
    """What catching the exception class `name` (qualified or plain) says about the order."""
    if name is None:
        return "unknown"  # a bare `except`
    last = name.rsplit(".", 1)[-1]
    if last in NOT_PLACED_EXCEPTIONS:
        return "not-placed"
    if last in UNKNOWN_OUTCOME_EXCEPTIONS:
        return "unknown"
    return "other"


def codes_outcome(codes: set[int]) -> Literal["not-placed", "unknown", "other"]:
    """What a code test (`e.code == -1021`, `status_code in (429, 418)`) selects."""
    if not codes:
        return "other"
    if codes & UNKNOWN_OUTCOME_CODES or any(500 <= c < 600 for c in codes):
        return "unknown"
    if codes <= NOT_PLACED_CODES or all(-1199 <= c <= -1100 or 400 <= c < 500 for c in codes - NOT_PLACED_CODES):
        return "not-placed"
    return "other"


def _library(endpoint: "EndpointCall") -> str:
    """The HTTP library an endpoint is requested with (through a helper of another module too)."""
    if endpoint.site is not None:
        return endpoint.site.library
    return endpoint.helper.send.library if endpoint.helper is not None else "requests"
