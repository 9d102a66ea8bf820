"""One `timestamp` is computed once and reused for several signed requests.

## What it does
Reports a request's `timestamp` whose clock value is read once and then reused: at
module level, in `__init__` (`self.ts`, also read through a local `ts = self.ts`, or a
dict of common parameters built there, `self.base = {"timestamp": ...}`), as a default argument (evaluated once when the
function is defined), before a loop that sends on every iteration, or one variable sent
with several requests. It also reports a request signed once and resent by a loop or by
a retry decorator (`tenacity`, `backoff`) on the function that sends it.

## Why is this bad?
Binance rejects a request when `serverTime - timestamp > recvWindow` (5 s by default):
a reused timestamp works for the first request and fails with `-1021 Timestamp for this
request is outside of the recvWindow` as soon as enough time has passed. Retries are hit
hardest, since they happen exactly when things are slow.

## Example
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def open_orders(symbol, ts=int(time.time() * 1000)):
    params = {"symbol": symbol, "timestamp": ts, "recvWindow": 5000}
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


def open_orders(symbol):
    params = {"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get("https://api.binance.com/api/v3/openOrders", params=params, headers=HEADERS, timeout=10)
```

## Fix safety
Advice only: the timestamp must be read right before each signing, which moves code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

import libcst as cst

from binlint.analysis.signing import URLENCODE, short
from binlint.analysis.values import called_function, dotted_text, param_default
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import Binding
    from binlint.analysis.signing import ParamValue

_HEAD = """\
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}
URL = "https://api.binance.com/api/v3/order"
"""

_SEND = """
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(URL, params=params, headers=HEADERS, timeout=10)
"""

FIX = "Read the clock right before signing each request: `\"timestamp\": int(time.time() * 1000)`."


class StaleTimestamp(Rule):
    code = "BL303"
    name = "stale-timestamp"
    severity = Severity.WARNING
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(_HEAD + """
class Bot:
    def __init__(self):
        self.base = {"recvWindow": 5000}

    def order(self, symbol):
        params = {**self.base, "symbol": symbol, "timestamp": int(time.time() * 1000)}
        params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
        return requests.post(URL, params=params, headers=HEADERS, timeout=10)
"""),
        Valid(_HEAD + """
