"""BL301-BL305 beyond their examples: config threshold, fix through the CLI, clock expressions."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from binlint.analysis.module import ModuleModel
from binlint.analysis.signing import time_value
from binlint.config import Config
from tests.helpers import findings, run_cli

HEAD = """\
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}
"""


@pytest.mark.parametrize(
    "expression, unit",
    [
        ("time.time()", "s-float"),
        ("int(time.time())", "s"),
        ("round(time.time())", "s"),
        ("math.floor(time.time())", "s"),
        ("time.time() * 1000", "ms-float"),
        ("int(time.time() * 1000)", "ms"),
        ("int(1000 * time.time())", "ms"),
        ("round(time.time() * 1e3)", "ms"),
        ("int(time.time()) * 1000", "ms"),
        ("time.time_ns()", "ns"),
        ("time.time_ns() // 1_000_000", "ms"),
        ("time.time_ns() // 10 ** 6", "ms"),
        ("int(time.time_ns() / 1e6)", "ms"),
        ("datetime.datetime.now().timestamp()", "s-float"),
        ("int(datetime.datetime.utcnow().timestamp() * 1000)", "ms"),
        ("int(time.time() * 1000) + OFFSET", "ms"),
        ("str(int(time.time()))", "s"),
    ],
)
def test_clock_units(expression, unit):
    source = f"import time, math, datetime\nOFFSET = 0\nvalue = {expression}\n"
    model = ModuleModel(cst.parse_module(source), "x.py", source)
    assign = model.module.body[-1].body[0]
    found = time_value(model, assign.value)
    assert found is not None and found.unit == unit


def test_non_clock_values_are_not_timestamps():
    source = "import time\nvalue = int(counter)\nother = time.monotonic()\n"
    model = ModuleModel(cst.parse_module(source), "x.py", source)
    for statement in model.module.body[1:]:
        assert time_value(model, statement.body[0].value) is None


def test_recv_window_warning_threshold_from_config():
    source = HEAD + """
def depth(window):
    return requests.get("https://api.binance.com/api/v3/depth", params={"symbol": "X", "recvWindow": 15000},
                        timeout=10)
"""
    assert [f.severity.label for f in findings(source, select=("BL305",))] == ["warning"]
    relaxed = Config(root=Path.cwd(), recv_window_warn=20000)
    assert findings(source, select=("BL305",), config=relaxed) == []


def test_recv_window_exactly_ten_thousand_is_fine():
    source = 'import ccxt\nexchange = ccxt.binance({"options": {"recvWindow": 10 * 1000}})\n'
    assert findings(source, select=("BL305",)) == []
    assert [f.line for f in findings(source.replace("10 * 1000", "10 * 1001"), select=("BL305",))] == [2]


def test_bl302_fix_through_the_cli(tmp_path):
    bot = tmp_path / "bot.py"
    bot.write_text(HEAD + """
def account():
    params = {"timestamp": int(time.time()), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get("https://api.binance.com/api/v3/account", params=params, headers=HEADERS, timeout=10)
""")
    done = run_cli("check", "--fix", "--select", "BL3", str(bot), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"timestamp": int(time.time() * 1000)' in bot.read_text()


def test_bl304_is_info_and_does_not_fail_the_default_run(tmp_path):
    bot = tmp_path / "bot.py"
    bot.write_text(HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000)}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get("https://api.binance.com/api/v3/account", params=params, headers=HEADERS, timeout=10)
""")
    done = run_cli("check", "--select", "BL3", "--format", "concise", str(bot), cwd=tmp_path)
    assert done.returncode == 0 and "BL304" in done.stdout
    strict = run_cli("check", "--select", "BL3", "--severity", "info", str(bot), cwd=tmp_path)
    assert strict.returncode == 1


def test_bl303_same_variable_for_two_requests():
    source = HEAD + """
def both():
    ts = int(time.time() * 1000)
    first = {"timestamp": ts, "recvWindow": 5000}
    first["signature"] = hmac.new(SECRET, urlencode(first).encode(), hashlib.sha256).hexdigest()
    requests.get("https://api.binance.com/api/v3/account", params=first, headers=HEADERS, timeout=10)
    second = {"timestamp": ts, "recvWindow": 5000}
    second["signature"] = hmac.new(SECRET, urlencode(second).encode(), hashlib.sha256).hexdigest()
    requests.get("https://api.binance.com/api/v3/openOrders", params=second, headers=HEADERS, timeout=10)
"""
    (finding,) = findings(source, select=("BL303",))
    assert finding.line == 13 and "`ts`" in finding.message and "line 9" in finding.message


def test_bl301_helper_without_timestamp_is_reported_at_each_call():
    source = HEAD + """
class Client:
    def __init__(self):
        self.session = requests.Session()

    def _signed(self, method, path, **params):
        params["recvWindow"] = 5000
        params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
        return self.session.request(method, "https://api.binance.com" + path, params=params, headers=HEADERS,
                                    timeout=10)

    def account(self):
        return self._signed("GET", "/api/v3/account")

    def trades(self, symbol):
        return self._signed("GET", "/api/v3/myTrades", symbol=symbol)
"""
    got = [(f.line, "GET /api/v3/" in f.message) for f in findings(source, select=("BL301",))]
    assert got == [(19, True), (22, True)]


def test_recv_window_keyword_spellings():
    source = """\
from binance_sdk_spot.spot import Spot
from binance_common.configuration import ConfigurationRestAPI
from pybit.unified_trading import HTTP

client = Spot(config_rest_api=ConfigurationRestAPI(api_key="", api_secret=""))
client.rest_api.get_account(recv_window=70000)
bybit = HTTP(recv_window=70000)
"""
    assert [(f.line, f.severity.label) for f in findings(source, select=("BL305",))] == [(6, "error")]
