"""The `timestamp` sent to Binance is in seconds, nanoseconds or a float, not integer milliseconds.

## What it does
Follows every value given to a request's `timestamp` parameter (dicts, query strings,
SDK call arguments, through variables and helpers such as `def now(): ...`) to the clock
it comes from, and reports `time.time()`, `int(time.time())`, `round(time.time())`,
`datetime.now().timestamp()` (seconds), `time.time_ns()` unscaled (nanoseconds) and
`time.time() * 1000` without `int(...)` (a float).

## Why is this bad?
Binance reads `timestamp` as integer milliseconds. Seconds read as milliseconds fall in
January 1970 and the request is rejected with `-1021 Timestamp for this request is
outside of the recvWindow`; nanoseconds lie far in the future (`-1021 ... ahead of the
server's time`); a float such as `1700000000000.123` is an illegal value (`-1100`).

## Example
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def open_orders():
    params = {"symbol": "BTCUSDT", "timestamp": int(time.time()), "recvWindow": 5000}
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
Safe: the fix writes `int(time.time() * 1000)` where the clock is read (adding `import time`
when needed), which is the value Binance expects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis.signing import short
from binlint.model import Applicability, Edit, Severity
from binlint.rules.base import Invalid, Report, Rule, Valid, insert_import, replace_node

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

_SEND = """
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(URL, params=params, headers=HEADERS, timeout=10)
"""

_UNITS = {
    "s": "seconds",
    "s-float": "seconds (a float)",
    "ns": "nanoseconds",
    "ms-float": "a float of milliseconds",
}


class TimestampNotMilliseconds(Rule):
    code = "BL302"
    name = "timestamp-not-milliseconds"
    severity = Severity.ERROR
    fix = "safe"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(_HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}""" + _SEND),
        Valid(_HEAD + """
def now_ms() -> int:
    return time.time_ns() // 1_000_000

def account():
    params = {"timestamp": now_ms(), "recvWindow": 5000}""" + _SEND),
        Valid(_HEAD + """
import logging

def account():
    logging.info("started", extra={"timestamp": time.time()})
    params = {"timestamp": round(time.time() * 1000), "recvWindow": 5000}""" + _SEND),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(_HEAD + """
def signed_request(path, data):
    query = urlencode(data)
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post("https://api.binance.com" + path, data={**data, "signature": signature},
                         headers=HEADERS, timeout=10)

def buy(symbol):
    return signed_request("/api/v3/order", {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1,
                                            "timestamp": int(time.time()), "recvWindow": 5000})
""", line=17, fixed=_HEAD + """
def signed_request(path, data):
    query = urlencode(data)
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post("https://api.binance.com" + path, data={**data, "signature": signature},
                         headers=HEADERS, timeout=10)

def buy(symbol):
    return signed_request("/api/v3/order", {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1,
                                            "timestamp": int(time.time() * 1000), "recvWindow": 5000})
"""),
        Invalid(_HEAD + """
def account():
    params = {"timestamp": int(time.time()), "recvWindow": 5000}""" + _SEND, line=10, fixed=_HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}""" + _SEND),
        Invalid(_HEAD + """
from datetime import datetime

def now():
    return datetime.now().timestamp()

def account():
    params = {"timestamp": now(), "recvWindow": 5000}""" + _SEND, line=12, fixed=_HEAD + """
from datetime import datetime

def now():
    return int(time.time() * 1000)

def account():
    params = {"timestamp": now(), "recvWindow": 5000}""" + _SEND),
        Invalid("""\
import hashlib, hmac, os
from time import time_ns
from urllib.parse import urlencode
import requests

def account():
    query = f"timestamp={time_ns()}&recvWindow=5000"
    signature = hmac.new(os.environ["BINANCE_API_SECRET"].encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}", timeout=10)
""", line=7, fixed="""\
import time
import hashlib, hmac, os
from time import time_ns
from urllib.parse import urlencode
import requests

def account():
    query = f"timestamp={int(time.time() * 1000)}&recvWindow=5000"
    signature = hmac.new(os.environ["BINANCE_API_SECRET"].encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}", timeout=10)
"""),
        Invalid("""\
import time
from binance.client import Client

client = Client()
trades = client.get_my_trades(symbol="BTCUSDT", timestamp=time.time() * 1000)
""", line=5, fixed="""\
import time
from binance.client import Client

client = Client()
trades = client.get_my_trades(symbol="BTCUSDT", timestamp=int(time.time() * 1000))
"""),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        model = analysis.model
        seen: set[int] = set()
        for sent in analysis.timing.sent_timestamps:
            value, found = sent.value, sent.time
            if found.unit == "ms" or id(found.node) in seen:
                continue
            if model.tree.order(found.node) < 0:
                continue
            seen.add(id(found.node))
            replacement, imports = _replacement(analysis)
            edits = (replace_node(analysis, found.node, replacement), *imports) if replacement else ()
            where = "" if model.line(found.node) == model.line(value.node) else \
                f" (sent as `timestamp` on line {model.line(value.node)})"
            yield Report(
                found.node,
                f"`{short(model, found.node)}` is {_UNITS[found.unit]}{where}; Binance expects integer "
                "milliseconds",
                f"Use `{replacement or 'int(time.time() * 1000)'}`.",
                Applicability.SAFE if edits else Applicability.ADVICE, edits,
            )


def _replacement(analysis: Analysis) -> tuple[str | None, tuple[Edit, ...]]:
    """`int(time.time() * 1000)`, written for how `time` is bound in this module."""
    bound = analysis.model.imports.get("time")
    if bound == "time":
        return "int(time.time() * 1000)", ()
    if bound == "time.time":
        return "int(time() * 1000)", ()
    if bound is not None or _name_taken(analysis):
        return None, ()
    return "int(time.time() * 1000)", insert_import(analysis, "time")


def _name_taken(analysis: Analysis) -> bool:
    """Whether `time` is a variable of the module (so `import time` would clash)."""
    return bool(analysis.model.scope_bindings(analysis.model.module, "time"))
