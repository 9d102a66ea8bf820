"""A `while` loop that calls Binance REST with no wait on some path back to its head.

## What it does
Reports a `while` loop that makes a Binance REST call (an SDK method such as
`get_account` or `futures_position_information`, a request to a Binance URL, or a
same-module function that makes one) on a path back to the loop head that passes no
`time.sleep`, `await asyncio.sleep`, `Event.wait(timeout)`, rate limiter or other
blocking wait. The message names the call and the path that spins: the whole body, one
branch of an `if`, or an `except` branch that skips the sleep at the end of the `try`.

ccxt spaces its requests out itself when `enableRateLimit` is on (the default), so its
calls count only where that is turned off. Loops that retry a failed call are BL402's.
A loop that waits on some passes (`if n % 3 == 0: time.sleep(1)`) is throttled on purpose,
unless the pass that skips the wait is an `except` branch; a loop whose call takes a cursor
the loop moves on (`startTime=start_ts`, then `start_ts = page[-1][0] + step`) pages
through history, asking for new data each time, and is not a poll.

## Why is this bad?
Binance limits request weight per IP: 6000 a minute shared by every `/api/v3` endpoint
(`GET /api/v3/account` alone weighs 20). A loop that polls as fast as answers arrive uses
that up in seconds; Binance answers 429 and, when requests keep coming, bans the IP with
418 for 2 minutes up to 3 days. A loop that sleeps at the end of its `try` but not in
its `except` spins fastest exactly when Binance is already refusing requests.

## Example
```python
from binance.client import Client

client = Client(api_key, api_secret)
while True:
    balances = client.get_account()["balances"]
    rebalance(balances)
```

## Use instead
```python
import time

from binance.client import Client

client = Client(api_key, api_secret)
while True:
    balances = client.get_account()["balances"]
    rebalance(balances)
    time.sleep(10)
```

## Fix safety
Advice only: how often to poll is yours to choose. For prices, balances and order
updates the websocket streams (market streams, user data stream) cost no request weight.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis.orders import call_label
from binlint.analysis.polling import hot_polls
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class UnthrottledPolling(Rule):
    code = "BL406"
    name = "unthrottled-polling"
    severity = Severity.WARNING
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import time
            from binance.client import Client

            client = Client(api_key, api_secret)
            while True:
                try:
                    print(client.get_account()["balances"])
                except Exception as error:
                    print(error)
                time.sleep(10)
            """
        ),
        # ccxt's rate limiter (on by default) spaces the requests out.
        Valid(
            """
            import ccxt

            exchange = ccxt.binance({"apiKey": key, "secret": secret})
            while True:
                print(exchange.fetch_ticker("BTC/USDT"))
            """
        ),
        Valid(
            """
            import asyncio
            from binance import AsyncClient

            async def watch(client: AsyncClient, stop: asyncio.Event):
                while not stop.is_set():
                    print(await client.get_symbol_ticker(symbol="BTCUSDT"))
                    try:
                        await asyncio.wait_for(stop.wait(), timeout=5)
                    except asyncio.TimeoutError:
                        pass
            """
        ),
        # A paginated download: each call asks for the next page (its cursor moves on).
        Valid(
            """
            from binance.client import Client

            client = Client(api_key, api_secret)

            def history(symbol, start_ts):
                rows = []
                while True:
                    page = client.get_klines(symbol=symbol, interval="1m", startTime=start_ts, limit=1000)
                    if not page:
                        return rows
                    rows += page
                    start_ts = page[-1][0] + 60_000
            """
        ),
        # It waits on every third pass: a deliberate throttle.
        Valid(
            """
            import time
            from binance.client import Client

            client = Client(api_key, api_secret)
            calls = 0
            while True:
                print(client.get_symbol_ticker(symbol="BTCUSDT"))
                calls += 1
                if calls % 3 == 0:
                    time.sleep(1)
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            from binance.client import Client

            client = Client(api_key, api_secret)
            while True:
                balances = client.get_account()["balances"]
                print(balances)
            """,
            line=4,
        ),
        # The sleep is skipped when the call fails: the loop spins fastest while Binance refuses.
        Invalid(
            """
            import time
            from binance.client import Client

            client = Client(api_key, api_secret)
            while True:
                try:
                    print(client.futures_position_information(symbol="BTCUSDT"))
                    time.sleep(5)
                except Exception as error:
                    print(error)
            """,
            line=5,
        ),
        Invalid(
            """
            import ccxt

            exchange = ccxt.binance({"apiKey": key, "secret": secret, "enableRateLimit": False})
            while True:
                print(exchange.fetch_balance())
            """,
            line=4,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        model = analysis.model
        for poll in hot_polls(analysis):
            head = " ".join(model.code(poll.loop.test).split())
            head = head if len(head) <= 40 else head[:37] + "..."
            yield Report(
                poll.loop,
                f"The `while {head}` loop on line {model.line(poll.loop)} calls `{call_label(model, poll.call)}` "
                f"(line {model.line(poll.call)}) and goes round again with no wait {poll.path}: it spends "
                "request weight as fast as Binance answers (6000 a minute per IP on /api/v3), which ends in 429 "
                "and then a 418 IP ban of 2 minutes to 3 days.",
                "Wait on every path back to the loop head (e.g. `time.sleep(5)` at the end of the body and in "
                "every `except` branch, `await asyncio.sleep(...)` in async code), or take prices, balances and "
                "order updates from the websocket streams.",
            )
