"""Request-helper summaries (binlint/analysis/helpers.py): what a helper takes from its
parameters and adds itself, and its calls read as requests, in its module and in another."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from binlint.analysis import Analysis
from binlint.analysis.helpers import HelperSummary, SendSummary, apply_summary, marker, summarize
from binlint.analysis.module import ModuleModel
from binlint.config import Config
from tests.helpers import findings


def analyse(source: str, path: str = "bot.py") -> Analysis:
    source = textwrap.dedent(source).lstrip("\n")
    return Analysis(ModuleModel(cst.parse_module(source), path, source), Config(root=Path.cwd()))


# The request object of the in-house layers below (a class that stores its constructor's arguments).
REQUEST_CLASS = """
class Request:
    def __init__(self, method, path, params):
        self.method = method
        self.path = path
        self.params = params
"""

US_HELPER = """
import hashlib, hmac, time
import urllib.parse
import requests

api_url = "https://api.binance.us"

def get_binanceus_signature(data, secret):
    postdata = urllib.parse.urlencode(data)
    byte_key = bytes(secret, "UTF-8")
    return hmac.new(byte_key, postdata.encode(), hashlib.sha256).hexdigest()

def binanceus_request(uri_path, data, api_key, api_sec):
    headers = {}
    headers["X-MBX-APIKEY"] = api_key
    signature = get_binanceus_signature(data, api_sec)
    params = {**data, "signature": signature}
    return requests.post((api_url + uri_path), headers=headers, data=params)
