"""The request model: which calls are HTTP requests to Binance, with URL, method, params, headers."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from binlint.analysis import Analysis, endpoints
from binlint.analysis.module import ModuleModel
from binlint.analysis.values import HOLE
from binlint.config import Config


def analyse(source: str) -> Analysis:
    source = textwrap.dedent(source).lstrip("\n")
    return Analysis(ModuleModel(cst.parse_module(source), "bot.py", source), Config())


def only_site(source: str):
    analysis = analyse(source)
    sites = analysis.requests.sites
    assert len(sites) == 1, sites
    return sites[0]


HEAD = "import os, time, hmac, hashlib, requests, httpx, aiohttp\nimport urllib.request\n"


@pytest.mark.parametrize(
    "code, library, method, host, path",
    [
        ('requests.get("https://api.binance.com/api/v3/account")', "requests", "GET", "api.binance.com",
         "/api/v3/account"),
        ('requests.post("https://fapi.binance.com/fapi/v1/order", data=body)', "requests", "POST",
         "fapi.binance.com", "/fapi/v1/order"),
        ('requests.request("DELETE", "https://api.binance.com/api/v3/order")', "requests", "DELETE",
         "api.binance.com", "/api/v3/order"),
        ('httpx.put("https://dapi.binance.com/dapi/v1/order")', "httpx", "PUT", "dapi.binance.com",
         "/dapi/v1/order"),
        ('aiohttp.request("GET", "https://api.binance.us/api/v3/time")', "aiohttp", "GET", "api.binance.us",
         "/api/v3/time"),
        ('urllib.request.urlopen("https://api.binance.com/api/v3/ping")', "urllib", "GET", "api.binance.com",
         "/api/v3/ping"),
        ('requests.Session().get("https://api.binance.com/api/v3/depth?symbol=X")', "requests", "GET",
         "api.binance.com", "/api/v3/depth"),
    ],
)
def test_module_functions_and_urls(code, library, method, host, path):
    site = only_site(HEAD + code + "\n")
    assert (site.library, site.method, site.host, site.path) == (library, method, host, path)
    assert site.is_binance


def test_url_resolution_constants_fstrings_format_percent_urljoin():
    analysis = analyse(
        """
        import requests
        from urllib.parse import urljoin
        BASE = "https://api.binance.com"
        PATH = "/api/v3/order"

        class Api:
            HOST = "https://fapi.binance.com"

            def __init__(self, base="https://testnet.binance.vision"):
                self.base = base

            def a(self):
                requests.get(f"{BASE}{PATH}?{q}")
                requests.get(BASE + "/api/v3/account")
                requests.get("%s/api/v3/myTrades" % BASE)
                requests.get("{}/api/v3/{}".format(BASE, "allOrders"))
                requests.get(urljoin(BASE, "/sapi/v1/capital/config/getall"))
                requests.get(Api.HOST + "/fapi/v2/account")
                requests.get(self.HOST + "/fapi/v1/ticker/price")
                requests.get(self.base + "/api/v3/openOrders")
        """
    )
    got = [(s.host, s.path, s.is_signed_path) for s in analysis.requests.sites]
    assert got == [
        ("api.binance.com", "/api/v3/order", True),
        ("api.binance.com", "/api/v3/account", True),
        ("api.binance.com", "/api/v3/myTrades", True),
        ("api.binance.com", "/api/v3/allOrders", True),
        ("api.binance.com", "/sapi/v1/capital/config/getall", True),
        ("fapi.binance.com", "/fapi/v2/account", True),
        ("fapi.binance.com", "/fapi/v1/ticker/price", False),
        ("testnet.binance.vision", "/api/v3/openOrders", True),
    ]
    first = analysis.requests.sites[0]
    assert first.query == HOLE
    assert first.is_signed_path and not first.is_order_path  # GET /api/v3/order reads an order


def test_sessions_resolved_through_imports_not_names():
    analysis = analyse(
        """
        import requests as rq
        import httpx
        from aiohttp import ClientSession

        session = rq.Session()
        session.headers.update({"X-MBX-APIKEY": os.environ["K"]})
        other = object()

        def a():
            session.post("https://api.binance.com/api/v3/order", params=p, timeout=5)
            other.post("https://api.binance.com/api/v3/order")

        async def b():
            async with httpx.AsyncClient(timeout=3) as client:
                await client.get("https://api.binance.com/api/v3/time")
            async with ClientSession() as s:
                async with s.post("https://api.binance.com/api/v3/order", data=body) as resp:
                    pass
        """
    )
    sites = analysis.requests.sites
    assert [(s.library, s.method) for s in sites] == [("requests", "POST"), ("httpx", "GET"), ("aiohttp", "POST")]
    assert sites[0].sends_api_key_header and sites[0].timeout is not None and sites[0].is_order_path
    assert sites[1].session_timeout and sites[1].timeout is None
    assert not sites[2].sends_api_key_header and sites[2].data is not None


def test_class_session_with_headers_set_in_init():
    analysis = analyse(
        """
        import requests
        class Bot:
            def __init__(self, key):
                self.session = requests.Session()
                self.session.headers["X-MBX-APIKEY"] = key

            def go(self):
                return self.session.get("https://api.binance.com/api/v3/account", params=p)

        class Other:
            def __init__(self):
                self.session = requests.Session()

            def go(self):
                return self.session.get("https://api.binance.com/api/v3/account", verify=False)
        """
    )
    first, second = analysis.requests.sites
    assert first.sends_api_key_header and first.session_expr is not None and first.params is not None
    assert not second.sends_api_key_header and second.verify is not None


def test_header_variables_updates_and_helpers():
    analysis = analyse(
        """
        import requests
        def headers(key):
            return {"X-MBX-APIKEY": key}

        def a(key):
            h = {"Accept": "json"}
            h["X-MBX-APIKEY"] = key
            requests.get("https://api.binance.com/api/v3/account", headers=h)
            requests.get("https://api.binance.com/api/v3/account", headers=headers(key))
            requests.get("https://api.binance.com/api/v3/account", headers={**BASE_HEADERS})
            requests.get("https://api.binance.com/api/v3/account", headers={"Accept": "json"})
        BASE_HEADERS = {"x-mbx-apikey": "k"}
        """
    )
    assert [s.sends_api_key_header for s in analysis.requests.sites] == [True, True, True, False]


def test_urllib_request_object():
    site = only_site(
        """
        from urllib.request import Request, urlopen
        def a(body, key):
            req = Request("https://api.binance.com/api/v3/order", data=body, method="POST")
            req.add_header("X-MBX-APIKEY", key)
            return urlopen(req, timeout=10)
        """
    )
    assert site.library == "urllib" and site.method == "POST" and site.is_order_path
    assert site.data is not None and site.request_call is not None and site.sends_api_key_header
    assert site.timeout is not None


def test_binance_prefix_needs_other_evidence():
    plain = analyse('import requests\nrequests.get(base + "/api/v3/order")\n')
    assert plain.requests.sites and not plain.requests.binance_sites
    marked = analyse('import requests\nimport binance\nrequests.get(base + "/api/v3/order")\n')
    assert marked.requests.binance_sites[0].path == "/api/v3/order"
    other_host = analyse('import requests, binance\nrequests.get("https://example.com/status")\n')
    assert not other_host.requests.binance_sites


def test_helper_calls_resolve_path_and_method_at_the_caller():
    analysis = analyse(
        """
        import requests
        class Client:
            BASE = "https://api.binance.com"
            def __init__(self):
                self.session = requests.Session()

            def _request(self, method, path, params):
                return self.session.request(method, self.BASE + path, params=params, timeout=10)

            def _signed(self, method, path, **params):
                return self._request(method, path, params)

            def order(self, symbol):
                return self._signed("POST", "/api/v3/order", symbol=symbol)

            def status(self, symbol):
                return self._signed("GET", "/api/v3/order", symbol=symbol)

            def ping(self):
                return self._request("GET", "/api/v3/ping", {})
        """
    )
    model = analysis.model
    helpers = {(model.line(h.call), h.method, h.path, h.is_signed_path, h.is_order_path)
               for h in analysis.requests.helper_calls if h.path and HOLE not in h.path}
    assert helpers == {
        (14, "POST", "/api/v3/order", True, True),
        (17, "GET", "/api/v3/order", True, False),
        (20, "GET", "/api/v3/ping", False, False),
    }
    endpoints_seen = {(model.line(e.call), e.path) for e in analysis.requests.endpoint_calls()}
    assert (14, "/api/v3/order") in endpoints_seen


def test_site_for_and_non_requests():
    analysis = analyse("import requests\nx = requests.get('https://api.binance.com/api/v3/time')\nprint(1)\n")
    site = analysis.requests.sites[0]
    assert analysis.requests.site_for(site.call) is site
    assert analysis.requests.site_for(analysis.model.calls()[-1]) is None


def test_sites_in_a_function_are_its_sites_in_order():
    analysis = analyse("""
        import requests
        URL = "https://api.binance.com/api/v3/time"
        requests.get(URL, timeout=5)

        def a():
            requests.get(URL, timeout=5)
            requests.post(URL, timeout=5)

        def b():
            return requests.get(URL, timeout=5)

        def c():
            return 1
    """)
    requests = analysis.requests
    functions = {f.name.value: f for f in analysis.model.functions()}
    for function in (None, *functions.values()):
        assert requests.sites_in(function) == [s for s in requests.sites if s.function is function]
    assert [len(requests.sites_in(functions[n])) for n in "abc"] == [2, 1, 0]
    assert len(requests.sites_in(None)) == 1


@pytest.mark.parametrize(
    "method, path, signed, order",
    [
        ("POST", "/api/v3/order", True, True),
        ("GET", "/api/v3/order", True, False),
        ("DELETE", "/api/v3/order", True, False),
        ("PUT", "/api/v3/order/amend/keepPriority", True, True),
        ("POST", "/api/v3/order/test", True, True),
        ("GET", "/api/v3/klines", False, False),
        ("GET", "/api/v3/somethingNew", False, False),
        ("GET", "/sapi/v1/somethingNew", True, False),
        ("GET", "/sapi/v1/system/status", False, False),
        ("POST", "/sapi/v1/userDataStream", False, False),
        ("POST", "/fapi/v1/listenKey", False, False),
        ("GET", "/fapi/v1/ticker/24hr", False, False),
        ("PUT", "/fapi/v1/order", True, True),
        ("POST", "/sapi/v1/capital/withdraw/apply", True, True),
        ("POST", "/papi/v1/um/order", True, True),
        (None, "/api/v3/order/test", True, True),
        (None, "/api/v3/order", True, False),
        ("GET", "/api/v3/account/", True, False),
    ],
)
def test_endpoint_table(method, path, signed, order):
    assert endpoints.is_signed(method, path) is signed
    assert endpoints.is_order(method, path) is order


def test_removed_and_withdrawal_paths():
    assert endpoints.is_removed("/wapi/v3/withdraw.html")
    assert endpoints.is_removed("/api/v1/order")
    assert endpoints.is_removed("/api/v3/userDataStream")
    assert endpoints.is_removed("/api/v3/order/oco")
    assert not endpoints.is_removed("/api/v3/orderList/oco")
    assert endpoints.is_withdrawal("/sapi/v1/capital/withdraw/apply?coin=BTC")
    assert not endpoints.is_withdrawal("/sapi/v1/capital/withdraw/history")
