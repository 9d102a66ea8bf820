import hashlib
import hmac
import time
from urllib.parse import urlencode

import requests

BASE = "https://api.binance.com"


def signed_request(path, data, key, secret):
    query = urlencode(data)
    signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    headers = {"X-MBX-APIKEY": key}
    return requests.post(BASE + path, params={**data, "signature": signature}, headers=headers, timeout=10)
