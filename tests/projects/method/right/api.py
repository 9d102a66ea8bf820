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

    def buy_limit(self, symbol, quantity, price, client_order_id):
        params = {"symbol": symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                  "quantity": quantity, "price": price, "newClientOrderId": client_order_id,
                  "recvWindow": 5000}
        return self._post("/api/v3/order", params)

    def _post(self, path, params):
        for attempt in range(5):
            params["timestamp"] = int(time.time() * 1000)
            query = urlencode({k: v for k, v in params.items() if k != "signature"})
            params["signature"] = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
            try:
                return requests.post(self.BASE + path, params=params, headers={"X-MBX-APIKEY": self.key},
                                     timeout=(3.05, 10))
            except requests.exceptions.ConnectTimeout:
                time.sleep(min(2 ** attempt, 30))
        raise RuntimeError("Binance could not be reached")
