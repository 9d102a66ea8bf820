"""BL201-BL206: fixes applied by the real fix machinery, messages, redaction, SDK exemption, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from binlint.config import Config
from binlint.pipeline.discover import FileKind
from binlint.pipeline.engine import RunSettings
from binlint.pipeline.fix import fix_bytes
from binlint.rules import all_rules
from binlint.testing import fake_key, fill
from tests.helpers import codes, findings, run_cli

MINE = ("BL20", "BL30")
FIXED = [
    (rule, index, case)
    for rule in all_rules() if rule.code.startswith(MINE)
    for index, case in enumerate(rule.INVALID) if case.fixed is not None
]


@pytest.mark.parametrize("rule, index, case", FIXED, ids=[f"{r.code}-{i}" for r, i, _ in FIXED])
def test_fix_gives_the_documented_source(rule, index, case):
    source = fill(case.source, index)
    settings = RunSettings(Config(root=Path.cwd()), (rule.code,))
    outcome = fix_bytes(source.encode(), "bot.py", FileKind.PYTHON, settings, unsafe=True)
    assert not outcome.warnings, outcome.warnings
    assert outcome.data.decode() == fill(case.fixed_source, index)
    assert not [f for f in outcome.result.findings if f.code == rule.code], "the fix must clear the finding"


def test_rules_with_fixed_examples_are_the_fixable_ones():
    fixable = {rule.code for rule, _, _ in FIXED}
    assert fixable == {"BL202", "BL302", "BL304", "BL305"}


HEAD = """\
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}
"""


def test_bl202_safe_fix_only_where_exact():
    source = HEAD + """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET, query.encode(), hashlib.sha1).digest()
    missing = hmac.new(SECRET, query.encode()).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}&x={missing}",
                        headers=HEADERS, timeout=10)
"""
    found = sorted((f.line, f.fix.applicability.value) for f in findings(source, select=("BL202",)))
    assert found == [(10, "safe"), (10, "safe"), (11, "advice")]  # sha1 and .digest(); no digestmod
    fixed = fix_bytes(source.encode(), "bot.py", FileKind.PYTHON, RunSettings(Config(root=Path.cwd()), ("BL202",)))
    text = fixed.data.decode()
    assert "hashlib.sha256).hexdigest()" in text and "hashlib.sha1" not in text
    assert "hmac.new(SECRET, query.encode()).hexdigest()" in text  # advice only: left alone


def test_bl203_message_names_the_variables_and_lines():
    source = HEAD + """
def order(symbol):
    order_params = {"symbol": symbol, "recvWindow": 5000}
    sig = hmac.new(SECRET, urlencode(order_params).encode(), hashlib.sha256).hexdigest()
    order_params["timestamp"] = int(time.time() * 1000)
    order_params["signature"] = sig
    return requests.post("https://api.binance.com/api/v3/order", params=order_params, headers=HEADERS,
                         timeout=10)
"""
    (finding,) = findings(source, select=("BL203",))
    assert finding.line == 11
    assert "`timestamp`" in finding.message and "`order_params`" in finding.message
    assert "line 11" in finding.message and "line 10" in finding.message
    assert "order_params" in finding.fix.text


def test_sdk_calls_are_exempt_from_hand_signing_rules():
    source = """\
import os
import ccxt
from binance.client import Client
from binance.spot import Spot

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01")
client.get_account()
spot = Spot(api_key=os.environ["BINANCE_API_KEY"], api_secret=os.environ["BINANCE_API_SECRET"])
spot.account()
exchange = ccxt.binance({"apiKey": os.environ["BINANCE_API_KEY"], "secret": os.environ["BINANCE_API_SECRET"]})
exchange.fetch_balance()
exchange.private_get_account()
"""
    assert codes(source, select=("BL2", "BL3")) == []


def test_sdk_arguments_still_checked_for_timestamp_and_recv_window():
    source = """\
import time
import ccxt
from binance.um_futures import UMFutures

futures = UMFutures()
futures.account(recvWindow=70000, timestamp=int(time.time()))
exchange = ccxt.binance({"options": {"recvWindow": 20000}})
"""
    got = sorted((f.code, f.line, f.severity.label) for f in findings(source, select=("BL2", "BL3")))
    assert got == [("BL302", 6, "error"), ("BL305", 6, "error"), ("BL305", 7, "warning")]


def test_secret_in_hmac_key_is_never_printed():
    secret = fake_key("bl2-redaction")
    source = f"""\
import hashlib, hmac, time
from urllib.parse import urlencode
import requests

