import hashlib
import hmac
import time
from urllib.parse import urlencode

import requests
from binance.client import Client

from config import *

client = Client(MAIN, API_SECRET)


def signed_request(path, data):
    data["timestamp"] = int(time.time() * 1000)
    data["recvWindow"] = 5000
    data["signature"] = hmac.new(API_SECRET.encode(), urlencode(data).encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + path, params=data, headers={"X-MBX-APIKEY": MAIN}, timeout=10)
