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
        query = urlencode(params)
        params["signature"] = hmac.new(self.secret.encode(), query.encode(), hashlib.md5).hexdigest()
        params["timestamp"] = int(time.time() * 1000)
        return self.session.request(method, self.base_url + path, params=params, headers={self.key_header: self.key})
