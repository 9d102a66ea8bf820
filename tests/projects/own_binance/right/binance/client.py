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
        for attempt in range(5):
            params["timestamp"] = int(time.time() * 1000)
            params["recvWindow"] = 5000
            query = urlencode({k: v for k, v in params.items() if k != "signature"})
            params["signature"] = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
            try:
                return requests.request(method, self.BASE + path, params=params,
                                        headers={"X-MBX-APIKEY": self.key}, timeout=10)
            except requests.ConnectTimeout:
                time.sleep(min(2 ** attempt, 30))
        raise RuntimeError("Binance could not be reached")

    def market_buy(self, symbol, quantity, cid):
        params = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": quantity, "newClientOrderId": cid}
        return self._signed("POST", "/api/v3/order", params)

    def order_market_sell(self, symbol, quantity, cid):
        params = {"symbol": symbol, "side": "SELL", "type": "MARKET", "quantity": quantity, "newClientOrderId": cid}
        return self._signed("POST", "/api/v3/order", params)
