"""A request to Binance that can wait forever: no timeout.

## What it does
Reports a `requests` or `urllib.request` call to Binance with no `timeout=` (these
libraries have no default timeout), and an `httpx` or `aiohttp` call that turns the
library's default off with `timeout=None`. A timeout set on the session or client
(`httpx.Client(timeout=10)`, `aiohttp.ClientSession(timeout=...)`) counts.

## Why is this bad?
Without a timeout a request waits as long as the TCP connection stays open. Binance
itself gives up after 10 seconds (`-1007`), but a half-open connection can block a bot
for hours: it stops trading, stops cancelling, and misses fills. With a timeout the
call fails fast and your retry logic decides what to do.

## Example
```python
import requests

requests.get("https://api.binance.com/api/v3/ticker/price", params={"symbol": "BTCUSDT"})
```

## Use instead
```python
import requests

requests.get("https://api.binance.com/api/v3/ticker/price", params={"symbol": "BTCUSDT"}, timeout=10)
```

## Fix safety
Unsafe: it adds `timeout=10` (or replaces `timeout=None` with it). A request that took
longer than 10 seconds now raises, which changes behaviour; a timed-out order may still
have been placed, so check its status before sending it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

import libcst as cst

from binlint.analysis.helpers import label
from binlint.analysis.signing import endpoint_label
from binlint.model import Applicability, Edit, Severity
from binlint.rules.base import Invalid, Report, Rule, Valid, replace_node

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.requests import RequestSite

_NO_DEFAULT = ("requests", "urllib")


class RequestWithoutTimeout(Rule):
    code = "BL502"
    name = "request-without-timeout"
    severity = Severity.WARNING
    fix = "unsafe"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import requests

            requests.get("https://api.binance.com/api/v3/time", timeout=10)
            """
        ),
        # httpx and aiohttp have a default timeout.
        Valid(
            """
            import httpx

            httpx.get("https://api.binance.com/api/v3/time")
            with httpx.Client(timeout=5) as client:
                client.get("https://api.binance.com/api/v3/exchangeInfo")
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            import requests

            requests.get("https://api.binance.com/api/v3/ticker/price", params={"symbol": "BTCUSDT"})
            """,
            line=3,
            fixed="""
            import requests

            requests.get("https://api.binance.com/api/v3/ticker/price", params={"symbol": "BTCUSDT"}, timeout=10)
            """,
        ),
        Invalid(
            """
            from urllib.request import urlopen

            def server_time():
                return urlopen("https://api.binance.com/api/v3/time").read()
            """,
            line=4,
            fixed="""
            from urllib.request import urlopen

            def server_time():
                return urlopen("https://api.binance.com/api/v3/time", timeout=10).read()
            """,
        ),
        Invalid(
            """
            import httpx

            client = httpx.Client(timeout=None)
            client.get("https://api.binance.com/api/v3/time", timeout=None)
            """,
            line=4,
            fixed="""
            import httpx

            client = httpx.Client(timeout=None)
            client.get("https://api.binance.com/api/v3/time", timeout=10)
            """,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        model = analysis.model
        for site in analysis.requests.binance_sites:
            if site.timeout is not None:
                if not _is_none(site.timeout.value):
                    continue
                edit = replace_node(analysis, site.timeout.value, "10")
                problem = "turns the timeout off with `timeout=None`"
            elif site.library in _NO_DEFAULT and not site.session_timeout \
                    and not any(arg.star == "**" for arg in site.call.args):
                edit = _add_timeout(analysis, site.call)
                problem = f"has no timeout (`{site.library}` has no default one)"
            else:
                continue
            yield Report(
                site.call,
                f"`{model.code(site.call.func)}(...)` on line {model.line(site.call)} {problem}: "
                f"{_target(site)} can then block the bot for as long as the connection stays open.",
                "Pass `timeout=10` (seconds), or set a timeout on the session or client.",
                Applicability.UNSAFE,
                (edit,),
            )

        for request in analysis.helpers.judged_here:  # a generic client given the Binance host at run time
            send = request.send
            if send.timeout or send.library not in _NO_DEFAULT:
                continue
            yield Report(
                request.call,
                f"the request through {label(model, request.call)} to `{endpoint_label(request.method, request.path)}` "
                f"is sent by `{request.name}`{f' (line {send.line} of its module)' if send.line else ''} with no timeout "
                f"(`{send.library}` has no default one): it can block the bot for as long as the connection "
                "stays open.",
                "Pass `timeout=10` (seconds) where the helper sends the request, or set one on its session.",
            )


def _is_none(expr: cst.BaseExpression) -> bool:
    return type(expr) is cst.Name and expr.value == "None"


def _target(site: "RequestSite") -> str:
    if site.path is not None and site.method is not None and site.path_known:
        return f"the `{site.method} {site.path}` request"
    return "the request"


def _add_timeout(analysis: "Analysis", call: cst.Call) -> Edit:
    """Insert `timeout=10` after the last argument (before the closing parenthesis)."""
    if not call.args:
        position = analysis.model.position(call)
        line, column = position.end.line, position.end.column  # just before `)`
        return Edit(line, column, line, column, "timeout=10")
    last = call.args[-1]
    position = analysis.model.position(last)  # the whole argument, the value's parentheses included
    line, column = position.end.line, position.end.column + 1  # right after it (a trailing comma stays last)
    return Edit(line, column, line, column, ", timeout=10")
