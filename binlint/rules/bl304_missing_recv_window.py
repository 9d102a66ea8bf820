"""A hand-signed request sets no `recvWindow`.

## What it does
Reports a payload signed by hand whose parameters, as far as the code shows, hold no
`recvWindow` (nor does the request send one elsewhere). SDK calls are exempt: the SDKs
apply their own. A call of a signing helper (`signed_request("/api/v3/order", params,
key, secret)`, `self._signed("GET", path, **params)`) is judged where it is made: it is
reported when neither its parameters nor the helper set `recvWindow`. When the
parameters are a dict literal (or keywords caught by the helper's `**params`), the fix
adds `"recvWindow": 5000` to them.

## Why is this bad?
Without `recvWindow` Binance applies its default of 5000 ms, which is fine, but the
request then depends on a default you cannot see in the code. Setting it explicitly
documents how long a signed request stays valid and keeps it short (Binance recommends
5000 or less).

## Example
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def open_orders():
    params = {"symbol": "BTCUSDT", "timestamp": int(time.time() * 1000)}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get("https://api.binance.com/api/v3/openOrders", params=params, headers=HEADERS, timeout=10)
```

## Use instead
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def open_orders():
    params = {"symbol": "BTCUSDT", "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get("https://api.binance.com/api/v3/openOrders", params=params, headers=HEADERS, timeout=10)
```

## Fix safety
Safe: 5000 is the value Binance uses when the parameter is absent, so behaviour does not
change; the parameter is added before signing, where the dict is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

import libcst as cst

from binlint.analysis.helpers import label
from binlint.analysis.signing import short
from binlint.analysis.values import dict_shape
from binlint.model import Applicability, Edit, Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis

_HEAD = """\
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}
URL = "https://api.binance.com/api/v3/account"
"""

# A hand-signed request helper: the call sites give the endpoint and the parameters.
_HELPER = """\
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

KEY = os.environ["BINANCE_API_KEY"]
SECRET = os.environ["BINANCE_API_SECRET"]


def signed_request(path, data, key, secret):
    query = urlencode(data)
    signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.post("https://api.binance.com" + path, data={**data, "signature": signature},
                         headers={"X-MBX-APIKEY": key}, timeout=10)
"""

# A class whose `_signed` helper signs the keywords it is given and adds no `recvWindow`.
_SIGNED_HELPER = _HEAD + """
class Api:
    def _signed(self, method, path, **params):
        params["timestamp"] = int(time.time() * 1000)
        query = urlencode(params)
        signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
        return requests.request(method, f"https://api.binance.com{path}?{query}&signature={signature}",
                                headers=HEADERS, timeout=10)
"""
_SEND = """
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(URL, params=params, headers=HEADERS, timeout=10)
"""


class MissingRecvWindow(Rule):
    code = "BL304"
    name = "missing-recv-window"
    severity = Severity.INFO
    fix = "safe"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(_HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}""" + _SEND),
        Valid(_HELPER + """
def trade(symbol):
    signed_request("/api/v3/order", {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1,
                                     "timestamp": int(time.time() * 1000), "recvWindow": 5000}, KEY, SECRET)
"""),
        Valid(_HELPER.replace("query = urlencode(data)", 'data = {**data, "recvWindow": 5000}\n    query = urlencode(data)')
              + """
def trade(symbol):
    signed_request("/api/v3/order", {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1,
                                     "timestamp": int(time.time() * 1000)}, KEY, SECRET)
"""),
        Valid(_HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000)}
    params["recvWindow"] = 5000""" + _SEND),
        Valid("""\
import os
from binance.client import Client

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
print(client.get_account())
"""),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(_HELPER + """
def trade(symbol):
    signed_request("/api/v3/order", {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1,
                                     "timestamp": int(time.time() * 1000)}, KEY, SECRET)
""", line=16, fixed=_HELPER + """
def trade(symbol):
    signed_request("/api/v3/order", {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1,
                                     "timestamp": int(time.time() * 1000), "recvWindow": 5000}, KEY, SECRET)
"""),
        Invalid(_SIGNED_HELPER + """
    def open_orders(self, symbol):
        return self._signed("GET", "/api/v3/openOrders", symbol=symbol)
""", line=18, fixed=_SIGNED_HELPER + """
    def open_orders(self, symbol):
        return self._signed("GET", "/api/v3/openOrders", symbol=symbol, recvWindow=5000)
"""),
        Invalid(_HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000)}""" + _SEND, line=10, fixed=_HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}""" + _SEND),
        Invalid(_HEAD + """
def account():
    params = {
        "omitZeroBalances": "true",
        "timestamp": int(time.time() * 1000),
    }""" + _SEND, line=10, fixed=_HEAD + """
def account():
    params = {
        "omitZeroBalances": "true",
        "timestamp": int(time.time() * 1000), "recvWindow": 5000,
    }""" + _SEND),
        Invalid(_HEAD + """
