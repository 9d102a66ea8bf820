"""The same bot, written so that binlint has nothing to say.

Keys come from the environment; requests are signed over exactly the bytes sent,
with a millisecond timestamp and a small recvWindow; orders carry a client order id
fixed before the first attempt, are retried with exponential backoff, and every attempt
first asks Binance whether an earlier one already placed the order.
"""

import hashlib
import hmac
import os
import time
import uuid
from urllib.parse import urlencode

import requests
from binance.client import Client
from binance.exceptions import BinanceAPIException
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

API_KEY = os.environ["BINANCE_API_KEY"]
API_SECRET = os.environ["BINANCE_API_SECRET"]
BASE_URL = "https://api.binance.com"

client = Client(API_KEY, API_SECRET)
session = requests.Session()
session.headers.update({"X-MBX-APIKEY": API_KEY})


def signed_get(path, params):
    params = {**params, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    query = urlencode(params)
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    response = session.get(f"{BASE_URL}{path}?{query}&signature={signature}", timeout=10)
    response.raise_for_status()
    return response.json()


def account_balance():
    return signed_get("/api/v3/account", {})


@retry(
    retry=retry_if_exception_type(BinanceAPIException),
    wait=wait_exponential(multiplier=0.5, max=8),
    stop=stop_after_attempt(5),
)
def _submit(symbol, quantity, client_order_id):
    try:
        # An earlier attempt may have timed out after Binance placed the order.
        return client.get_order(symbol=symbol, origClientOrderId=client_order_id)
    except BinanceAPIException as error:
        if error.code != -2013:  # -2013: no such order, so place it
            raise
    return client.order_market_buy(symbol=symbol, quantity=quantity, newClientOrderId=client_order_id)


def buy(symbol, quantity):
    # One id for every attempt, looked up before each resend: a retry cannot buy twice.
    client_order_id = f"bot-{uuid.uuid4().hex[:20]}"
    return _submit(symbol, f"{quantity:.8f}", client_order_id)