def account():
    query = urlencode({{"timestamp": int(time.time() * 1000), "recvWindow": 5000}})
    signature = hmac.new("{secret}", query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{{query}}&signature={{signature}}", timeout=10)
"""
    found = [f for f in findings(source, select=("BL2",))]
    assert any(f.code == "BL202" for f in found)
    for finding in found:
        for text in (finding.message, finding.fix.text):
            assert secret not in text and secret[:8] not in text and secret[-8:] not in text


def test_bl201_cli_json(tmp_path):
    bot = tmp_path / "bot.py"
    bot.write_text(HEAD + """
def account():
    return requests.get("https://api.binance.com/api/v3/account",
                        params={"timestamp": int(time.time() * 1000), "recvWindow": 5000},
                        headers=HEADERS, timeout=10)
""")
    done = run_cli("check", "--format", "json", "--select", "BL2,BL3", str(bot), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [(f["code"], f["line"], f["name"]) for f in report["findings"]] == [("BL201", 9, "unsigned-request")]
    assert "GET /api/v3/account" in report["findings"][0]["message"]
    assert report["findings"][0]["fix"]["applicability"] == "advice"


def test_bl206_api_key_by_header_value_not_by_name():
    source = HEAD + """
def account(k, s):
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(k.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}",
                        headers={"X-MBX-APIKEY": k}, timeout=10)
"""
    assert codes(source, select=("BL206",)) == ["BL206"]
    assert codes(source.replace("hmac.new(k.encode()", "hmac.new(s.encode()"), select=("BL206",)) == []


def test_websocket_api_signing_is_another_protocol():
    # The WebSocket API signs sorted parameters without percent-encoding (binance-facts.md §1.3).
    source = """\
import hashlib, hmac, json, os, time

async def place(ws, symbol):
    params = {"apiKey": os.environ["BINANCE_API_KEY"], "symbol": symbol, "side": "BUY", "type": "MARKET",
              "quantity": "0.01", "timestamp": int(time.time() * 1000)}
    payload = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    params["signature"] = hmac.new(os.environ["BINANCE_API_SECRET"].encode(), payload.encode(),
                                   hashlib.sha256).hexdigest()
    await ws.send(json.dumps({"id": "1", "method": "order.place", "params": params}))
"""
    assert codes(source, select=("BL2", "BL3")) == []
    rest = source.replace('    await ws.send(json.dumps({"id": "1", "method": "order.place", "params": params}))',
                          '    import requests\n'
                          '    return requests.post("https://api.binance.com/api/v3/order", params=params, timeout=10)')
    assert "BL205" in codes(rest, select=("BL2", "BL3"))


def test_other_exchanges_in_the_same_module_are_left_alone():
    source = """\
import hashlib, hmac, json, os, time
from urllib.parse import urlencode
import requests

def bybit_wallet():
    ts = str(int(time.time() * 1000))
    body = json.dumps({"accountType": "UNIFIED"})
    signature = hmac.new(os.environ["BYBIT_SECRET"].encode(), (ts + os.environ["BYBIT_KEY"] + "5000" + body).encode(),
                         hashlib.sha256).hexdigest()
    return requests.post("https://api.bybit.com/v5/account/wallet-balance", data=body, timeout=10,
                         headers={"X-BAPI-SIGN": signature, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": "5000"})

def binance_account():
    params = {"timestamp": int(time.time()), "recvWindow": 5000}
    params["signature"] = hmac.new(os.environ["BINANCE_API_SECRET"].encode(), urlencode(params).encode(),
                                   hashlib.sha256).hexdigest()
    return requests.get("https://api.binance.com/api/v3/account", params=params, timeout=10,
                        headers={"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]})
"""
    assert sorted(codes(source, select=("BL2", "BL3"))) == ["BL302"]


def test_join_of_safe_values_needs_no_encoding():
    source = HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    query = "&".join([f"{k}={v}" for k, v in params.items()])
    sig = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={sig}", headers=HEADERS,
                        timeout=10)
"""
    assert codes(source, select=("BL2", "BL3")) == []
    assert codes(source.replace('"recvWindow": 5000}', '"recvWindow": 5000, "symbol": symbol}').replace(
        "def account():", "def account(symbol):"), select=("BL2", "BL3")) == ["BL205"]


@pytest.mark.parametrize(
    "change, code",
    [
        ('params.setdefault("recvWindow", 5000)', "BL203"),
        ('params.update({"newOrderRespType": "FULL"})', "BL203"),
        ('params["quantity"] = "0.02"', "BL203"),
        ('params.pop("price")', "BL204"),
        ('del params["price"]', "BL204"),
    ],
)
def test_changes_after_signing(change, code):
    source = HEAD + f"""
def order(price):
    params = {{"symbol": "BTCUSDT", "quantity": "0.01", "price": price, "timestamp": int(time.time() * 1000),
              "recvWindow": 5000}}
    signature = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    {change}
    params["signature"] = signature
    return requests.post("https://api.binance.com/api/v3/order", params=params, headers=HEADERS, timeout=10)
"""
    found = [(f.code, f.line) for f in findings(source, select=("BL2", "BL3"))]
    assert found == [(code, 12)]
