import hashlib
import hmac
import time
from urllib.parse import urlencode

import requests


class BinanceAPI:
    BASE = "https://api.binance.com"

    def __init__(self, key, secret):
        self.key = key
        self.secret = secret

    def buy_limit(self, symbol, quantity, price):
        params = {"symbol": symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                  "quantity": quantity, "price": price}
        return self._post("/api/v3/order", params)  # expect: BL304 BL401

    def _post(self, path, params):
        params["timestamp"] = int(time.time() * 1000)
        query = urlencode(params)
        params["signature"] = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        return requests.post(self.BASE + path, params=params, headers={"X-MBX-APIKEY": self.key}, timeout=10)
