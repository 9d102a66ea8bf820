import hashlib
import hmac
import time
from urllib.parse import urlencode

import requests


class BaseBot:
    BASE = "https://api.binance.com"

    def __init__(self, key, secret):
        self.key = key
        self.secret = secret

    def _signed(self, method, path, params):
        params["timestamp"] = int(time.time() * 1000)
        params["recvWindow"] = 5000
        query = urlencode(params)
        params["signature"] = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        return requests.request(method, self.BASE + path, params=params, headers={"X-MBX-APIKEY": self.key},
                                timeout=10)

    def retry(self, fn, *args):
        for attempt in range(5):
            try:
                return fn(*args)
            except requests.ConnectTimeout:
                time.sleep(2 ** attempt)
        return None
