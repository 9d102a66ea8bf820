"""A parameter is added to or changed in the signed payload after the signature was computed.

## What it does
Finds the container a signature was computed from (`params` in
`hmac.new(secret, urlencode(params).encode(), hashlib.sha256)`, also through a signing
helper) and reports every change made to it after that point: `params["timestamp"] = ...`,
`params.update(...)`, `params.setdefault(...)`, `query += "&recvWindow=5000"`; and
parameters written after `signature` in the sent query or body. Appending `signature`
itself as the last step is the correct pattern and is not reported.

## Why is this bad?
Binance signs the exact bytes it receives. A parameter added after signing is sent but
was not signed, so the request fails with `-1022 Signature for this request is not
valid` (a `timestamp` added late is the most common case). Parameters after
`signature` break the rule that the signature ends the query.

## Example
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def buy(quantity):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity}
    signature = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    params["timestamp"] = int(time.time() * 1000)
    params["signature"] = signature
    return requests.post("https://api.binance.com/api/v3/order", params=params, headers=HEADERS, timeout=10)
```

## Use instead
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def buy(quantity):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity,
              "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post("https://api.binance.com/api/v3/order", params=params, headers=HEADERS, timeout=10)
```

## Fix safety
Advice only: moving statements changes what is signed, so binlint leaves it to you.
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
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}
URL = "https://api.binance.com/api/v3/account"
"""


class ParamsChangedAfterSigning(Rule):
    code = "BL203"
    name = "params-changed-after-signing"
    severity = Severity.ERROR
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(_HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(URL, params=params, headers=HEADERS, timeout=10)
"""),
        Valid(_HEAD + """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    query += "&signature=" + hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.get(URL + "?" + query, headers=HEADERS, timeout=10)
"""),
        Valid(_HEAD + """
def sign(params):
    params["timestamp"] = int(time.time() * 1000)
    params["recvWindow"] = 5000
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return params

def account():
    return requests.get(URL, params=sign({}), headers=HEADERS, timeout=10)
"""),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(_HEAD + """
def account():
    params = {"recvWindow": 5000}
    signature = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    params["timestamp"] = int(time.time() * 1000)
    params["signature"] = signature
    return requests.get(URL, params=params, headers=HEADERS, timeout=10)
""", line=12),
        Invalid(_HEAD + """
def sign(params):
    return hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()

def account():
    params = {"timestamp": int(time.time() * 1000)}
    signature = sign(params)
    params.update(recvWindow=5000)
    params["signature"] = signature
    return requests.get(URL, params=params, headers=HEADERS, timeout=10)
""", line=15),
        Invalid(_HEAD + """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000)})
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{URL}?{query}&signature={signature}&recvWindow=5000", headers=HEADERS, timeout=10)
""", line=12),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        model = analysis.model
        signing = analysis.signing
        seen: set[int] = set()
        for flow in signing.binance_signings:
            payload = flow.payload
            for change in signing.changes_after(flow):
                if id(change.node) in seen or change.kind in ("pop", "popitem", "delitem", "clear", "remove"):
                    continue
                seen.add(id(change.node))
                keys = change.keys(model)
                what = ", ".join(f"`{k}`" for k in sorted(keys)) if keys else f"`{short(model, change.node)}`"
                container = short(model, payload.container) if payload and payload.container is not None else "it"
                yield Report(
                    change.node,
                    f"{what} changes `{change.target}` on line {model.line(change.node)}, after the signature was "
                    f"computed from `{container}` on line {model.line(flow.point)}: the sent payload is not the signed one",
                    f"Set every parameter of `{change.target}` first and compute the signature last, right before "
                    "appending `signature`.",
                )
            attachment = flow.attachment
            if attachment.trailing_keys and id(attachment.node) not in seen:
                seen.add(id(attachment.node))
                trailing = ", ".join(f"`{k}`" for k in attachment.trailing_keys)
                yield Report(
                    attachment.node,
                    f"{trailing} follow `signature` in the sent query on line {model.line(attachment.node)}: they are "
                    "not covered by the signature",
                    "Put every parameter into the payload before signing and append `signature` last.",
                )
