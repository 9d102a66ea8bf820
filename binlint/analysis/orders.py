"""Order-placing calls: which calls in a module place orders, and what their failures say.

An order-placing call is an SDK method call from the SDK table (`analysis/sdk_facts.py`, resolved
through `analysis.sdk.calls`, i.e. through imports, never by variable name), an implicit
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

from binlint.analysis import endpoints, sdk_facts
from binlint.analysis.values import dict_shape, dotted_text, mutations_of, string_value

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.requests import EndpointCall, RequestSite

Kind = Literal["order", "test", "withdrawal"]


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


# Implicit endpoint methods that read an order back (`private_get_order`, `fapiPrivateGetOpenOrders`).
_IMPLICIT_QUERY = re.compile(
    rf"^(?:{_IMPLICIT_API})_get_(order|openorders?|allorders|orderlist|mytrades|usertrades|margin_order)$"
    r"|^(?:private|fapiPrivate(?:V\d)?|dapiPrivate(?:V\d)?|sapi(?:V\d)?)Get(?:Margin)?(?:Order|OpenOrders?|AllOrders)$"
)


def is_query_method(sdk: str, method: str) -> bool:
    """Whether an SDK client method reads an order back (the check before a resend)."""
    facts = sdk_facts.REGISTRY.by_name.get(sdk)
    return (facts is not None and method in facts.queries) or bool(_IMPLICIT_QUERY.match(method))


def sdk_method_kind(sdk: str, method: str) -> Kind | None:
    """What an SDK client method does: place an order, a test order, a withdrawal, or none of these."""
    facts = sdk_facts.REGISTRY.by_name.get(sdk)
    if facts is not None:
        table = facts.orders
        if method in table.orders:
            return "order"
        if method in table.tests:
            return "test"
        if method in table.withdrawals:
            return "withdrawal"
        if facts.implicit_endpoints:
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
            registry = sdk_facts.REGISTRY
            table = registry.by_name.get(sdk_call.sdk, sdk_facts.PYTHON_BINANCE).orders
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
        if site.query is not None:  # `f"{URL}?{query}&signature=..."`: the parameters signed into the query
            for flow in self.analysis.signing.binance_signings_for(site):
                payload = flow.payload
                if payload is None:
                    continue
                if payload.container is not None and payload.container_env is None:
                    found = self._entry(payload.container, keys)
                    if found.state == "present":
                        return found
                if any(payload.keys.has(k) for k in keys):
                    return ClientOrderId("present", None, next(k for k in keys if payload.keys.has(k)))
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
    facts = sdk_facts.REGISTRY.by_name.get(order.via)
    if facts is not None and facts.fills_client_order_id:
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
    if order.endpoint is not None or order.via not in sdk_facts.REGISTRY.by_name:
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


def formats_with_str(sdk: str) -> bool:
    """Whether an SDK sends a number it is given as `str(number)` (one that does not format amounts itself)."""
    facts = sdk_facts.REGISTRY.by_name.get(sdk)
    return facts is not None and not facts.formats_amounts


def formats_amounts(sdk: str) -> bool:
    """Whether an SDK formats amounts to the market's precision itself (ccxt)."""
    facts = sdk_facts.REGISTRY.by_name.get(sdk)
    return facts is not None and facts.formats_amounts


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
