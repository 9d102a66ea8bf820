"""An order call that is retried without a client order id fixed before the first attempt.

## What it does
Reports an order-placing call (or a withdrawal) that a retry construct runs again
(a loop, `tenacity`, `backoff`, `Retrying`, recursion, or a retry helper or decorator
the module defines) when the call sends no client
order id (`newClientOrderId`, `new_client_order_id`, ccxt `params={"clientOrderId": ...}`,
`withdrawOrderId` for withdrawals), or sends one that is made inside the retried code,
so every attempt carries a new one. An order placed through a request helper that
retries its own request (`signed_post("/api/v3/order", params)` with a retry loop inside
`signed_post`) is reported where the helper is called.

## Why is this bad?
A timeout, a 5xx or `-1007` does not mean the order failed: Binance says the status is
unknown and the order may have been placed. python-binance and ccxt fill in a fresh
client order id on every call, and Binance assigns one when none is sent, so the retry
is a new order and the position is doubled.

The fix has two parts. Create the id once, before the first attempt, and pass it on
every attempt: then an attempt whose outcome is unknown can be looked up. And after
such a failure, query the order by that id (`get_order(symbol=..., origClientOrderId=cid)`,
ccxt `fetch_order`) and resend only if Binance has no such order (BL405 reports a resend
that skips this step). The id alone does not make the resend safe: Binance rejects the
same id (`-2010 Duplicate order sent.`, futures `-4116`) only while the first order is
still open; once it has filled, and a MARKET order fills at once, the same id is
accepted again and a second order is placed.

A retry limited to failures that prove the order was not placed (429/418 answers,
`-1021`, `-1022`, a connection that never opened) is not reported.

## Example
```python
from binance.client import Client
from tenacity import retry, stop_after_attempt, wait_exponential

client = Client(api_key, api_secret)


@retry(stop=stop_after_attempt(5), wait=wait_exponential())
def buy(quantity):
    return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity)
```

## Use instead
```python
import uuid

from binance.client import Client
from binance.exceptions import BinanceAPIException
from tenacity import retry, stop_after_attempt, wait_exponential

client = Client(api_key, api_secret)


@retry(stop=stop_after_attempt(5), wait=wait_exponential())
def buy(quantity, cid):
    try:
        return client.get_order(symbol="BTCUSDT", origClientOrderId=cid)  # placed by an earlier attempt?
    except BinanceAPIException as error:
        if error.code != -2013:  # -2013: no such order, so place it
            raise
    return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity,
                               newClientOrderId=cid)


buy(0.01, f"bot-{uuid.uuid4().hex[:20]}")
```

## Fix safety
Advice only: where the id is made, and how to reconcile an order whose status is unknown
(query it by `origClientOrderId` before resending), depend on your code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis.orders import id_hint, id_minter, query_hint, what_it_places
from binlint.analysis.signing import short
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class RetryWithoutClientOrderId(Rule):
    code = "BL403"
    name = "retry-without-client-order-id"
    severity = Severity.ERROR
    fix = "advice"
    # Binance code, or code that calls an in-house client the config names (`client-classes`).
    binance_only = False
    VALID: ClassVar[tuple[Valid, ...]] = (
        # The request helper retries; the id is made once by the caller.
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
        # The id is made once, outside the retried function.
        Valid(
            """
            import uuid
            from binance.client import Client
            from tenacity import retry, stop_after_attempt, wait_exponential

            client = Client(api_key, api_secret)

            @retry(stop=stop_after_attempt(5), wait=wait_exponential())
            def buy(quantity, cid):
                return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity,
                                           newClientOrderId=cid)

            cid = f"bot-{uuid.uuid4().hex[:20]}"
            buy(1, cid)
            """
        ),
        Valid(
            """
            import time, uuid
            import ccxt

            exchange = ccxt.binance()

            def buy(amount):
                params = {"clientOrderId": uuid.uuid4().hex}
                for attempt in range(5):
                    try:
                        return exchange.create_order("BTC/USDT", "market", "buy", amount, None, params)
                    except ccxt.NetworkError:
                        time.sleep(2 ** attempt)
            """
        ),
        # Sent again only after a 429 (the loop leaves on any other answer): the order was not placed.
        Valid(
            """
            import os, time
            import requests

            HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}

            def buy(signed_query):
                for attempt in range(5):
                    response = requests.post("https://api.binance.com/api/v3/order?" + signed_query,
                                             headers=HEADERS, timeout=10)
                    if response.status_code != 429:
                        return response.json()
                    time.sleep(int(response.headers.get("Retry-After", 2 ** attempt)))
            """
        ),
        # A test order places nothing.
        Valid(
            """
            from binance.client import Client
            from tenacity import retry, stop_after_attempt, wait_exponential

            client = Client(api_key, api_secret)

            @retry(stop=stop_after_attempt(3), wait=wait_exponential())
            def check_order():
                client.create_test_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1)
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        # The request helper retries; the order placed through it carries no client order id.
        Invalid(
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

            def buy():
                return signed_post("/api/v3/order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                     "quantity": 1})
            """,
            line=20,
        ),
        Invalid(
            """
            from binance.client import Client
            from tenacity import retry, stop_after_attempt, wait_exponential

            client = Client(api_key, api_secret)

            @retry(stop=stop_after_attempt(5), wait=wait_exponential())
            def buy(quantity):
                return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity)
            """,
            line=8,
        ),
        # The id is made inside the retried function: a new one on every attempt.
        Invalid(
            """
            import uuid
            from binance.client import Client
            from tenacity import retry, stop_after_attempt, wait_exponential

            client = Client(api_key, api_secret)

            @retry(stop=stop_after_attempt(5), wait=wait_exponential())
            def buy(quantity):
                cid = uuid.uuid4().hex
                return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity,
                                           newClientOrderId=cid)
            """,
            line=10,
        ),
        # An id made from the attempt number is new on every attempt too.
        Invalid(
            """
            import time
            from binance.client import Client
            from binance.exceptions import BinanceAPIException

            client = Client(api_key, api_secret)

            def buy(quantity):
                for attempt in range(5):
                    try:
                        return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity,
                                                   newClientOrderId=f"buy-{attempt}")
                    except BinanceAPIException:
                        time.sleep(2 ** attempt)
            """,
            line=10,
        ),
        Invalid(
            """
            import time
            import ccxt

            exchange = ccxt.binanceusdm()

            def short(amount, attempt=0):
                try:
                    return exchange.create_market_sell_order("BTC/USDT:USDT", amount)
                except ccxt.NetworkError:
                    if attempt >= 3:
                        raise
                    time.sleep(2 ** attempt)
                    return short(amount, attempt + 1)
            """,
            line=8,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        orders = analysis.orders.calls
        if not orders:
            return
        retries = analysis.retries
        model = analysis.model
        for order in orders:
            if order.kind == "test":
                continue
            constructs = retries.enclosing(order.call) or analysis.helpers.retries_inside(order.call)
            if not constructs:
                continue
            constructs = [c for c in constructs
                          if any(t.outcome != "not-placed" for t in retries.triggers(c, order.call))]
            if not constructs:
                continue  # retried only after failures that prove the order was not placed
            found = analysis.orders.client_order_id(order)
            what = what_it_places(order)
            if found.state == "absent":
                construct = constructs[-1]
                yield Report(
                    order.call,
                    f"{order.describe(model)} is retried by {construct.describe(model)} without a client order id: "
                    f"{id_minter(order)}, so an attempt that failed after reaching Binance becomes a second "
                    f"{what.split(' ', 1)[1]}, and there is no id to look it up by.",
                    f"Create the id once before the first attempt (e.g. `cid = f\"bot-{{uuid.uuid4().hex[:20]}}\"`), "
                    f"pass {id_hint(order)} on every attempt, and after a timeout, 5xx or -1007 {query_hint(order)} "
                    "before resending.",
                )
                continue
            if found.state != "present":
                continue
            for construct in constructs:
                made = retries.created_inside(construct, found.value)
                if made is None:
                    continue
                name = short(model, found.value, 40) if found.value is not None else found.name or ""
                yield Report(
                    order.call,
                    f"{order.describe(model)} is retried by {construct.describe(model)}, but its client order id "
                    f"`{name}` is made on line {model.line(made)} inside the retried code: every "
                    f"attempt sends a new id, so a resend of {what} that already went through cannot be "
                    "looked up and is placed again.",
                    f"Make the id once before the first attempt (outside {construct.describe(model)}), pass it in "
                    f"unchanged, and after a timeout, 5xx or -1007 {query_hint(order)} before resending.",
                )
                break
