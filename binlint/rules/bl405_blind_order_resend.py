"""An order with a fixed client order id resent after a failure whose outcome is unknown, without asking Binance first.

## What it does
Reports an order-placing call that sends a client order id made once, before the first
attempt (`newClientOrderId=cid`, `new_client_order_id=cid`, ccxt
`params={"clientOrderId": cid}`), when a retry construct sends it again after a failure
that does not tell whether the order was placed: a read timeout, a connection error
after the request went out, a 5xx, `-1007`, or a broad `except`, `except Exception` or
`except BinanceAPIException` with no test of the error code. It stays silent when the
retried code first reads the order back (`get_order` / `futures_get_order` /
`query_order` / ccxt `fetch_order`, `fetch_open_orders`, or `GET /api/v3/order` and its
futures equivalent), and when the retry is limited to failures that prove the order was
not placed: 429/418 (after their `Retry-After`), `-1021`, `-1022`, a connect timeout.

The retry may be the call's own or one inside the request helper the order goes through,
in this module or another module of the project (`signed_post("/api/v3/order", params)`
where `signed_post` loops over its request): the order is then reported at the call.

Where the call sends no fixed id at all, BL403 reports it instead.

## Why is this bad?
A timeout, a 5xx or `-1007` means Binance does not know yet whether the order went
through: "the execution status is UNKNOWN and could have been a success". The fixed id
does not stop the resend. Binance's rule is that `newClientOrderId` is unique among
*open* orders: "Orders with the same newClientOrderID can be accepted only when the
previous one is filled, otherwise the order will be rejected." A MARKET order fills at
once, so the resend with the same id is accepted and the bot buys twice. A limit order
that is still open makes the resend fail with `-2010 Duplicate order sent.` (futures
`-4116`), which is harmless but looks like an error.

The id makes the outcome knowable: ask Binance for the order by that id
(`origClientOrderId`) and resend only if it has no such order.

## Example
```python
import time
import uuid

import requests
from binance.client import Client

client = Client(api_key, api_secret)
cid = f"bot-{uuid.uuid4().hex[:20]}"
for attempt in range(5):
    try:
        client.order_market_buy(symbol="BTCUSDT", quantity=0.01, newClientOrderId=cid)
        break
    except requests.exceptions.ReadTimeout:
        time.sleep(2 ** attempt)
```

## Use instead
```python
import time
import uuid

import requests
from binance.client import Client
from binance.exceptions import BinanceAPIException

client = Client(api_key, api_secret)
cid = f"bot-{uuid.uuid4().hex[:20]}"
for attempt in range(5):
    try:
        client.order_market_buy(symbol="BTCUSDT", quantity=0.01, newClientOrderId=cid)
        break
    except requests.exceptions.ReadTimeout:
        time.sleep(2 ** attempt)
        try:
            client.get_order(symbol="BTCUSDT", origClientOrderId=cid)
            break  # the first attempt went through
        except BinanceAPIException as error:
            if error.code != -2013:  # -2013: Binance has no such order, so send it again
                raise
```

## Fix safety
Advice only: how to reconcile (query by `origClientOrderId`, watch the user data stream,
or give up and alert) depends on your bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis.orders import query_hint, what_it_places
from binlint.analysis.signing import short
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class BlindOrderResend(Rule):
    code = "BL405"
    name = "blind-order-resend"
    severity = Severity.ERROR
    fix = "advice"
    # Binance code, or code that calls an in-house client the config names (`client-classes`).
    binance_only = False
    VALID: ClassVar[tuple[Valid, ...]] = (
        # The retry path asks Binance for the order by its id before resending.
        Valid(
            """
            import time, uuid
            import requests
            from binance.client import Client
            from binance.exceptions import BinanceAPIException

            client = Client(api_key, api_secret)

            def buy(quantity):
                cid = f"bot-{uuid.uuid4().hex[:20]}"
                for attempt in range(5):
                    try:
                        return client.order_market_buy(symbol="BTCUSDT", quantity=quantity, newClientOrderId=cid)
                    except requests.exceptions.ReadTimeout:
                        time.sleep(2 ** attempt)
                        try:
                            return client.get_order(symbol="BTCUSDT", origClientOrderId=cid)
                        except BinanceAPIException as error:
                            if error.code != -2013:
                                raise
            """
        ),
        # Retried only on 429, after waiting for Retry-After: the order was not placed.
        Valid(
            """
            import time, uuid
            from binance.client import Client
            from binance.exceptions import BinanceAPIException

            client = Client(api_key, api_secret)

            def buy(quantity):
                cid = f"bot-{uuid.uuid4().hex[:20]}"
                for attempt in range(5):
                    try:
                        return client.order_market_buy(symbol="BTCUSDT", quantity=quantity, newClientOrderId=cid)
                    except BinanceAPIException as error:
                        if error.status_code != 429:
                            raise
                        time.sleep(int(error.response.headers.get("Retry-After", 2 ** attempt)))
            """
        ),
        # tenacity limited to failures that prove the order was not placed.
        Valid(
            """
            import uuid
            from binance.client import Client
            from binance.exceptions import BinanceAPIException
            from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

            client = Client(api_key, api_secret)

            def not_placed(error):
                return isinstance(error, BinanceAPIException) and error.code in (-1021, -1022)

            @retry(stop=stop_after_attempt(5), wait=wait_exponential(), retry=retry_if_exception(not_placed))
            def buy(quantity, cid):
                return client.order_market_buy(symbol="BTCUSDT", quantity=quantity, newClientOrderId=cid)

            buy(0.01, f"bot-{uuid.uuid4().hex[:20]}")
            """
        ),
        # The request helper retries only after a connect timeout: the order never reached Binance.
        Valid(
            """
            import hashlib, hmac, os, time, uuid
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
                    except requests.ConnectTimeout:
                        time.sleep(2 ** attempt)
                raise RuntimeError("no answer")

            def buy(quantity):
                cid = f"bot-{uuid.uuid4().hex[:20]}"
                return signed_post("/api/v3/order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                     "quantity": quantity, "newClientOrderId": cid})
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        # The request helper the order goes through resends it after any request failure.
        Invalid(
            """
            import hashlib, hmac, os, time, uuid
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
                    except requests.RequestException:
                        time.sleep(2 ** attempt)
                raise RuntimeError("no answer")

            def buy(quantity):
                cid = f"bot-{uuid.uuid4().hex[:20]}"
                return signed_post("/api/v3/order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                     "quantity": quantity, "newClientOrderId": cid})
            """,
            line=21,
        ),
        # A MARKET order resent with the same id after a read timeout: accepted again once filled.
        Invalid(
            """
            import time, uuid
            import requests
            from binance.client import Client

            client = Client(api_key, api_secret)

            def buy(quantity):
                cid = f"bot-{uuid.uuid4().hex[:20]}"
                for attempt in range(5):
                    try:
                        return client.order_market_buy(symbol="BTCUSDT", quantity=quantity, newClientOrderId=cid)
                    except requests.exceptions.ReadTimeout:
                        time.sleep(2 ** attempt)
            """,
            line=11,
        ),
        # tenacity retries on every exception by default.
        Invalid(
            """
            import uuid
            from binance.client import Client
            from tenacity import retry, stop_after_attempt, wait_exponential

            client = Client(api_key, api_secret)

            @retry(stop=stop_after_attempt(5), wait=wait_exponential())
            def sell(quantity, cid):
                return client.futures_create_order(symbol="BTCUSDT", side="SELL", type="MARKET",
                                                   quantity=quantity, newClientOrderId=cid)

            sell(0.01, f"bot-{uuid.uuid4().hex[:20]}")
            """,
            line=9,
        ),
        Invalid(
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
            """,
            line=10,
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
            constructs = retries.enclosing(order.call)
            through_helper = not constructs
            if through_helper:  # the helper it calls retries the request inside it
                constructs = analysis.helpers.retries_inside(order.call)
            if not constructs:
                continue
            found = analysis.orders.client_order_id(order)
            if found.state != "present":
                continue  # no fixed id: BL403's case
            for construct in constructs:
                if retries.created_inside(construct, found.value) is not None:
                    break  # a new id on every attempt: BL403's case
                if any(retries.in_retried_code(construct, q) for q in analysis.orders.queries):
                    continue
                retried = analysis.helpers.retried_request(order.call, construct) if through_helper else order.call
                blind = [t for t in retries.triggers(construct, retried) if t.outcome == "unknown"]
                if not blind:
                    continue
                name = short(model, found.value, 40) if found.value is not None else found.name or "the id"
                yield Report(
                    order.call,
                    f"{order.describe(model)} is sent again by {construct.describe(model)} after "
                    f"{blind[0].words}, with the same client order id `{name}` and no look-up first: after a "
                    f"timeout, 5xx or -1007 {what_it_places(order)} may already exist, and Binance accepts the same "
                    "id again once the first order has filled (a MARKET order fills at once), so it is placed "
                    "twice.",
                    f"Before resending, {query_hint(order)} and resend only if Binance has no such order (-2013); "
                    "or limit the retry to failures that prove the order was not placed (429/418 after "
                    "`Retry-After`, -1021, -1022).",
                )
                break
