import hashlib
import hmac
import time
from urllib.parse import urlencode

import requests


class SignedClient:
    def __init__(self, key, secret):
        self.key = key
        self.secret = secret.encode()
        self.timestamp = int(time.time() * 1000)

    def _signed(self, method, path, params):
        query = urlencode({**params, "timestamp": self.timestamp, "recvWindow": 5000})  # expect: BL303
        signature = hmac.new(self.secret, query.encode(), hashlib.sha256).hexdigest()
        return requests.request(method, f"https://api.binance.com{path}?{query}&signature={signature}",
                                headers={"X-MBX-APIKEY": self.key}, timeout=10)
