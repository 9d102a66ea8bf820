"""A generated Binance bot of a given length: hand-signed REST calls, an SDK client,
retries, a few of the mistakes binlint looks for. No credential literal is in it.
"""

from __future__ import annotations

_HEADER = '''\
"""A trading bot made for binlint's benchmark."""

import hashlib
import hmac
import os
import time
from urllib.parse import urlencode

import requests
from binance.client import Client

BASE_URL = "https://api.binance.com"
API_KEY = os.environ["BINANCE_API_KEY"]
API_SECRET = os.environ["BINANCE_API_SECRET"]

session = requests.Session()
session.headers.update({"X-MBX-APIKEY": API_KEY})
client = Client(API_KEY, API_SECRET)


def sign(params: dict) -> str:
    query = urlencode(params)
    return hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()

'''

_BLOCK = '''\

def place_order_{n}(symbol: str, quantity: str, price: str) -> dict:
    """Place limit order number {n}, retrying with backoff and one client order id."""
    params = {{
        "symbol": symbol,
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": quantity,
        "price": price,
        "newClientOrderId": f"bot-{n}-{{int(time.time() * 1000)}}",
        "recvWindow": 5000,
    }}
    delay = 0.5
    for attempt in range(5):
        params["timestamp"] = int(time.time() * 1000)
        params.pop("signature", None)
        params["signature"] = sign(params)
        response = session.post(f"{{BASE_URL}}/api/v3/order", params=params, timeout=10)
        if response.status_code in (418, 429):
            time.sleep(float(response.headers.get("Retry-After", delay)))
            delay *= 2
            continue
        response.raise_for_status()
        return response.json()
    raise RuntimeError("order {n} failed after 5 attempts")


def account_{n}() -> dict:
    params = {{"timestamp": int(time.time()), "recvWindow": 5000}}
    query = urlencode(params)
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    response = requests.get(BASE_URL + "/api/v3/account?" + query + "&signature=" + signature,
                            headers={{"X-MBX-APIKEY": API_KEY}})
    return response.json()


def price_{n}(symbol: str) -> float:
    ticker = client.get_symbol_ticker(symbol=symbol)
    return float(ticker["price"])

'''


_CLASS_HEADER = '''\
"""A trading bot made for binlint's benchmark, as one class."""

import hashlib
import hmac
import os
import time
from urllib.parse import urlencode

import requests
from binance.client import Client

BASE_URL = "https://api.binance.com"


class Bot:
    """Signed REST calls and an SDK client, with the credentials kept on the instance."""

    def __init__(self) -> None:
        self.api_key = os.environ["BINANCE_API_KEY"]
        self.api_secret = os.environ["BINANCE_API_SECRET"]
        self.session = requests.Session()
        self.session.headers.update({"X-MBX-APIKEY": self.api_key})
        self.client = Client(self.api_key, self.api_secret)

    def sign(self, params: dict) -> str:
        query = urlencode(params)
        return hmac.new(self.api_secret.encode(), query.encode(), hashlib.sha256).hexdigest()
'''

_CLASS_BLOCK = '''\

    def place_order_{n}(self, symbol: str, quantity: str, price: str) -> dict:
        """Place limit order number {n}, retrying with backoff and one client order id."""
        params = {{
            "symbol": symbol,
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": quantity,
            "price": price,
            "newClientOrderId": f"bot-{n}-{{int(time.time() * 1000)}}",
            "recvWindow": 5000,
        }}
        delay = 0.5
        for attempt in range(5):
            params["timestamp"] = int(time.time() * 1000)
            params.pop("signature", None)
            params["signature"] = self.sign(params)
            response = self.session.post(f"{{BASE_URL}}/api/v3/order", params=params, timeout=10)
            if response.status_code in (418, 429):
                time.sleep(float(response.headers.get("Retry-After", delay)))
                delay *= 2
                continue
            response.raise_for_status()
            return response.json()
        raise RuntimeError("order {n} failed after 5 attempts")

    def account_{n}(self) -> dict:
        params = {{"timestamp": int(time.time()), "recvWindow": 5000}}
        query = urlencode(params)
        signature = hmac.new(self.api_secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        response = requests.get(BASE_URL + "/api/v3/account?" + query + "&signature=" + signature,
                                headers={{"X-MBX-APIKEY": self.api_key}})
        return response.json()

    def price_{n}(self, symbol: str) -> float:
        ticker = self.client.get_symbol_ticker(symbol=symbol)
        return float(ticker["price"])
'''

_STYLES = {"functions": (_HEADER, _BLOCK), "class": (_CLASS_HEADER, _CLASS_BLOCK)}


def bot_source(lines: int, style: str = "functions") -> str:
    """A bot of at least `lines` lines (whole functions; a few lines over at most).

    `style` "functions" writes module-level functions; "class" writes the same calls as
    methods of one class, with the credentials and the session on `self`.
    """
    header, template = _STYLES[style]
    parts = [header]
    count = header.count("\n")
    n = 0
    while count < lines:
        block = template.format(n=n)
        parts.append(block)
        count += block.count("\n")
        n += 1
    return "".join(parts)
