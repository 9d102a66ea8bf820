import hashlib
import hmac
import os
import time
from urllib.parse import urlencode

import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def signed_post(path, params):
    for attempt in range(5):
        query = urlencode({**params, "timestamp": int(time.time() * 1000), "recvWindow": 5000})
        signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
        try:
            return requests.post(f"https://api.binance.com{path}?{query}&signature={signature}",
                                 headers=HEADERS, timeout=10)
        except requests.ConnectTimeout:  # the request never reached Binance
            time.sleep(2 ** attempt)
    raise RuntimeError("no answer")
