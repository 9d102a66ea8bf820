import os
import time

from exchange import signed_request

KEY = os.environ["BINANCE_API_KEY"]
SECRET = os.environ["BINANCE_API_SECRET"]


def open_orders():
    data = {"symbol": "BTCUSDT", "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    return signed_request("/api/v3/openOrders", data, KEY, SECRET)
