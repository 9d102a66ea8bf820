import time
import uuid

import requests

from exchange import *


def buy(quantity):
    data = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity,
            "newClientOrderId": f"bot-{uuid.uuid4().hex[:20]}"}
    for attempt in range(5):
        try:
            return signed_request("/api/v3/order", data)
        except requests.ConnectTimeout:
            time.sleep(2 ** attempt)
    return None


def sell(quantity):
    cid = f"bot-{uuid.uuid4().hex[:20]}"
    for attempt in range(5):
        try:
            return client.order_market_sell(symbol="BTCUSDT", quantity=quantity, newClientOrderId=cid)
        except requests.ConnectTimeout:
            time.sleep(2 ** attempt)
    return None


buy("0.01")
sell("0.01")
