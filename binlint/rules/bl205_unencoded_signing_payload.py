"""The signed payload is joined by hand without percent-encoding its values.

## What it does
Reports a signing payload built by hand — `"&".join(f"{k}={v}" for k, v in params.items())`,
`"symbol=" + symbol + "&timestamp=" + ts`, `f"symbol={symbol}&..."` — where a value that
can hold characters needing percent-encoding goes in as it is. Numbers, `int(...)`
timestamps and plain ASCII literals need no encoding and are not reported.

## Why is this bad?
Since 2026-01-15 Binance requires payloads to be percent-encoded before signing, and
rejects other requests with `-1022`. A value with `@`, a space, `/` or a non-ASCII
symbol name (`币安人生USDT`) is signed raw while the HTTP client sends it encoded, so
the signature never matches.

## Example
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def send(path, params):
    params = {**params, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    query = "&".join(f"{key}={value}" for key, value in params.items())
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com{path}?{query}&signature={signature}", headers=HEADERS, timeout=10)
```

## Use instead
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def send(path, params):
    params = {**params, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    query = urlencode(params)
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com{path}?{query}&signature={signature}", headers=HEADERS, timeout=10)
```

## Fix safety
Advice only: `urlencode` may change what is sent for values that were sent raw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis.signing import short
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis

_HEAD = """\
import hashlib, hmac, os, time
from urllib.parse import quote, urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}
URL = "https://api.binance.com/api/v3/order"
"""


class UnencodedSigningPayload(Rule):
    code = "BL205"
    name = "unencoded-signing-payload"
    severity = Severity.WARNING
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(_HEAD + """
def order(symbol):
    query = urlencode({"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post(f"{URL}?{query}&signature={signature}", headers=HEADERS, timeout=10)
"""),
        Valid(_HEAD + """
def order(params):
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post(f"{URL}?{query}&signature={signature}", headers=HEADERS, timeout=10)
"""),
        Valid(_HEAD + """
def account():
    query = f"timestamp={int(time.time() * 1000)}&recvWindow=5000"
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{URL}?{query}&signature={signature}", headers=HEADERS, timeout=10)
"""),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(_HEAD + """
def order(params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post(f"{URL}?{query}&signature={signature}", headers=HEADERS, timeout=10)
""", line=10),
        Invalid(_HEAD + """
def order(symbol, quantity):
    ts = int(time.time() * 1000)
    query = "symbol=" + symbol + "&quantity=" + quantity + "&timestamp=" + str(ts)
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post(URL + "?" + query + "&signature=" + signature, headers=HEADERS, timeout=10)
""", line=11),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        model = analysis.model
        seen: set[int] = set()
        for flow in analysis.signing.binance_signings:
            if flow.transport == "websocket":
                continue  # the WebSocket API signs sorted, unencoded parameters
            payload = flow.payload
            if payload is None or payload.kind not in ("join", "format") or not payload.unencoded_values:
                continue
            value = payload.unencoded_values[0]
            node = value if model.tree.order(value) >= 0 else flow.point
            if id(node) in seen:
                continue
            seen.add(id(node))
            names = ", ".join(f"`{short(model, v, 24)}`" for v in payload.unencoded_values[:3])
            yield Report(
                node,
                f"the signed payload is joined by hand from {names} without percent-encoding the values; "
                "Binance verifies the signature over the percent-encoded query",
                "Build the payload with `urllib.parse.urlencode(params)` and sign that string.",
            )