def account():
    params = {"timestamp": (int(time.time() * 1000))}""" + _SEND, line=10, fixed=_HEAD + """
def account():
    params = {"timestamp": (int(time.time() * 1000)), "recvWindow": 5000}""" + _SEND),
        Invalid(_SIGNED_HELPER + """
    def open_orders(self, symbol):
        return self._signed("GET", "/api/v3/openOrders", symbol=(symbol))
""", line=18, fixed=_SIGNED_HELPER + """
    def open_orders(self, symbol):
        return self._signed("GET", "/api/v3/openOrders", symbol=(symbol), recvWindow=5000)
"""),
        Invalid(_HEAD + """
def account():
    query = f"timestamp={int(time.time() * 1000)}"
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{URL}?{query}&signature={signature}", headers=HEADERS, timeout=10)
""", line=11),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        model = analysis.model
        signing = analysis.signing
        seen: set[int] = set()
        for flow in signing.binance_signings:
            if flow.transport == "websocket":
                continue  # the WebSocket API signs sorted, unencoded parameters
            payload = flow.payload
            if payload is None or payload.kind in ("json", "repr", "values") or flow.sent_as == "json":
                continue
            keys = payload.keys
            if not keys.lacks("recvWindow") or "recv_window" in keys.keys:
                continue
            if flow.site is not None and not signing.sent_keys(flow.site, flow.site_env).lacks("recvWindow"):
                continue
            shape = dict_shape(model, payload.container) if payload.container is not None and \
                payload.container_env is None else None
            target = shape.node if shape is not None and type(shape.node) is cst.Dict and \
                model.tree.order(shape.node) >= 0 else None
            node = target if target is not None else flow.point
            if id(node) in seen:
                continue
            seen.add(id(node))
            edits = _add_recv_window(analysis, target) if target is not None else ()
            where = f"`{short(model, target)}`" if target is not None else "the payload"
            yield Report(
                node,
                f"{where}, signed on line {model.line(flow.point)}, sets no `recvWindow`, so the request relies on "
                "Binance's default",
                "Add `\"recvWindow\": 5000` to the parameters before signing.",
                Applicability.SAFE if edits else Applicability.ADVICE, edits,
            )
        yield from _helper_calls(analysis, seen)


def _helper_calls(analysis: Analysis, seen: set[int]) -> Iterable[Report]:
    """Calls of a signing helper that does not add `recvWindow`, whose parameters hold none either."""
    model = analysis.model
    for request in analysis.helpers.requests:
        send = request.send
        if not (request.is_signed_path and send.signs) or send.payload_param is None or \
                "recvWindow" in send.adds or "recv_window" in request.keys.keys:
            continue  # a helper that builds the whole payload is judged where it builds it
        if not request.keys.lacks("recvWindow") or id(request.call) in seen:
            continue
        seen.add(id(request.call))
        edits: tuple[Edit, ...] = ()
        payload = request.payload
        if send.payload_kwargs:
            edits = _add_keyword(analysis, request.call)
        elif payload is not None:
            shape = dict_shape(model, payload)
            if shape is not None and type(shape.node) is cst.Dict and model.tree.order(shape.node) >= 0 and \
                    shape.complete:
                edits = _add_recv_window(analysis, shape.node)
        helper = request.helper.name.rsplit(".", 1)[-1]
        yield Report(
            request.call,
            f"the signed request through {label(model, request.call)} to `{request.method or 'a request to'} "
            f"{request.path}` sets no `recvWindow`, and `{helper}` adds none, so it relies on Binance's default",
            "Add `\"recvWindow\": 5000` to the parameters passed here (or have the helper add it before signing).",
            Applicability.SAFE if edits else Applicability.ADVICE, edits,
        )


def _add_keyword(analysis: Analysis, call: cst.Call) -> tuple[Edit, ...]:
    """Append `recvWindow=5000` to a call's arguments."""
    if not call.args or call.args[-1].star:
        return ()
    end = analysis.model.position(call.args[-1]).end  # the whole argument, its value's parentheses included
    return (Edit(end.line, end.column + 1, end.line, end.column + 1, ", recvWindow=5000"),)


def _add_recv_window(analysis: Analysis, node: cst.Dict) -> tuple[Edit, ...]:
    """Insert `"recvWindow": 5000` after the last entry of a dict literal (before its trailing comma)."""
    model = analysis.model
    if not node.elements:
        position = model.position(node)
        return (Edit(position.start.line, position.start.column + 1, position.end.line, position.end.column + 1,
                     '{"recvWindow": 5000}'),)
    last = node.elements[-1]
    end = model.position(last).end  # the whole entry, its value's parentheses included
    return (Edit(end.line, end.column + 1, end.line, end.column + 1, ', "recvWindow": 5000'),)