"""


def test_signed_helper_summary_names_its_parameters():
    summary = summarize(analyse(US_HELPER))["binanceus_request"]
    assert summary.positional == ("uri_path", "data", "api_key", "api_sec")
    assert summary.is_method is False and summary.via is None
    (send,) = summary.sends
    assert send.url == "https://api.binance.us" + marker("uri_path")
    assert send.url_params == ("uri_path",)
    assert (send.method, send.method_param) == ("POST", None)
    assert (send.payload_param, send.payload_kwargs) == ("data", False)
    assert (send.api_key_param, send.secret_param) == ("api_key", "api_sec")
    assert send.adds == ("signature",) and send.adds_complete and send.signs
    assert send.sends_api_key_header and send.binance
    assert not send.timeout and not send.retried


def test_summaries_are_plain_values():
    summaries = summarize(analyse(US_HELPER))
    text = json.dumps({name: dataclasses.asdict(s) for name, s in summaries.items()})
    loaded = json.loads(text)["binanceus_request"]

    def send(data: dict) -> SendSummary:
        return SendSummary(**{**data, "adds": tuple(data["adds"]), "retry": tuple(data["retry"]),
                              "signature": tuple(data["signature"]),
                              "changed_after_signing": tuple(tuple(c) for c in data["changed_after_signing"])})

    rebuilt = HelperSummary(**{**loaded, "positional": tuple(loaded["positional"]),
                               "keyword_only": tuple(loaded["keyword_only"]),
                               "sends": tuple(send(s) for s in loaded["sends"])})
    assert rebuilt == summaries["binanceus_request"]


def test_a_summary_applies_to_a_call_in_another_module():
    summary = summarize(analyse(US_HELPER, "exchange.py"))["binanceus_request"]
    caller = analyse("""
        import time
        from exchange import binanceus_request

        def loop(key, sec):
            binanceus_request("/api/v3/order", {"symbol": "BTCUSD", "side": "BUY", "type": "MARKET",
                                                "quantity": 1, "timestamp": int(time.time() * 1000)}, key, sec)
        """, "trade.py")
    call = next(c for c in caller.model.calls() if caller.model.call_name(c) == "exchange.binanceus_request")
    (request,) = apply_summary(caller, call, summary)
    assert (request.method, request.host, request.path) == ("POST", "api.binance.us", "/api/v3/order")
    assert request.is_binance and request.is_signed_path and request.is_order_path
    assert request.keys.complete
    assert request.keys.keys == {"symbol", "side", "type", "quantity", "timestamp", "signature"}
    assert request.keys.lacks("recvWindow")


def test_method_helper_with_keyword_parameters():
    analysis = analyse("""
        import hashlib, hmac, os, time
        from urllib.parse import urlencode
        import requests

        class Api:
            def __init__(self, key, secret):
                self.key, self.secret = key, secret

            def _signed(self, method, path, **params):
                params["timestamp"] = int(time.time() * 1000)
                query = urlencode(params)
                signature = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
                return requests.request(method, f"https://api.binance.com{path}?{query}&signature={signature}",
                                        headers={"X-MBX-APIKEY": self.key}, timeout=10)

            def buy(self, symbol):
                return self._signed("POST", "/api/v3/order", symbol=symbol, side="BUY", type="MARKET", quantity=1)
        """)
    summary = analysis.helpers.summaries["Api._signed"]
    assert summary.is_method and summary.positional == ("method", "path") and summary.var_keyword == "params"
    (send,) = summary.sends
    assert (send.method, send.method_param) == (None, "method")
    assert (send.payload_param, send.payload_kwargs) == ("params", True)
    assert send.adds == ("signature", "timestamp") and send.timeout
    (request,) = analysis.helpers.requests
    assert (request.method, request.path, analysis.model.line(request.call)) == ("POST", "/api/v3/order", 17)
    assert request.keys.keys == {"symbol", "side", "type", "quantity", "timestamp", "signature"}


def test_second_level_helper_is_composed():
    analysis = analyse("""
        import hashlib, hmac, os, time
        from urllib.parse import urlencode
        import requests

        def signed_request(path, data, key, secret):
            data["timestamp"] = int(time.time() * 1000)
            data["signature"] = hmac.new(secret.encode(), urlencode(data).encode(), hashlib.sha256).hexdigest()
            return requests.post("https://api.binance.com" + path, headers={"X-MBX-APIKEY": key}, data=data,
                                 timeout=10)

        def place(path, data):
            return signed_request(path, data, os.environ["K"], os.environ["S"])

        def run():
            place("/api/v3/order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": 1})
        """)
    place = analysis.helpers.summaries["place"]
    assert place.via == "signed_request"
    (send,) = place.sends
    assert send.url == "https://api.binance.com" + marker("path") and send.payload_param == "data"
    assert send.adds == ("signature", "timestamp") and send.api_key_param is None
    # The call inside `place` passes `place`'s own parameters on: only the outer call is a request.
    assert [(analysis.model.line(r.call), r.helper.name, r.path) for r in analysis.helpers.requests] == [
        (15, "place", "/api/v3/order")]


def test_helper_retry_is_part_of_the_summary():
    analysis = analyse("""
        import time
        import requests

        def signed_post(path, params):
            for attempt in range(5):
                try:
                    return requests.post("https://api.binance.com" + path, params=params, timeout=10,
                                         headers={"X-MBX-APIKEY": "k"})
                except requests.ConnectionError:
                    time.sleep(2 ** attempt)
        """)
    (send,) = analysis.helpers.summaries["signed_post"].sends
    assert send.retried and send.backs_off


def test_function_with_nothing_from_its_parameters_is_no_helper():
    analysis = analyse("""
        import requests

        def ping():
            return requests.get("https://example.com/health", timeout=5)
        """)
    assert analysis.helpers.summaries == {}


def test_call_sites_are_judged_once_each():
    source = textwrap.dedent(US_HELPER).lstrip("\n") + textwrap.dedent("""
        def trade(key, sec):
            while True:
                buy = {"symbol": "BTCUSD", "side": "BUY", "type": "MARKET", "quantity": 1,
                       "timestamp": int(time.time())}
                binanceus_request("/api/v3/order", buy, key, sec)
                sell = {"symbol": "BTCUSD", "side": "SELL", "type": "MARKET", "quantity": 1}
                binanceus_request("/api/v3/order", sell, key, sec)
                time.sleep(60)
        """)
    found = sorted((f.line, f.code) for f in findings(source) if f.code != "BL502")
    assert found == [(22, "BL302"), (23, "BL304"), (23, "BL401"), (25, "BL301"), (25, "BL304"), (25, "BL401")]
    messages = [f.message for f in findings(source) if f.code in ("BL301", "BL304", "BL401")]
    assert all("`binanceus_request(...)`" in m and "/api/v3/order" in m for m in messages)


def test_imported_summaries_make_requests_of_calls_here():
    summary = summarize(analyse(US_HELPER, "exchange.py"))["binanceus_request"]
    caller = analyse("""
        import time
        from exchange import binanceus_request

        def loop(key, sec):
            binanceus_request("/api/v3/order", {"symbol": "BTCUSD", "side": "BUY", "type": "MARKET",
                                                "quantity": 1, "timestamp": int(time.time() * 1000)}, key, sec)
        """, "trade.py")
    caller.helpers.use({"exchange.binanceus_request": summary})
    (request,) = caller.helpers.requests
    assert (caller.model.line(request.call), request.path, request.is_order_path) == (5, "/api/v3/order", True)
    from binlint.rules.bl304_missing_recv_window import MissingRecvWindow

    (report,) = MissingRecvWindow().check(caller)
    assert "`binanceus_request(...)`" in report.message and "/api/v3/order" in report.message


def test_a_request_object_layer_is_summarised_through_its_fields():
    summaries = summarize(analyse(REQUEST_CLASS + textwrap.dedent("""
        import requests

        class Layer:
            def __init__(self, base, sign):
                self.base = base
                self.sign = sign

            def add_request(self, method, path, params=None):
                return self._process(Request(method, path, params or {}))

            def _process(self, request):
                self.sign(request)
                return requests.request(request.method, self.base + request.path, params=request.params, timeout=10)
        """), "layer.py"))
    inner = summaries["Layer._process"].sends[0]
    assert (inner.method_param, inner.payload_param, inner.url_params) == ("request.method", "request.params",
                                                                           ("request.path",))
    assert not inner.adds_complete  # `self.sign(request)` may add anything before it is sent
    outer = summaries["Layer.add_request"].sends[0]
    assert (outer.method_param, outer.payload_param, outer.url_params) == ("method", "params", ("path",))
    assert not outer.adds_complete


def test_a_request_object_given_back_by_a_sign_callback_keeps_its_fields():
    summaries = summarize(analyse(REQUEST_CLASS + textwrap.dedent("""
        import requests

        class Layer:
            def __init__(self, base, sign):
                self.base = base
                self.sign = sign

            def add_request(self, method, path, params=None):
                request = Request(method, path, params or {})
                request = self.sign(request)
                return self._process(request)

            def _process(self, request):
                return requests.request(request.method, self.base + request.path, params=request.params, timeout=10)
        """), "layer.py"))
    assert summaries["Layer._process"].sends[0].adds_complete  # nothing runs between it and the request
    outer = summaries["Layer.add_request"].sends[0]
    assert (outer.method_param, outer.payload_param, outer.url_params) == ("method", "params", ("path",))
    assert not outer.adds_complete  # the callback may sign it


@pytest.mark.parametrize("hand_over", [
    "self.pool.apply_async(self._process, [request])",
    "self.executor.submit(self._process, request)",
    "threading.Thread(target=self._process, args=(request,)).start()",
    "self._process(request)",
])
def test_a_request_handed_to_an_executor_is_the_request_of_the_wrapper(hand_over: str):
    summaries = summarize(analyse(REQUEST_CLASS + textwrap.dedent(f"""
        import threading

        import requests

        class Layer:
            def add_request(self, method, path, params=None):
                request = Request(method, path, params)
                {hand_over}
                return request

            def _process(self, request):
                return requests.request(request.method, "https://x" + request.path, params=request.params, timeout=10)
        """), "layer.py"))
    outer = summaries["Layer.add_request"].sends[0]
    assert (outer.method_param, outer.payload_param, outer.url_params) == ("method", "params", ("path",))


def test_a_request_put_on_a_queue_is_the_request_of_the_wrapper():
    summaries = summarize(analyse(REQUEST_CLASS + textwrap.dedent("""
        from queue import Queue

        import requests

        class Layer:
            def __init__(self):
                self.queue = Queue()
                self.session = requests.Session()

            def add_request(self, method, path, params=None):
                request = Request(method, path, params)
                self.queue.put(request)
                return request

            def run(self):
                while True:
                    request = self.queue.get(timeout=1)
                    self._process(request)

            def _process(self, request):
                return self.session.request(request.method, "https://x" + request.path, params=request.params,
                                            timeout=10)
        """), "layer.py"))
    outer = summaries["Layer.add_request"].sends[0]
    assert (outer.method_param, outer.payload_param, outer.url_params) == ("method", "params", ("path",))


def test_a_helper_that_sends_with_an_auth_handler_may_be_signed_by_it():
    summaries = summarize(analyse("""
        import requests

        class RestClient:
            def __init__(self, base_url, auth):
                self.base_url = base_url
                self.auth = auth

            def request(self, method, path, params):
                return requests.request(method, self.base_url + path, params=params, auth=self.auth, timeout=10)
        """, "rest.py"))
    send = summaries["RestClient.request"].sends[0]
    assert send.payload_param == "params" and not send.adds_complete