def order(symbol):
    params = {"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}""" + _SEND),
        Valid(_HEAD + """
def order(symbol):
    ts = int(time.time() * 1000)
    params = {"symbol": symbol, "timestamp": ts, "recvWindow": 5000}""" + _SEND),
        Valid(_HEAD + """
def orders(symbols):
    for symbol in symbols:
        ts = int(time.time() * 1000)
        params = {"symbol": symbol, "timestamp": ts, "recvWindow": 5000}
        params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
        requests.post(URL, params=params, headers=HEADERS, timeout=10)
"""),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        # Read once in `__init__`, reused by every signed call through the request helper.
        Invalid(_HEAD + """
class Bot:
    def __init__(self):
        self.timestamp = int(time.time() * 1000)

    def _signed(self, path, params):
        ts = self.timestamp
        query = urlencode({**params, "timestamp": ts, "recvWindow": 5000})
        signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
        return requests.post(f"https://api.binance.com{path}?{query}&signature={signature}", headers=HEADERS,
                             timeout=10)
""", line=15),
        Invalid(_HEAD + """
class Bot:
    def __init__(self):
        self.base = {"recvWindow": 5000, "timestamp": int(time.time() * 1000)}

    def order(self, symbol):
        params = {**self.base, "symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1}
        params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
        return requests.post(URL, params=params, headers=HEADERS, timeout=10)
""", line=11),
        Invalid(_HEAD + """
from tenacity import retry, stop_after_attempt, wait_exponential

@retry(stop=stop_after_attempt(3), wait=wait_exponential())
def send(params):
    return requests.post(URL, params=params, headers=HEADERS, timeout=10)

def order(symbol):
    params = {"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return send(params)
""", line=13),
        Invalid(_HEAD + """
def order(symbol, ts=int(time.time() * 1000)):
    params = {"symbol": symbol, "timestamp": ts, "recvWindow": 5000}""" + _SEND, line=10),
        Invalid(_HEAD + """
STARTED = int(time.time() * 1000)

def order(symbol):
    params = {"symbol": symbol, "timestamp": STARTED, "recvWindow": 5000}""" + _SEND, line=12),
        Invalid(_HEAD + """
def orders(symbols):
    ts = int(time.time() * 1000)
    for symbol in symbols:
        params = {"symbol": symbol, "timestamp": ts, "recvWindow": 5000}
        params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
        requests.post(URL, params=params, headers=HEADERS, timeout=10)
""", line=12),
        Invalid(_HEAD + """
class Bot:
    def __init__(self):
        self.ts = int(time.time() * 1000)

    def order(self, symbol):
        params = {"symbol": symbol, "timestamp": self.ts, "recvWindow": 5000}
        params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
        return requests.post(URL, params=params, headers=HEADERS, timeout=10)
""", line=14),
        Invalid(_HEAD + """
def order(symbol):
    params = {"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    for attempt in range(3):
        response = requests.post(URL, params=params, headers=HEADERS, timeout=10)
        if response.ok:
            return response
        time.sleep(2 ** attempt)
""", line=13),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        model = analysis.model
        uses: dict[int, list[tuple[ParamValue, cst.BaseExpression, Binding]]] = {}
        reported: set[int] = set()
        for sent in analysis.timing.sent_timestamps:
            value = sent.value
            expr = value.value
            if type(expr) not in (cst.Name, cst.Attribute):
                continue
            why = self._once(analysis, expr)
            if why is not None and id(expr) not in reported:
                reported.add(id(expr))
                yield Report(expr, f"`{short(model, expr)}` sent as `timestamp` {why}", FIX)
                continue
            bindings = model.bindings(expr)
            if len(bindings) == 1:
                uses.setdefault(id(bindings[0].statement), []).append((value, expr, bindings[0]))
        for group in uses.values():
            statements = {id(model.statement_of(v.node)) for v, _, _ in group}
            if len(statements) > 1:
                _, expr, binding = group[1]
                if id(expr) not in reported:
                    reported.add(id(expr))
                    yield Report(
                        expr,
                        f"`{short(model, expr)}` (read on line {model.line(binding.statement)}) is sent as "
                        f"`timestamp` with {len(statements)} requests, so the later ones carry an old time",
                        FIX,
                    )
        yield from self._built_once(analysis, reported)
        yield from self._signed_before_loop(analysis)

    def _built_once(self, analysis: Analysis, reported: set[int]) -> Iterable[Report]:
        """`self.params = {"timestamp": int(time.time() * 1000), ...}` in `__init__` (or a module-level
        dict), then sent by the methods (functions) that sign or send requests."""
        model = analysis.model
        signing = analysis.signing
        for value in signing.parameter_values("timestamp"):
            expr = value.value
            if value.context != "dict" or type(expr) in (cst.Name, cst.Attribute) or id(expr) in reported:
                continue
            if analysis.timing.time_of(expr) is None:
                continue
            holder = model.tree.parent(value.node)
            statement = model.tree.parent(holder) if holder is not None else None
            if type(holder) is not cst.Dict or type(statement) is not cst.Assign or statement.value is not holder \
                    or len(statement.targets) != 1:
                continue
            target = statement.targets[0].target
            built_in = model.function_of(statement)
            if type(target) is cst.Attribute and type(target.value) is cst.Name and built_in is not None \
                    and built_in.name.value == "__init__":
                when = "when the object is created"
            elif type(target) is cst.Name and built_in is None:
                when = "at module level"
            else:
                continue
            text = dotted_text(target)
            if text is None:
                continue
            uses = [node for node in signing.sender_reads(text) if node is not target
                    and type(node) is type(target) and model.function_of(node) is not built_in
                    and (type(target) is cst.Name or model.class_of(node) is model.class_of(statement))
                    and _sent_whole(analysis, node)]
            if not uses:
                continue
            reported.add(id(expr))
            sender = model.function_of(uses[0])
            assert sender is not None  # read in a request-sending function
            yield Report(
                expr,
                f"`{short(model, expr)}` is read once, {when}, into `{text}`, and every request built from "
                f"`{text}` (line {model.line(uses[0])} in `{sender.name.value}`) sends it as "
                "`timestamp`, so the later ones carry an old time",
                FIX,
            )

    def _once(self, analysis: Analysis, expr: cst.BaseExpression) -> str | None:
        """Why the value of `expr` is read only once, or None."""
        model = analysis.model
        use_function = model.function_of(expr)
        if use_function is None:
            return None
        bindings = model.bindings(expr)
        if type(expr) is cst.Attribute:
            for binding in bindings:
                function = model.function_of(binding.statement)
                if function is None or function.name.value == "__init__":
                    return f"is read once, on line {model.line(binding.statement)}, when the object is created"
            return None
        if not bindings:
            default = param_default(model, expr)
            if default is not None and analysis.timing.time_of(default) is not None:
                return (f"is a default argument, evaluated once when `{use_function.name.value}` is defined "
                        f"(line {model.line(default)})")
            return None
        if len(bindings) != 1:
            return None
        value = bindings[0].value
        if type(value) is cst.Attribute and model.function_of(bindings[0].statement) is use_function:
            inner = self._once(analysis, value)  # `ts = self.ts`
            if inner is not None:
                return f"(from `{short(model, value)}`) {inner}"
        statement = bindings[0].statement
        if model.function_of(statement) is None:
            return f"is read once at module level, on line {model.line(statement)}"
        loop = self._loop(analysis, expr, use_function)
        if loop is not None and not model.tree.contains(loop, statement) and model.function_of(statement) is \
                use_function:
            return (f"is read once on line {model.line(statement)}, before the loop on line {model.line(loop)} "
                    "that sends on every iteration")
        return None

    @staticmethod
    def _loop(analysis: Analysis, node: cst.CSTNode, function: cst.FunctionDef) -> cst.CSTNode | None:
        for ancestor in analysis.model.tree.ancestors(node):
            if ancestor is function:
                return None
            if type(ancestor) in (cst.For, cst.While):
                return ancestor
        return None

    def _signed_before_loop(self, analysis: Analysis) -> Iterable[Report]:
        """A request signed once, then sent again and again inside a loop."""
        model = analysis.model
        seen: set[int] = set()
        for flow in analysis.signing.binance_signings:
            site = flow.site
            if site is None or site.function is None or id(site.call) in seen:
                continue
            signer = model.function_of(flow.point)
            if signer is not site.function and analysis.retries.decorated(site.function):
                seen.add(id(site.call))
                yield Report(
                    site.call,
                    f"this request is signed once on line {model.line(flow.point)} and `{site.function.name.value}` "
                    "resends it with the same `timestamp` and `signature` on every retry",
                    "Build the parameters, the timestamp and the signature inside the retried function.",
                )
                continue
            loop = self._loop(analysis, site.call, site.function)
            if loop is None or model.tree.contains(loop, flow.point) or signer is not site.function:
                continue
            seen.add(id(site.call))
            yield Report(
                site.call,
                f"this request is signed once on line {model.line(flow.point)}, before the loop on line "
                f"{model.line(loop)}, and resent with the same `timestamp` and `signature` on every iteration",
                "Build the parameters, the timestamp and the signature anew inside the loop, for every attempt.",
            )


def _sent_whole(analysis: Analysis, node: cst.CSTNode) -> bool:
    """Whether a dict is used as a whole as request parameters: `{**base, ...}`, `dict(base, ...)`,
    `base.copy()`, `urlencode(base)`, or passed to a request or a helper (not read item by item)."""
    model = analysis.model
    parent = model.tree.parent(node)
    if type(parent) is cst.StarredDictElement:
        return True
    if type(parent) is cst.Attribute and parent.attr.value == "copy":
        return True
    if type(parent) is cst.Arg:
        call = model.tree.parent(parent)
        if type(call) is not cst.Call:
            return False
        return model.call_name(call) in _DICT_USES or analysis.requests.site_for(call) is not None \
            or called_function(model, call) is not None
    return False


_DICT_USES = URLENCODE | {"builtins.dict", "collections.OrderedDict"}
