"""A request to a SIGNED Binance endpoint carries no `signature` parameter.

## What it does
Looks at every HTTP request to a Binance path that needs a signature (account, orders,
trades, wallet: the endpoint table in `binlint/analysis/endpoints.py`), including the
calls of a helper such as `self._get("/api/v3/account")`, and reports those whose query
string and form body, as far as the code shows, hold no `signature`. Requests whose
parameters cannot be known (`**kwargs` from elsewhere, an `auth=` handler) are left alone.

## Why is this bad?
Binance answers an unsigned request to a SIGNED endpoint with `-1102 Mandatory parameter
'signature' was not sent` (or `-2014`/`-2015`): the call never works.

## Example
```python
import os, time
import requests

HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    return requests.get("https://api.binance.com/api/v3/account", params=params, headers=HEADERS, timeout=10)
```

## Use instead
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get("https://api.binance.com/api/v3/account", params=params, headers=HEADERS, timeout=10)
```

## Fix safety
Advice only: signing needs your secret and a payload binlint cannot write for you.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis.helpers import through
from binlint.analysis.signing import endpoint_label, key_list
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

FIX = ("Add `timestamp` (and `recvWindow`), then append `signature = hmac.new(secret, urlencode(params).encode(), "
       "hashlib.sha256).hexdigest()` computed over the final query, as its last parameter.")


class UnsignedRequest(Rule):
    code = "BL201"
    name = "unsigned-request"
    severity = Severity.ERROR
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(_HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/account", params=params, headers=HEADERS, timeout=10)
"""),
        Valid(_HEAD + """
def prices():
    return requests.get(BASE + "/api/v3/ticker/price", params={"symbol": "BTCUSDT"}, timeout=10)

def listen_key():
    return requests.post(BASE + "/api/v3/userDataStream", headers=HEADERS, timeout=10)
"""),
        Valid(_HEAD + """
class Client:
    def __init__(self):
        self.session = requests.Session()

    def _signed(self, method, path, **params):
        params["timestamp"] = int(time.time() * 1000)
        params["recvWindow"] = 5000
        params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
        return self.session.request(method, BASE + path, params=params, headers=HEADERS, timeout=10)

    def account(self):
        return self._signed("GET", "/api/v3/account")
"""),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(_HEAD + """
def account():
    return requests.get(BASE + "/api/v3/account", params={"timestamp": int(time.time() * 1000)},
                        headers=HEADERS, timeout=10)
""", line=10),
        Invalid(_HEAD + """
class Client:
    def __init__(self):
        self.session = requests.Session()

    def _get(self, path, params):
        return self.session.get(BASE + path, params=params, headers=HEADERS, timeout=10)

    def depth(self):
        return self._get("/api/v3/depth", {"symbol": "BTCUSDT"})

    def balances(self):
        return self._get("/sapi/v1/capital/config/getall", {"timestamp": int(time.time() * 1000)})
""", line=20),
        Invalid(_HEAD + """
def open_orders():
    return requests.get(f"{BASE}/api/v3/openOrders?symbol=BTCUSDT&timestamp={int(time.time() * 1000)}",
                        headers=HEADERS, timeout=10)
""", line=10),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        for endpoint, keys in analysis.signing.signed_endpoint_requests:
            if keys.lacks("signature"):
                yield Report(
                    endpoint.call,
                    f"`{endpoint_label(endpoint.method, endpoint.path)}` is a SIGNED endpoint, but this request"
                    f"{through(analysis.model, endpoint)} sends no `signature` (it sends {key_list(keys.keys)})",
                    FIX,
                )
