import hashlib
import hmac
import os
import time
from urllib.parse import urlencode

BASE = "https://api.binance.com"
SECRET = os.environ["BINANCE_API_SECRET"].encode()


def signed_get(session, path, params):
    params = {**params, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    query = urlencode(params)
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return session.get(f"{BASE}{path}?{query}&signature={signature}",  # expect: BL502
                       headers={"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]})
