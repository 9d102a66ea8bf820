"""A small spot trading bot with the mistakes binlint exists to catch.

Every problem here is real-world: each one has cost someone money, a banned IP or a
leaked account. Run `binlint check examples/` to see them, then compare good_bot.py.
The credentials below are random fakes made for this example; they never worked.
"""

import hashlib
import hmac
import json
import time

import requests
from binance.client import Client

# BL101/BL102: keys in source control are keys in everyone's hands.
API_KEY = "W24JzY5pUrKWYr6Mar7zzUGjK9dJ4zTG3knZWOuEtCULu4Cs956s3JPU64uX4p4h"
API_SECRET = "gLkIOPmWd6AscdEap0zp6oUtgy07WOiSbVSSpbT5ybrqa60vxWc0h8zjC0ATzEDj"

# BL501: plain HTTP to the exchange.
BASE_URL = "http://api.binance.com"

client = Client(API_KEY, API_SECRET)


def account_balance():
    params = {"recvWindow": 90000}  # BL305: above the 60000 maximum
    query = "&".join(f"{k}={v}" for k, v in params.items())
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).digest()  # BL202
    params["timestamp"] = int(time.time())  # BL302 seconds, and BL203: added after signing
    params["signature"] = signature
    # BL502: no timeout; the bot hangs forever when the network does.
    response = requests.get(BASE_URL + "/api/v3/account", params=params,
                            headers={"X-MBX-APIKEY": API_KEY})
    return response.json()


def place_order(symbol, qty: float):
    body = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": str(qty),  # BL504
            "timestamp": int(time.time() * 1000)}
    body["signature"] = hmac.new(API_SECRET.encode(), json.dumps(body).encode(),
                                 hashlib.sha256).hexdigest()
    # BL401: an order with no retry and backoff; BL204: the signed request is sent as a JSON body.
    return requests.post(BASE_URL + "/api/v3/order", json=body, timeout=10,
                         headers={"X-MBX-APIKEY": API_KEY})


def buy_with_retries(symbol, qty):
    # BL402 + BL403: retries at once, forever, and each attempt mints a new order id,
    # so a timeout that actually filled buys twice.
    while True:
        try:
            return client.order_market_buy(symbol=symbol, quantity=qty)
        except Exception as error:
            print("order failed, retrying", error, API_SECRET)  # BL104: the secret in the logs
            time.sleep(1)
