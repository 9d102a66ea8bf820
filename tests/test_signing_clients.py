"""Correct hand-signed Binance clients, in every style binlint understands, give no finding at all.

The styles: a plain function, a class with a `requests.Session` and signing helpers, async
httpx, aiohttp and urllib. Each is genuinely correct: HMAC-SHA256 hex over the urlencoded
query, timestamp in ms, recvWindow 5000, signature last, API key in the header, timeouts,
keys from the environment, and order placement with a fixed client order id and backoff.
"""

from __future__ import annotations

import pytest

from binlint.analysis import Analysis
from tests.helpers import codes

FUNCTION_STYLE = '''
import hashlib
import hmac
import os
import time
import uuid
from urllib.parse import urlencode

import requests

BASE_URL = "https://api.binance.com"
API_KEY = os.environ["BINANCE_API_KEY"]
API_SECRET = os.environ["BINANCE_API_SECRET"].encode()


def signed_get(path: str, params: dict) -> dict:
    params = {**params, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    query = urlencode(params)
    signature = hmac.new(API_SECRET, query.encode(), hashlib.sha256).hexdigest()
    response = requests.get(f"{BASE_URL}{path}?{query}&signature={signature}",
                            headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
    response.raise_for_status()
    return response.json()


def account() -> dict:
    return signed_get("/api/v3/account", {"omitZeroBalances": "true"})


def open_orders(symbol: str) -> dict:
    return signed_get("/api/v3/openOrders", {"symbol": symbol})


def market_buy(symbol: str, quantity: str) -> dict:
    client_order_id = f"bot-{uuid.uuid4().hex[:20]}"
    for attempt in range(5):
        params = {
            "symbol": symbol,
            "side": "BUY",
            "type": "MARKET",
            "quantity": quantity,
            "newClientOrderId": client_order_id,
            "timestamp": int(time.time() * 1000),
            "recvWindow": 5000,
        }
        body = urlencode(params)
        body += "&signature=" + hmac.new(API_SECRET, body.encode(), hashlib.sha256).hexdigest()
        response = requests.post(
            BASE_URL + "/api/v3/order",
            data=body,
            headers={"X-MBX-APIKEY": API_KEY, "Content-Type": "application/x-www-form-urlencoded"},
            timeout=10,
        )
        if response.status_code in (429, 418):
            time.sleep(int(response.headers.get("Retry-After", 2 ** attempt)))
            continue
        if response.status_code >= 500:
            time.sleep(2 ** attempt)
            continue
        response.raise_for_status()
        return response.json()
    raise RuntimeError("order not placed")
'''

CLASS_STYLE = '''
import hashlib
import hmac
import os
import time
import uuid
from urllib.parse import urlencode

import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential


class BinanceClient:
    BASE_URL = "https://api.binance.com"

    def __init__(self, api_key: str, api_secret: str) -> None:
        self._secret = api_secret.encode()
        self.session = requests.Session()
        self.session.headers.update({"X-MBX-APIKEY": api_key})

    def _sign(self, params: dict) -> dict:
        params["timestamp"] = int(time.time() * 1000)
        params["recvWindow"] = 5000
        params["signature"] = hmac.new(self._secret, urlencode(params).encode(), hashlib.sha256).hexdigest()
        return params

    def _signed(self, method: str, path: str, **params) -> dict:
        response = self.session.request(method, self.BASE_URL + path, params=self._sign(params), timeout=10)
        response.raise_for_status()
        return response.json()

    def account(self) -> dict:
        return self._signed("GET", "/api/v3/account")

    def order_status(self, symbol: str, client_order_id: str) -> dict:
        return self._signed("GET", "/api/v3/order", symbol=symbol, origClientOrderId=client_order_id)

    @retry(stop=stop_after_attempt(5), wait=wait_exponential(multiplier=0.2, max=10),
           retry=retry_if_exception_type(requests.exceptions.ConnectTimeout))
    def _place(self, symbol: str, quantity: str, client_order_id: str) -> dict:
        return self._signed("POST", "/api/v3/order", symbol=symbol, side="BUY", type="MARKET",
                            quantity=quantity, newClientOrderId=client_order_id)

    def buy(self, symbol: str, quantity: str) -> dict:
        return self._place(symbol, quantity, f"bot-{uuid.uuid4().hex[:20]}")


client = BinanceClient(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
'''

