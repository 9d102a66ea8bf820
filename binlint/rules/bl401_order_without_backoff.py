"""An order-placing call with no retry-with-backoff around it.

## What it does
Reports a call that places an order or a withdrawal (an SDK order method such as
python-binance `create_order` or ccxt `create_order`, or a request to an order path
such as `POST /api/v3/order`) that no retry construct runs again: no `tenacity.retry`,
no `backoff.on_exception`, no retry loop, in the same function or in a caller in the
same module.

## Why is this bad?
Binance answers 429 when the request weight is used up, 418 when the IP is banned, and
5xx or `-1007` when it does not know whether the order went through. A bot that sends an
order once gives up on the first of these. The retry you add needs a client order id
made once, before the first attempt: Binance rejects a resend with the same id
(`-2010 Duplicate order sent.`), so an attempt that timed out after reaching the
matching engine cannot place the order a second time.

## Example
```python
from binance.client import Client

client = Client(api_key, api_secret)
client.order_market_buy(symbol="BTCUSDT", quantity=0.01)
```

## Use instead
```python
import uuid

from binance.client import Client
from tenacity import retry, stop_after_attempt, wait_exponential

client = Client(api_key, api_secret)


@retry(stop=stop_after_attempt(5), wait=wait_exponential(multiplier=1, max=30))
def buy(cid):
    return client.order_market_buy(symbol="BTCUSDT", quantity=0.01, newClientOrderId=cid)


buy(f"bot-{uuid.uuid4().hex[:20]}")
```

## Fix safety
Advice only: how often to retry, on which errors, and how to reconcile an order whose
status is unknown are decisions binlint leaves to you.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis.orders import id_hint, what_it_places
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class OrderWithoutBackoff(Rule):
    code = "BL401"
    name = "order-without-backoff"
    severity = Severity.WARNING
    fix = "advice"
    # Binance code, or code that calls an in-house client the config names (`client-classes`).
    binance_only = False
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            from binance.client import Client
            from tenacity import retry, stop_after_attempt, wait_exponential

            client = Client(api_key, api_secret)

            @retry(stop=stop_after_attempt(5), wait=wait_exponential(multiplier=1))
            def buy(cid):
                return client.order_market_buy(symbol="BTCUSDT", quantity=1, newClientOrderId=cid)
            """
        ),
        # The order call sits in a helper that a backoff-decorated function calls.
        Valid(
            """
            import backoff
            from binance.client import Client
            from binance.exceptions import BinanceAPIException

            client = Client(api_key, api_secret)

            def sell(cid):
                client.order_market_sell(symbol="BTCUSDT", quantity=1, newClientOrderId=cid)

            @backoff.on_exception(backoff.expo, BinanceAPIException, max_tries=5)
            def run(cid):
                sell(cid)
            """
        ),
        Valid(
            """
            from binance.client import Client

            client = Client(api_key, api_secret)
            client.create_test_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1)
            print(client.get_account())
            """
        ),
        # `url` is reassigned: each request is judged by the URL that reaches it, and
        # neither of these places an order.
        Valid(
            """
            import requests

            BASE = "https://api.binance.com"

            def status(query, headers):
                url = BASE + "/api/v3/order?" + query
                order = requests.get(url, headers=headers, timeout=10)
                url = BASE + "/api/v3/openOrders?" + query
                return order, requests.get(url, headers=headers, timeout=10)
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            from binance.client import Client

            client = Client(api_key, api_secret)
            client.order_market_buy(symbol="BTCUSDT", quantity=1)
            """,
            line=4,
        ),
        # ccxt's rate limiter spaces requests out; it does not retry a failed one.
        Invalid(
            """
            import ccxt

            exchange = ccxt.binance({"apiKey": key, "secret": secret, "enableRateLimit": True})

            def buy():
                return exchange.create_order("BTC/USDT", "market", "buy", 0.01)
            """,
            line=6,
        ),
        Invalid(
            """
            import requests

            def place(query, signature, headers):
                url = "https://api.binance.com/api/v3/order?" + query + "&signature=" + signature
                return requests.post(url, headers=headers, timeout=10)
            """,
            line=5,
        ),
        # The same name holds the open-orders URL, then the order URL: the POST places an order.
        Invalid(
            """
            import requests

            BASE = "https://api.binance.com"

            def trade(query, headers):
                url = BASE + "/api/v3/openOrders?" + query
                requests.get(url, headers=headers, timeout=10)
                url = BASE + "/api/v3/order?" + query
                return requests.post(url, headers=headers, timeout=10)
            """,
            line=9,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        orders = analysis.orders.calls
        if not orders:
            return
        retries = analysis.retries
        model = analysis.model
        for order in orders:
            if order.kind == "test" or retries.enclosing(order.call):
                continue
            what = what_it_places(order)
            yield Report(
                order.call,
                f"{order.describe(model)} sends {what} with no retry and backoff "
                "around it, so a 429/418 rate limit, a timeout or a 5xx ends it. A retry needs a client "
                "order id made once before the first attempt: Binance rejects a resend with the same id, "
                "so an attempt that reached Binance before failing is not placed twice.",
                f"Retry it with growing waits and a bound (e.g. tenacity `@retry(stop=stop_after_attempt(5), "
                f"wait=wait_exponential())`), and pass {id_hint(order)} with the id created once before the "
                "first attempt.",
            )
