"""The bytes that were signed are not the bytes that are sent.

## What it does
Compares what a signature was computed over with what the request sends. It reports
signing `json.dumps(params)`, `str(params)` or bare concatenated values instead of the
query string; signing a sorted copy but sending the dict in its own order; signing the
query but sending other parameters in the body (or the reverse); sending a signed
request as a JSON body; dropping `None` values (or popping parameters) after signing,
or leaving `None` values in a signed dict that the HTTP client drops when sending; and
signing one dict while sending another.

## Why is this bad?
Binance recomputes the signature over the query string followed by the form body, byte
for byte. Any difference gives `-1022 Signature for this request is not valid`; a JSON
body is not read at all, so `timestamp` and `signature` are reported missing (`-1102`).

## Example
```python
import hashlib, hmac, json, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def buy(quantity):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity,
              "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, json.dumps(params).encode(), hashlib.sha256).hexdigest()
    return requests.post("https://api.binance.com/api/v3/order", json=params, headers=HEADERS, timeout=10)
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
    body = urlencode(params)
    body += "&signature=" + hmac.new(SECRET, body.encode(), hashlib.sha256).hexdigest()
    return requests.post("https://api.binance.com/api/v3/order", data=body, timeout=10,
                         headers={**HEADERS, "Content-Type": "application/x-www-form-urlencoded"})
```

## Fix safety
Advice only: the fix changes how the request is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

import libcst as cst

from binlint.analysis.signing import Signing, short
from binlint.analysis.values import dict_shape, dotted_text, literal_text, param_default
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel

_HEAD = """\
import hashlib, hmac, json, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}
URL = "https://api.binance.com/api/v3/order"
"""

_RIGHT = ("Build one query string with `urlencode(params)`, sign exactly that string, and send exactly it "
          "followed by `&signature=...` (in the URL, or as a form body).")


class SignedPayloadMismatch(Rule):
    code = "BL204"
    name = "signed-payload-mismatch"
    severity = Severity.ERROR
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(_HEAD + """
def order(symbol):
    body = urlencode({"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": "0.01",
                      "timestamp": int(time.time() * 1000), "recvWindow": 5000})
    body += "&signature=" + hmac.new(SECRET, body.encode(), hashlib.sha256).hexdigest()
    return requests.post(URL, data=body, headers=HEADERS, timeout=10)
"""),
        Valid(_HEAD + """
