import hashlib
import hmac
import time
from urllib.parse import urlencode

import requests


class Client:
    BASE = "https://api.binance.com"

    def __init__(self, key, secret):
        self.key = key
        self.secret = secret

    def _signed(self, method, path, params):
        params["timestamp"] = int(time.time() * 1000)
        params["recvWindow"] = 5000
        params["signature"] = hmac.new(self.secret.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
        return requests.request(method, self.BASE + path, params=params, headers={"X-MBX-APIKEY": self.key},
                                timeout=10)

    def market_buy(self, symbol, quantity):
        params = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": quantity}
        return self._signed("POST", "/api/v3/order", params)  # expect: BL401

    def order_market_sell(self, symbol, quantity):
        params = {"symbol": symbol, "side": "SELL", "type": "MARKET", "quantity": quantity}
        return self._signed("POST", "/api/v3/order", params)  # expect: BL401
