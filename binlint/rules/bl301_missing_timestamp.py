"""A request to a SIGNED endpoint, or a hand-signed payload, has no `timestamp`.

## What it does
Reports a request to a SIGNED Binance path (also through a helper such as
`self._signed("GET", "/api/v3/account")` or `signed_request("/api/v3/order", params)`,
reported where the helper is called, when neither the call's parameters nor the helper
add one) whose parameters, as far as the code shows, hold no `timestamp`, and a payload that is signed by hand without one. SDK calls are
exempt: the SDKs add the timestamp themselves.

## Why is this bad?
Every SIGNED endpoint requires `timestamp`: without it Binance answers `-1102 Mandatory
parameter 'timestamp' was not sent`. The timestamp is also what stops a captured request
from being replayed later.

## Example
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def open_orders():
    params = {"symbol": "BTCUSDT", "recvWindow": 5000}
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
    params = {"symbol": "BTCUSDT", "recvWindow": 5000, "timestamp": int(time.time() * 1000)}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get("https://api.binance.com/api/v3/openOrders", params=params, headers=HEADERS, timeout=10)
```

## Fix safety
Advice only: the timestamp must be added before signing, which moves code around.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis.helpers import through
from binlint.analysis.signing import endpoint_label, key_list, short
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis

_HEAD = """\
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}
BASE = "https://api.binance.com"
"""

FIX = "Add `\"timestamp\": int(time.time() * 1000)` to the parameters before computing the signature."


class MissingTimestamp(Rule):
    code = "BL301"
    name = "missing-timestamp"
    severity = Severity.ERROR
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(_HEAD + """
def signed_request(path, data):
    query = urlencode(data)
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + path, data={**data, "signature": signature}, headers=HEADERS, timeout=10)

def sell(symbol):
    return signed_request("/api/v3/order", {"symbol": symbol, "side": "SELL", "type": "MARKET", "quantity": 1,
                                            "recvWindow": 5000, "timestamp": int(time.time() * 1000)})
"""),
        Valid(_HEAD + """
def signed_request(path, data):
    data = {**data, "timestamp": int(time.time() * 1000)}
    query = urlencode(data)
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + path, data={**data, "signature": signature}, headers=HEADERS, timeout=10)

def sell(symbol):
    return signed_request("/api/v3/order", {"symbol": symbol, "side": "SELL", "type": "MARKET", "quantity": 1,
                                            "recvWindow": 5000})
"""),
        Valid(_HEAD + """
def open_orders():
    params = {"symbol": "BTCUSDT", "recvWindow": 5000, "timestamp": int(time.time() * 1000)}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/openOrders", params=params, headers=HEADERS, timeout=10)
"""),
        Valid(_HEAD + """
from binance.client import Client

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
orders = client.get_open_orders(symbol="BTCUSDT")
"""),
        Valid(_HEAD + """
def sign(params):
    params["timestamp"] = int(time.time() * 1000)
    params["recvWindow"] = 5000
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return params

def open_orders():
    return requests.get(BASE + "/api/v3/openOrders", params=sign({"symbol": "BTCUSDT"}),
                        headers=HEADERS, timeout=10)
"""),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(_HEAD + """
def signed_request(path, data):
    query = urlencode(data)
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + path, data={**data, "signature": signature}, headers=HEADERS, timeout=10)

def sell(symbol):
    return signed_request("/api/v3/order", {"symbol": symbol, "side": "SELL", "type": "MARKET", "quantity": 1,
                                            "recvWindow": 5000})
""", line=15),
        Invalid(_HEAD + """
def open_orders():
    params = {"symbol": "BTCUSDT", "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/openOrders", params=params, headers=HEADERS, timeout=10)
""", line=12),
        Invalid(_HEAD + """
def open_orders():
    return requests.get(BASE + "/api/v3/openOrders", params={"symbol": "BTCUSDT"}, headers=HEADERS,
                        timeout=10)
""", line=10),
        Invalid(_HEAD + """
def transfer(url, asset, amount):
    query = urlencode({"asset": asset, "amount": amount, "recvWindow": 5000})
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post(f"{url}?{query}&signature={signature}", headers=HEADERS, timeout=10)
""", line=11),
        # `params` is reassigned: the second request sends the second dict, without a timestamp.
        Invalid(_HEAD + """
def orders():
    params = {"symbol": "BTCUSDT", "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    requests.get(BASE + "/api/v3/openOrders", params=params, headers=HEADERS, timeout=10)
    params = {"symbol": "BTCUSDT", "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/allOrders", params=params, headers=HEADERS, timeout=10)
""", line=15),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        model = analysis.model
        signing = analysis.signing
        reported: set[int] = set()
        for endpoint, keys in signing.signed_endpoint_requests:
            if keys.lacks("timestamp"):
                if endpoint.site is not None:
                    reported.add(id(endpoint.site.call))
                yield Report(
                    endpoint.call,
                    f"`{endpoint_label(endpoint.method, endpoint.path)}` is a SIGNED endpoint, but this request"
                    f"{through(model, endpoint)} sends no `timestamp` (it sends {key_list(keys.keys)})",
                    FIX,
                )
        for flow in signing.binance_signings:
            payload = flow.payload
            if payload is None or not payload.keys.lacks("timestamp") or flow.sent_as == "json":
                continue
            if payload.kind in ("json", "repr", "values"):
                continue  # BL204 reports these payloads
            if flow.site is not None:
                if id(flow.site.call) in reported or not signing.sent_keys(flow.site, flow.site_env).lacks(
                        "timestamp"):
                    continue
            node = flow.point
            if id(node) in reported:
                continue
            reported.add(id(node))
            container = short(model, payload.container) if payload.container is not None else "the payload"
            yield Report(
                node,
                f"the payload signed on line {model.line(node)} ({container}) has no `timestamp`: it holds "
                f"{key_list(payload.keys.keys)}",
                FIX,
            )
