"""A literal or constant `recvWindow` is above Binance's limits or not positive.

## What it does
Checks every literal or constant value given to `recvWindow` / `recv_window`: in dicts
that reach a request, a signature or an SDK call, in query strings, as call arguments
(`client.get_account(recvWindow=...)`; `recv_window=` on Binance SDK calls), in ccxt's
`options["recvWindow"]` and SDK client configs, and in constants named after it
(`RECV_WINDOW = 60000`). Above 60000 ms, or zero and below, is an error; above the
warning threshold (10000 ms, `recv-window-warn` in the config) is a warning. 10000
exactly is fine.

## Why is this bad?
Binance rejects a `recvWindow` above 60000 outright. A large window is usually a
workaround for a clock that is off (python-binance #60), and it lets a delayed or
replayed request execute long after it was signed. Binance recommends 5000 or less; sync
the clock (NTP, or an offset from `GET /api/v3/time`) instead.

## Example
```python
import ccxt

exchange = ccxt.binance({"options": {"recvWindow": 90000}})
```

## Use instead
```python
import ccxt

exchange = ccxt.binance({"options": {"recvWindow": 5000, "adjustForTimeDifference": True}})
```

## Fix safety
Unsafe: the fix sets 5000, which may expose a clock that is off and start `-1021`
rejections until the clock is synchronised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

import libcst as cst

from binlint.analysis.signing import number_value
from binlint.model import Applicability, Severity
from binlint.rules.base import Invalid, Report, Rule, Valid, replace_node

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class RecvWindowOutOfRange(Rule):
    code = "BL305"
    name = "recv-window-out-of-range"
    severity = Severity.ERROR
    fix = "unsafe"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid("""\
import logging

import requests

logging.info("recvWindow=120000 was rejected; using 5000")
requests.get("https://api.binance.com/api/v3/time", timeout=10)
"""),
        Valid("""\
import ccxt

exchange = ccxt.binance({"options": {"recvWindow": 10000, "adjustForTimeDifference": True}})
"""),
        Valid("""\
from binance.client import Client

client = Client()
account = client.get_account(recvWindow=5000)
RECV_WINDOW = 6000.5
"""),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid("""\
import ccxt

exchange = ccxt.binance({"options": {"recvWindow": 90000}})
""", line=3, fixed="""\
import ccxt

exchange = ccxt.binance({"options": {"recvWindow": 5000}})
"""),
        Invalid("""\
from binance.client import Client

RECV_WINDOW = 30_000
client = Client()
account = client.get_account(recvWindow=RECV_WINDOW)
""", line=3, severity=Severity.WARNING, fixed="""\
from binance.client import Client

RECV_WINDOW = 5000
client = Client()
account = client.get_account(recvWindow=RECV_WINDOW)
"""),
        Invalid("""\
import ccxt

exchange = ccxt.binanceusdm()
exchange.options["recvWindow"] = 0
""", line=4, fixed="""\
import ccxt

exchange = ccxt.binanceusdm()
exchange.options["recvWindow"] = 5000
"""),
        Invalid("""\
import requests

QUERY = "symbol=BTCUSDT&recvWindow=120000"
requests.get("https://api.binance.com/api/v3/depth?" + QUERY, timeout=10)
""", line=3, fixed="""\
import requests

QUERY = "symbol=BTCUSDT&recvWindow=5000"
requests.get("https://api.binance.com/api/v3/depth?" + QUERY, timeout=10)
"""),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        model = analysis.model
        warn = analysis.config.recv_window_warn
        seen: set[int] = set()
        timing = analysis.timing
        for expr, key in timing.recv_windows:
            found = number_value(model, expr)
            if found is None:
                continue
            value, node = found
            if id(node) in seen or model.tree.order(node) < 0:
                continue
            seen.add(id(node))
            severity = _severity(value, warn)
            if severity is None:
                continue
            holder = model.tree.parent(node)
            if isinstance(holder, (cst.Assign, cst.AnnAssign)):
                target = holder.targets[0].target if isinstance(holder, cst.Assign) else holder.target
                if type(target) in (cst.Name, cst.Attribute):
                    key = model.code(target)
            yield Report(
                node, _message(key, value, warn), _FIX, Applicability.UNSAFE,
                (replace_node(analysis, node, "5000"),), severity,
            )
        for text in timing.recv_window_texts:
            node = text.node
            if id(node) in seen:
                continue
            severity = _severity(text.value, warn)
            if severity is None:
                continue
            seen.add(id(node))
            new = node.value.replace(f"recvWindow={text.number}", "recvWindow=5000", 1)
            yield Report(
                node, _message("recvWindow", text.value, warn), _FIX, Applicability.UNSAFE,
                (replace_node(analysis, node, new),) if new != node.value else (), severity,
            )


_FIX = ("Set `recvWindow` to 5000 (Binance's recommendation) and keep the clock in sync (NTP, or an offset from "
        "`GET /api/v3/time`) instead of widening the window.")


def _severity(value: float, warn: int) -> Severity | None:
    if value > 60000 or value <= 0:
        return Severity.ERROR
    if value > warn:
        return Severity.WARNING
    return None


def _message(key: str, value: float, warn: int) -> str:
    shown = int(value) if float(value).is_integer() else value
    if value <= 0:
        return f"`{key}` is {shown}: Binance needs a positive window of milliseconds"
    if value > 60000:
        return f"`{key}` is {shown} ms: Binance rejects any `recvWindow` above 60000"
    return (f"`{key}` is {shown} ms, above {warn}: a wide window hides clock drift and lets a delayed request "
            "execute long after it was signed")
