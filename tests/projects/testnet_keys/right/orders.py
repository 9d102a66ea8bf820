import hashlib
import hmac
import time
from urllib.parse import urlencode

import requests

BASE = "https://testnet.binancefuture.com"


def signed_post(path, params, key, secret):
    params = {**params, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    query = urlencode(params)
    signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.post(f"{BASE}{path}?{query}&signature={signature}", headers={"X-MBX-APIKEY": key}, timeout=10)
