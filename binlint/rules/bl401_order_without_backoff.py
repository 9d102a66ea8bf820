"""An order-placing call with no retry-with-backoff around it.

## What it does
Reports a call that places an order or a withdrawal (an SDK order method such as
python-binance `create_order` or ccxt `create_order`, or a request to an order path
such as `POST /api/v3/order`) that no retry construct runs again: no `tenacity.retry`,
no `backoff.on_exception`, no retry loop, in the same function or in a caller in the
same module. An order sent through a request helper (`binanceus_request("/api/v3/order",
data, key, secret)`) is reported where the helper is called, unless the helper retries
its request itself.

## Why is this bad?
Binance answers 429 when the request weight is used up, 418 when the IP is banned, and
5xx or `-1007` when it does not know whether the order went through. A bot that sends an
order once gives up on the first of these, and a bot that runs unattended does so with
nobody watching.

The retry you add must not place the order twice. Create the client order id once,
before the first attempt, and pass it on every attempt. After a failure whose outcome is
unknown (read timeout, 5xx, `-1007`), query the order by that id (`get_order(...,
origClientOrderId=cid)`) and resend only if Binance has no such order: the same id does
not stop a resend by itself, because Binance accepts it again once the first order has
filled, and a MARKET order fills at once. Failures that prove the order was not placed
(429/418 after their `Retry-After`, `-1021`, `-1022`) can simply be retried.

Severity depends on where the call runs: `warning` where it runs repeatedly or
unattended (inside a loop, a scheduled job, a web or websocket handler, a callback, a
thread target, a method of a bot class, or a function any of these call); `info` where
it runs once, at a script's top level, in its `__main__` block or in a CLI command, where
the person who ran it sees the failure and reruns it.

## Example
```python
import time

from binance.client import Client

client = Client(api_key, api_secret)
while True:
    if signal():
        client.order_market_buy(symbol="BTCUSDT", quantity=0.01)
    time.sleep(60)
```

## Use instead
```python
import time
import uuid

from binance.client import Client
from binance.exceptions import BinanceAPIException
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

client = Client(api_key, api_secret)


def not_placed(error):
    # 429/418, -1021 and -1022 prove the order was not placed.
    return isinstance(error, BinanceAPIException) and (error.status_code in (429, 418)
                                                       or error.code in (-1021, -1022))


@retry(stop=stop_after_attempt(5), wait=wait_exponential(multiplier=1, max=30),
       retry=retry_if_exception(not_placed))
def buy(cid):
    return client.order_market_buy(symbol="BTCUSDT", quantity=0.01, newClientOrderId=cid)


while True:
    if signal():
        buy(f"bot-{uuid.uuid4().hex[:20]}")  # one id for every attempt of this order
    time.sleep(60)
```

## Fix safety
Advice only: how often to retry, on which errors, and how to reconcile an order whose
status is unknown (query it by `origClientOrderId` before resending) are decisions
binlint leaves to you.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis.context import run_context
from binlint.analysis.orders import id_hint, query_hint, what_it_places
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
        # The request helper retries with backoff around the request it sends.
        Valid(
            """
            import hashlib, hmac, os, time
            from urllib.parse import urlencode
            import requests

            SECRET = os.environ["BINANCE_API_SECRET"].encode()
            HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}

            def signed_post(path, params):
                for attempt in range(5):
                    query = urlencode({**params, "timestamp": int(time.time() * 1000), "recvWindow": 5000})
                    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
                    try:
                        return requests.post(f"https://api.binance.com{path}?{query}&signature={signature}",
                                             headers=HEADERS, timeout=10)
                    except requests.ConnectionError:
                        time.sleep(2 ** attempt)
                raise RuntimeError("no answer")

            def buy(cid):
                return signed_post("/api/v3/order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                     "quantity": 1, "newClientOrderId": cid})
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
            severity=Severity.INFO,  # a one-shot script: whoever runs it sees the failure
        ),
        # The same order in a trading loop runs unattended: a warning.
        Invalid(
            """
            import time
            from binance.client import Client

            client = Client(api_key, api_secret)

            def main():
                while True:
                    if signal():
                        client.order_market_buy(symbol="BTCUSDT", quantity=1)
                    time.sleep(60)

            if __name__ == "__main__":
                main()
            """,
            line=9,
        ),
        Invalid(
            """
            import click
            from binance.client import Client

            @click.command()
            @click.argument("symbol")
            def sell_all(symbol):
                client = Client(api_key, api_secret)
                client.order_market_sell(symbol=symbol, quantity=1)
            """,
            line=8,
            severity=Severity.INFO,
        ),
        # A hand-signed helper sends it; the call site names the endpoint.
        Invalid(
            """
            import hashlib, hmac, os, time
            from urllib.parse import urlencode
            import requests

            def binanceus_request(uri_path, data, api_key, api_sec):
                signature = hmac.new(api_sec.encode(), urlencode(data).encode(), hashlib.sha256).hexdigest()
                return requests.post("https://api.binance.us" + uri_path, data={**data, "signature": signature},
                                     headers={"X-MBX-APIKEY": api_key}, timeout=10)

            def trade(key, secret):
                while True:
                    binanceus_request("/api/v3/order", {"symbol": "BTCUSD", "side": "BUY", "type": "MARKET",
                                                        "quantity": 1, "timestamp": int(time.time() * 1000),
                                                        "recvWindow": 5000}, key, secret)
                    time.sleep(60)
            """,
            line=12,
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
            if order.kind == "test" or retries.enclosing(order.call) or analysis.helpers.retries_inside(order.call):
                continue
            helper = order.endpoint.helper if order.endpoint is not None else None
            if helper is not None and (helper.send.retried or not helper.send.takes_parameters):
                continue  # a helper of another module that retries it, or fixes its endpoint: judged there
            what = what_it_places(order)
            where = run_context(analysis, order.call)
            if where.kind == "once":
                runs = (f" It runs once ({where.words}): whoever runs it sees a failure and can rerun it, so this "
                        "is a note, not a warning.")
            elif where.kind == "repeated":
                runs = f" It runs repeatedly or unattended ({where.words}), with nobody to see the failure."
            else:
                runs = ""
            yield Report(
                order.call,
                f"{order.describe(model)} sends {what} with no retry and backoff "
                "around it, so a 429/418 rate limit, a timeout or a 5xx ends it. A retry must not place it "
                f"twice: a timeout, 5xx or -1007 leaves the order's status unknown.{runs}",
                f"Retry it with growing waits and a bound (e.g. tenacity `@retry(stop=stop_after_attempt(5), "
                f"wait=wait_exponential())`), pass {id_hint(order)} with the id created once before the "
                f"first attempt, and after a timeout, 5xx or -1007 {query_hint(order)} before resending.",
                severity=Severity.INFO if where.kind == "once" else None,
            )
