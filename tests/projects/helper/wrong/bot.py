import os

from exchange import signed_request

KEY = os.environ["BINANCE_API_KEY"]
SECRET = os.environ["BINANCE_API_SECRET"]


def buy(quantity):
    data = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity}
    return signed_request("/api/v3/order", data, KEY, SECRET)  # expect: BL301 BL304 BL401