HTTPX_STYLE = '''
import asyncio
import hashlib
import hmac
import os
import time
from urllib.parse import urlencode

import httpx

BASE_URL = "https://fapi.binance.com"


def sign(secret: bytes, query: str) -> str:
    return hmac.new(secret, query.encode("utf-8"), hashlib.sha256).hexdigest()


async def balances() -> list:
    secret = os.environ["BINANCE_API_SECRET"].encode()
    async with httpx.AsyncClient(base_url=BASE_URL, timeout=10,
                                 headers={"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}) as client:
        query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
        response = await client.get(f"{BASE_URL}/fapi/v2/balance?{query}&signature={sign(secret, query)}")
        response.raise_for_status()
        return response.json()


if __name__ == "__main__":
    print(asyncio.run(balances()))
'''

AIOHTTP_STYLE = '''
import hashlib
import hmac
import os
import time
from urllib.parse import urlencode

import aiohttp

API_URL = "https://api.binance.com/api/v3/myTrades"


async def my_trades(symbol: str) -> list:
    secret = os.environ["BINANCE_API_SECRET"].encode()
    params = {"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(secret, urlencode(params).encode(), hashlib.sha256).hexdigest()
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(API_URL, params=params,
                               headers={"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}) as response:
            response.raise_for_status()
            return await response.json()
'''

URLLIB_STYLE = '''
import hashlib
import hmac
import json
import os
import time
from urllib.parse import urlencode
from urllib.request import Request, urlopen


def all_orders(symbol: str) -> list:
    secret = os.environ["BINANCE_API_SECRET"].encode()
    query = urlencode({"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000})
    query += "&signature=" + hmac.new(secret, query.encode(), hashlib.sha256).hexdigest()
    request = Request("https://api.binance.com/api/v3/allOrders?" + query,
                      headers={"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]})
    with urlopen(request, timeout=10) as response:
        return json.loads(response.read())
'''

CLIENTS = {
    "function": FUNCTION_STYLE,
    "class-session": CLASS_STYLE,
    "async-httpx": HTTPX_STYLE,
    "aiohttp": AIOHTTP_STYLE,
    "urllib": URLLIB_STYLE,
}


def _analysis(source: str) -> Analysis:
    import libcst as cst

    from binlint.analysis.module import ModuleModel
    from binlint.config import Config

    return Analysis(ModuleModel(cst.parse_module(source), "client.py", source), Config())


@pytest.mark.parametrize("style", sorted(CLIENTS))
def test_correct_client_has_no_bl2_bl3_finding(style):
    assert codes(CLIENTS[style], "client.py", select=("BL2", "BL3")) == []


@pytest.mark.parametrize("style", sorted(CLIENTS))
def test_correct_client_has_no_finding_at_all(style):
    assert codes(CLIENTS[style], "client.py") == []


@pytest.mark.parametrize("style", sorted(CLIENTS))
def test_the_model_sees_the_signed_requests(style):
    """Silence must come from understanding, not from missing the code: every client is seen
    signing, with a complete payload that holds timestamp and recvWindow, and sending it."""
    analysis = _analysis(CLIENTS[style])
    flows = analysis.signing.signings
    assert flows, "no signature found"
    for flow in flows:
        assert flow.digest is not None and flow.digest.kind == "hmac" and flow.digest.output == "hex"
        assert flow.payload is not None and flow.payload.kind == "urlencode"
        assert {"timestamp", "recvWindow"} <= flow.payload.keys.keys
        assert flow.site is not None and flow.site.is_binance
        assert flow.sent_as in ("url", "params", "data")


def test_class_client_endpoints_resolved_through_helpers():
    analysis = _analysis(CLASS_STYLE)
    endpoints = {(e.method, e.path, e.is_signed_path, e.is_order_path) for e in analysis.requests.endpoint_calls()}
    assert endpoints == {
        ("GET", "/api/v3/account", True, False),
        ("GET", "/api/v3/order", True, False),
        ("POST", "/api/v3/order", True, True),
    }


def test_broken_variants_of_the_clients_fire():
    """The same clients with one bug each: the rules are not silent by accident."""
    broken = {
        "function": (FUNCTION_STYLE.replace("hashlib.sha256).hexdigest()", "hashlib.sha256).digest()", 1), "BL202"),
        "class-session": (CLASS_STYLE.replace('        params["timestamp"] = int(time.time() * 1000)\n', "", 1),
                          "BL301"),
        "async-httpx": (HTTPX_STYLE.replace("int(time.time() * 1000)", "int(time.time())"), "BL302"),
        "aiohttp": (AIOHTTP_STYLE.replace('"recvWindow": 5000', '"recvWindow": 70000'), "BL305"),
        "urllib": (URLLIB_STYLE.replace("urlencode({", 'json.dumps({'), "BL204"),
    }
    for style, (source, code) in broken.items():
        assert source != CLIENTS[style]
        compile(source, style, "exec")  # still valid Python: the finding is about the bug
        assert code in codes(source, "client.py", select=("BL2", "BL3")), style
