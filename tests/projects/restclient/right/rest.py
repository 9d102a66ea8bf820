import hashlib
import hmac
import time
from urllib.parse import urlencode

import requests


class RestClient:
    def __init__(self, base_url, key, secret, key_header):
        self.base_url = base_url
        self.key = key
        self.secret = secret
        self.key_header = key_header
        self.session = requests.Session()

    def request(self, method, path, params):
        for attempt in range(5):
            params["timestamp"] = int(time.time() * 1000)
            query = urlencode({k: v for k, v in params.items() if k != "signature"})
            params["signature"] = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
            try:
                return self.session.request(method, self.base_url + path, params=params,
                                            headers={self.key_header: self.key}, timeout=(3.05, 10))
            except requests.exceptions.ConnectTimeout:
                time.sleep(min(2 ** attempt, 30))
        raise RuntimeError("the exchange could not be reached")
