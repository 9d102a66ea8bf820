import hashlib
import hmac
import os
import time
from urllib.parse import urlencode

import requests

from endpoints import BASE

KEY = os.environ["BINANCE_API_KEY"]
SECRET = os.environ["BINANCE_API_SECRET"].encode()


def signed(method, path, params):
    params = {**params, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    query = urlencode(params)
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.request(method, f"{BASE}{path}?{query}&signature={signature}",
                            headers={"X-MBX-APIKEY": KEY}, timeout=10)
