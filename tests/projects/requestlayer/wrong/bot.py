import hashlib
import hmac
import logging
import os
import time
from urllib.parse import urlencode

from layer import RestLayer

KEY = os.environ["BINANCE_API_KEY"]
SECRET = os.environ["BINANCE_API_SECRET"]


def sign(request):
    request.params["recvWindow"] = 5000
    query = urlencode(request.params)
    request.params["signature"] = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    request.params["timestamp"] = int(time.time() * 1000)  # expect: BL203
    request.headers["X-MBX-APIKEY"] = KEY
    return request


def log_only(error):
    logging.warning("request failed: %s", error)


layer = RestLayer("https://api.binance.com", sign)


def buy(quantity):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity}
    return layer.add_request(method="POST", path="/api/v3/order", params=params, on_failure=log_only)  # expect: BL401


def balances():
    return layer.add_request(method="GET", path="/api/v3/account", on_failure=log_only)