def order(symbol, price=None):
    params = {"symbol": symbol, "price": price, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params = {k: v for k, v in params.items() if v is not None}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(URL, params=params, headers=HEADERS, timeout=10)
"""),
        Valid(_HEAD + """
def order(symbol):
    pairs = sorted({"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}.items())
    query = urlencode(pairs)
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post(f"{URL}?{query}&signature={signature}", headers=HEADERS, timeout=10)
"""),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(_HEAD + """
def order(symbol):
    params = {"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, json.dumps(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(URL, params=params, headers=HEADERS, timeout=10)
""", line=11),
        Invalid(_HEAD + """
def order(symbol):
    params = {"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(URL, json=params, headers=HEADERS, timeout=10)
""", line=12),
        Invalid(_HEAD + """
def order(symbol):
    params = {"timestamp": int(time.time() * 1000), "symbol": symbol, "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(sorted(params.items())).encode(), hashlib.sha256).hexdigest()
    return requests.post(URL, params=params, headers=HEADERS, timeout=10)
""", line=12),
        Invalid(_HEAD + """
def order(symbol, price=None):
    params = {"symbol": symbol, "price": price, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    signature = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    params = {k: v for k, v in params.items() if v is not None}
    params["signature"] = signature
    return requests.post(URL, params=params, headers=HEADERS, timeout=10)
""", line=12),
        Invalid(_HEAD + """
def order(symbol, price=None):
    params = {"symbol": symbol, "price": price, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(URL, params=params, headers=HEADERS, timeout=10)
""", line=11),
        Invalid(_HEAD + """
def order(symbol, ts):
    signature = hmac.new(SECRET, f"{symbol}{ts}5000".encode(), hashlib.sha256).hexdigest()
    body = {"symbol": symbol, "timestamp": ts, "recvWindow": 5000, "signature": signature}
    return requests.post(URL, data=body, headers=HEADERS, timeout=10)
""", line=10),
        Invalid(_HEAD + """
def order(symbol):
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.post(f"{URL}?{query}&signature={signature}", data={"symbol": symbol},
                         headers=HEADERS, timeout=10)
""", line=12),
        Invalid(_HEAD + """
def order(symbol):
    signed = {"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    signature = hmac.new(SECRET, urlencode(signed).encode(), hashlib.sha256).hexdigest()
    sent = {"symbol": symbol, "timestamp": int(time.time() * 1000), "signature": signature}
    return requests.post(URL, params=sent, headers=HEADERS, timeout=10)
""", line=12),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        seen: set[int] = set()
        for flow in analysis.signing.binance_signings:
            if flow.transport == "websocket":
                continue  # the WebSocket API signs sorted, unencoded parameters
            for report in self._problems(analysis, flow):
                if report.node is not None and id(report.node) not in seen:
                    seen.add(id(report.node))
                    yield report
                    break  # one mismatch per signature is enough to fix

    def _problems(self, analysis: Analysis, flow: Signing) -> Iterator[Report]:
        model = analysis.model
        signing = analysis.signing
        payload = flow.payload
        digest = flow.digest
        if flow.sent_as == "json" and flow.sent_expr is not None:
            yield Report(
                flow.sent_expr,
                f"the signed request is sent as a JSON body (`json={short(model, flow.sent_expr)}`); Binance reads "
                "only the query string and form bodies, so it sees no `timestamp` or `signature`",
                "Send the signed query string as `data=` (form-encoded) or in the URL, never as JSON.",
            )
            return
        if payload is None or digest is None:
            return

        def signed() -> str:  # the payload's code, written only into a report
            return short(model, payload.expr) if model.tree.order(payload.expr) >= 0 else "the payload"

        message_node = digest.message if digest.message is not None and digest.env is None else digest.call
        if payload.kind in ("json", "repr"):
            how = "JSON text" if payload.kind == "json" else "Python `repr`"
            yield Report(
                message_node,
                f"the signature is computed over `{signed()}`, the {how} of the parameters, but Binance verifies "
                "the query string `key=value&...`",
                _RIGHT,
            )
            return
        if payload.kind == "values":
            yield Report(
                message_node,
                f"the signature is computed over `{signed()}`, values joined without their names, but Binance "
                "verifies the query string `key=value&...` it receives",
                _RIGHT,
            )
            return
        for change in signing.changes_after(flow):
            if change.kind in ("pop", "popitem", "delitem", "clear", "remove"):
                yield Report(
                    change.node,
                    f"`{short(model, change.node)}` on line {model.line(change.node)} removes a parameter from "
                    f"`{change.target}` after it was signed on line {model.line(flow.point)}",
                    "Drop `None`/empty parameters before computing the signature, never after.",
                )
                return
        rebinding = signing.rebinding_after(flow)
        if rebinding is not None:
            yield Report(
                rebinding,
                f"`{short(model, rebinding)}` on line {model.line(rebinding)} filters the parameters after they "
                f"were signed on line {model.line(flow.point)}: the sent payload is not the signed one",
                "Filter out `None` values before computing the signature.",
            )
            return
        container = payload.container
        sent = flow.sent_expr
        if payload.sorted and container is not None and flow.sent_as in ("params", "data") and sent is not None \
                and not signing.is_textual(sent, flow.site_env):
            yield Report(
                sent,
                f"the signature is computed over a sorted copy of `{short(model, container)}` but "
                f"`{flow.sent_as}={short(model, sent)}` sends the dict in its own order",
                "Sign and send the same string: `query = urlencode(sorted(params.items()))`, then send `query` "
                "followed by `&signature=...`.",
            )
            return
        if flow.site is not None:
            yield from self._split(analysis, flow)
        if container is not None and payload.container_env is None and flow.sent_as in ("params", "data") \
                and sent is not None and not signing.is_textual(sent, flow.site_env):
            none_key = _none_value(model, container)
            if none_key is not None:
                yield Report(
                    container,
                    f"`{none_key}` in `{short(model, container)}` can be `None`: it is signed as `{none_key}=None` "
                    f"but `{flow.sent_as}=` drops it when sending",
                    f"Drop `None` values before signing: `{short(model, container)} = {{k: v for k, v in "
                    f"{short(model, container)}.items() if v is not None}}`.",
                )
                return
        attached = flow.attachment.container
        if attached is not None and container is not None and dotted_text(attached) != dotted_text(container):
            sent_keys = signing.dict_keys(attached, None, before=flow.attachment.node)
            signed_keys = payload.keys
            if sent_keys.complete and signed_keys.complete and \
                    sent_keys.keys - {"signature"} != signed_keys.keys - {"signature"}:
                yield Report(
                    flow.attachment.node,
                    f"the signature is computed over `{short(model, container)}` but attached to "
                    f"`{short(model, attached)}`, which holds other parameters",
                    "Sign the very dict (or string) you send.",
                )

    def _split(self, analysis: Analysis, flow: Signing) -> Iterator[Report]:
        """Signed in one place (query or body), with unsigned parameters in the other."""
        model = analysis.model
        site = flow.site
        assert site is not None
        if flow.sent_as == "url":
            for other, name in ((site.data, "data"), (site.params, "params")):
                if other is None or _empty(other):
                    continue
                yield Report(
                    other,
                    f"the signature covers only the query string, but `{name}={short(model, other)}` sends more "
                    "parameters that were not signed",
                    "Put every parameter into the one string you sign, in the URL or in the body, not both.",
                )
                return
        if flow.sent_as in ("data", "params") and site.query is not None and flow.attachment.string is None:
            keys = [k for k in analysis.signing.sent_keys(site).keys if k not in flow.payload.keys.keys] \
                if flow.payload is not None else []
            if keys and flow.sent_as == "data":
                yield Report(
                    site.url_expr,
                    f"the URL carries {', '.join(f'`{k}`' for k in sorted(keys))} that the body's signature does "
                    "not cover",
                    "Sign the query string followed by the body (no separator), or put every parameter in one place.",
                )


def _empty(expr: cst.BaseExpression) -> bool:
    return (type(expr) is cst.Dict and not expr.elements) or literal_text(expr) == "" or (
        type(expr) is cst.Name and expr.value == "None")


def _none_value(model: ModuleModel, container: cst.BaseExpression) -> str | None:
    """The key of a value in the signed dict literal that is `None` or a parameter defaulting to `None`."""
    shape = dict_shape(model, container)
    if shape is None:
        return None
    for item in shape.items:
        value = item.value
        if type(value) is cst.Name and value.value == "None":
            return item.key
        if type(value) is cst.Name:
            default = param_default(model, value)
            if type(default) is cst.Name and default.value == "None":
                return item.key
    return None
