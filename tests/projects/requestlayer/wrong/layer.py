import logging
from multiprocessing.dummy import Pool

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
        self.pool = Pool(3)

    def sign(self, request):
        return request

    def add_request(self, method, path, params=None, on_failure=None):
        request = Request(method, path, params or {}, on_failure)
        self.pool.apply_async(self._process, [request])
        return request

    def make_full_url(self, path):
        return self.url_base + path

    def _process(self, request):
        request = self.sign(request)
        url = self.make_full_url(request.path)
        try:
            response = self.session.request(request.method, url, params=request.params, headers=request.headers,
                                            timeout=10)
            response.raise_for_status()
            return response.json()
        except requests.RequestException as error:
            if request.on_failure is not None:
                request.on_failure(error)
            return None
