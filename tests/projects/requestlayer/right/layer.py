import logging
import time

import requests

log = logging.getLogger(__name__)


class Request:
    def __init__(self, method, path, params, on_failure):
        self.method = method
        self.path = path
        self.params = params
        self.headers = {}
        self.on_failure = on_failure


class RestLayer:
    def __init__(self, url_base, sign=None):
        self.url_base = url_base
        if sign is not None:
            self.sign = sign
        self.session = requests.Session()

    def sign(self, request):
        return request

    def add_request(self, method, path, params=None, on_failure=None):
        request = Request(method, path, params or {}, on_failure)
        return self._process(request)

    def _process(self, request):
        for attempt in range(5):
            self.sign(request)
            try:
                response = self.session.request(request.method, self.url_base + request.path,
                                                params=request.params, headers=request.headers, timeout=10)
                response.raise_for_status()
                return response.json()
            except requests.exceptions.ConnectTimeout:
                time.sleep(min(2 ** attempt, 30))
            except requests.RequestException as error:
                if request.on_failure is not None:
                    request.on_failure(error)
                return None
        return None
