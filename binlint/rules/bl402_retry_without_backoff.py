"""A retry around a Binance call that does not back off.

## What it does
Reports a retry construct that runs a Binance call again (an SDK call, or a request
to a Binance host or path) and does one of these: retries at once with no delay (on
every path, or on one `except` branch while the others sleep: the message names it),
waits the same delay every time, has no bound on attempts (`while True` with no limit,
a bare `@retry`, `backoff.on_exception` without `max_tries`/`max_time`), or handles a
429/418 answer without waiting for its `Retry-After` header.

Backoff that satisfies it: tenacity with a growing `wait_*` strategy and a `stop`,
`backoff.on_exception`/`on_predicate` with `backoff.expo` and a bound, or a bounded loop
or recursion that sleeps a growing delay (`2 ** attempt`, `delay *= 2`) or the server's
`Retry-After`. ccxt's `enableRateLimit` spaces requests out; it is not a retry.

A loop is a retry of a call only if a failure of that call can lead back to it: a main
polling loop whose `except` ends the loop (`break`, `return`, `raise`, `sys.exit()`, or a
flag the `while` test reads set to a constant, `running = False`) does not retry the
calls inside it. A polling loop that never waits is BL406's.

## Why is this bad?
Binance limits request weight per IP. Retrying at once, or at a fixed pace, keeps the
rate up while Binance is already throttling: the 429 becomes a 418 and the IP is banned
for 2 minutes up to 3 days. With no bound, a bot can hammer the API forever. Binance
sends `Retry-After` (seconds) with every 429 and 418; "it's your obligation as an API
to back off".

## Example
```python
import time

from binance.client import Client

client = Client(api_key, api_secret)

while True:
    try:
        client.order_market_buy(symbol="BTCUSDT", quantity=0.01, newClientOrderId=cid)
        break
    except Exception:
        time.sleep(1)
```

## Use instead
```python
import time

from binance.client import Client
from binance.exceptions import BinanceAPIException

client = Client(api_key, api_secret)

for attempt in range(5):
    try:
        client.order_market_buy(symbol="BTCUSDT", quantity=0.01, newClientOrderId=cid)
        break
    except BinanceAPIException as error:
        if error.code != -1021:  # only a timestamp outside recvWindow proves it was not placed
            raise
        time.sleep(min(2 ** attempt, 30))
```

## Fix safety
Advice only: the delays and the number of attempts are yours to choose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

import libcst as cst

from binlint.analysis.orders import call_label
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.retries import RetryConstruct


class RetryWithoutBackoff(Rule):
    code = "BL402"
    name = "retry-without-backoff"
    severity = Severity.ERROR
    fix = "advice"
    # Binance code, or code that calls an in-house client the config names (`client-classes`).
    binance_only = False
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import time
            from binance.client import Client
            from binance.exceptions import BinanceAPIException

            client = Client(api_key, api_secret)

            def buy(cid):
                for attempt in range(5):
                    try:
                        return client.order_market_buy(symbol="BTCUSDT", quantity=1, newClientOrderId=cid)
                    except BinanceAPIException:
                        time.sleep(2 ** attempt)
            """
        ),
        Valid(
            """
            import requests, time

            def get_account(session, query, headers):
                delay = 1
                for attempt in range(6):
                    resp = session.get("https://api.binance.com/api/v3/account?" + query, headers=headers,
                                       timeout=10)
                    if resp.status_code in (429, 418):
                        time.sleep(int(resp.headers.get("Retry-After", delay)))
                        delay *= 2
                        continue
                    return resp.json()
            """
        ),
        Valid(
            """
            from binance.client import Client
            from tenacity import retry, stop_after_attempt, wait_random_exponential

            client = Client(api_key, api_secret)

            @retry(wait=wait_random_exponential(multiplier=1, max=60), stop=stop_after_attempt(6))
            def balances():
                return client.get_account()["balances"]
            """
        ),
        # A main loop whose `except` stops it does not retry the order inside it.
        Valid(
            """
            import time
            from binance.client import Client

            client = Client(api_key, api_secret)
            running = True
            while running:
                try:
                    price = float(client.futures_mark_price(symbol="BTCUSDT")["markPrice"])
                    if price > 30000:
                        client.futures_create_order(symbol="BTCUSDT", side="SELL", type="MARKET", quantity=1)
                        running = False
                    time.sleep(5)
                except Exception as error:
                    print(error)
                    running = False
            """
        ),
        # A polling loop repeats on purpose; it is not a retry.
        Valid(
            """
            import time
            from binance.client import Client

            client = Client(api_key, api_secret)
            while True:
                print(client.get_symbol_ticker(symbol="BTCUSDT"))
                time.sleep(60)
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            import time
            from binance.client import Client

            client = Client(api_key, api_secret)

            def buy(cid):
                while True:
                    try:
                        client.order_market_buy(symbol="BTCUSDT", quantity=1, newClientOrderId=cid)
                        break
                    except Exception:
                        time.sleep(1)
            """,
            line=7,
        ),
        # One `except` branch sleeps, the other goes round at once: a hot loop.
        Invalid(
            """
            import time
            from binance.client import Client
            from binance.exceptions import BinanceAPIException

            client = Client(api_key, api_secret)

            def buy(cid):
                for attempt in range(5):
                    try:
                        return client.order_market_buy(symbol="BTCUSDT", quantity=1, newClientOrderId=cid)
                    except BinanceAPIException as error:
                        if error.code == -1021:
                            raise
                        time.sleep(2 ** attempt)
                    except Exception:
                        pass
            """,
            line=8,
        ),
        # A bare @retry retries forever without waiting.
        Invalid(
            """
            from binance.client import Client
            from tenacity import retry

            client = Client(api_key, api_secret)

            @retry
            def price():
                return client.get_symbol_ticker(symbol="BTCUSDT")
            """,
            line=6,
        ),
        # A 429 handler that grows its delay but ignores the server's Retry-After.
        Invalid(
            """
            import time
            import requests

            def account(query, headers):
                for attempt in range(5):
                    resp = requests.get("https://api.binance.com/api/v3/account?" + query, headers=headers,
                                        timeout=10)
                    if resp.status_code == 429:
                        time.sleep(2 ** attempt)
                        continue
                    return resp.json()
            """,
            line=5,
        ),
        Invalid(
            """
            import backoff
            import ccxt

            exchange = ccxt.binance()

            @backoff.on_exception(backoff.constant, ccxt.NetworkError, interval=2)
            def ticker():
                return exchange.fetch_ticker("BTC/USDT")
            """,
            line=6,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        calls = list(_binance_calls(analysis))
        if not calls:
            return
        retries = analysis.retries
        model = analysis.model
        reported: set[int] = set()
        for call, label in calls:
            for construct in retries.enclosing(call):
                problems = construct.problems()
                if not problems or id(construct) in reported:
                    continue
                reported.add(id(construct))
                yield Report(
                    construct.node,
                    f"{_capital(construct.describe(model))} runs `{label or call_label(model, call)}` "
                    f"(line {model.line(call)}) again but "
                    f"{_join(problems)}: {_consequence(construct)}",
                    _fix_text(construct),
                )


def _binance_calls(analysis: "Analysis") -> Iterator[tuple[cst.Call, str | None]]:
    """Every call that talks to Binance (order calls first, so messages name the order a construct retries)."""
    seen: set[int] = set()
    for order in analysis.orders.calls:
        seen.add(id(order.call))
        yield order.call, order.label
    if not analysis.is_binance:
        return
    others = [s.call for s in analysis.sdk.calls]
    others.extend(site.call for site in analysis.requests.binance_sites)
    others.extend(endpoint.call for endpoint in analysis.requests.endpoint_calls())
    for call in others:
        if id(call) not in seen:
            seen.add(id(call))
            yield call, None


def _consequence(construct: "RetryConstruct") -> str:
    if construct.rate_limit is not None and not construct.reads_retry_after:
        return ("Binance sends `Retry-After` with every 429/418 and bans the IP (418, from 2 minutes to 3 days) "
                "when requests keep coming before it expires.")
    if not construct.bounded:
        return "it can retry forever, and a retry that does not slow down turns a 429 into a 418 IP ban."
    return "retrying at a steady pace keeps the request weight up while Binance throttles, turning a 429 into a " \
           "418 IP ban."


def _fix_text(construct: "RetryConstruct") -> str:
    parts = []
    if construct.kind == "tenacity":
        parts.append("Give it `wait=wait_exponential(multiplier=1, max=60)` and `stop=stop_after_attempt(5)`.")
    elif construct.kind == "backoff":
        parts.append("Use `backoff.expo` with `max_tries=5` (or `max_time=`).")
    elif construct.kind == "retrying":
        parts.append("Give it `wait_exponential_multiplier=1000` and `stop_max_attempt_number=5`.")
    else:
        parts.append("Bound the attempts (`for attempt in range(5)`) and sleep a growing delay "
                     "(`time.sleep(min(2 ** attempt, 60))`)"
                     + (" on every branch that goes round again." if construct.hot_path else "."))
    if construct.rate_limit is not None and not construct.reads_retry_after:
        parts.append("On 429/418 sleep `int(resp.headers['Retry-After'])` seconds before the next attempt.")
    return " ".join(parts)


def _join(problems: list[str]) -> str:
    return problems[0] if len(problems) == 1 else ", ".join(problems[:-1]) + " and " + problems[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
