"""binance-facts.md §4, items 1-12: every wrong shape fires the right code, its corrected shape stays silent.

Each case is a small but complete hand-signed client; the assertions run every BL2/BL3 rule
on it, so a right shape must be silent for all of them, not only for the rule in question.
"""

from __future__ import annotations

import pytest

from tests.helpers import codes

HEAD = """\
import base64, hashlib, hmac, json, os, time
from urllib.parse import quote, urlencode
import requests

API_KEY = os.environ["BINANCE_API_KEY"]
SECRET = os.environ["BINANCE_API_SECRET"]
HEADERS = {"X-MBX-APIKEY": API_KEY}
FORM = {"X-MBX-APIKEY": API_KEY, "Content-Type": "application/x-www-form-urlencoded"}
BASE = "https://api.binance.com"
"""

ORDER = '{"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": "0.01", "recvWindow": 5000}'

# item -> (wrong source, expected codes, right source)
CASES: dict[str, tuple[str, set[str], str]] = {
    "1-json-body": (
        f"""
def order(symbol):
    params = {ORDER}
    params["timestamp"] = int(time.time() * 1000)
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + "/api/v3/order", json=params, headers=HEADERS, timeout=10)
""",
        {"BL204"},
        f"""
def order(symbol):
    params = {ORDER}
    params["timestamp"] = int(time.time() * 1000)
    body = urlencode(params)
    body += "&signature=" + hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + "/api/v3/order", data=body, headers=FORM, timeout=10)
""",
    ),
    "2-json-dumps-payload": (
        f"""
def order(symbol):
    params = {ORDER}
    params["timestamp"] = int(time.time() * 1000)
    params["signature"] = hmac.new(SECRET.encode(), json.dumps(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + "/api/v3/order", params=params, headers=HEADERS, timeout=10)
""",
        {"BL204"},
        f"""
def order(symbol):
    params = {ORDER}
    params["timestamp"] = int(time.time() * 1000)
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + "/api/v3/order", params=params, headers=HEADERS, timeout=10)
""",
    ),
    "2-concatenated-values": (
        """
def account():
    ts = int(time.time() * 1000)
    signature = hmac.new(SECRET.encode(), f"{ts}5000".encode(), hashlib.sha256).hexdigest()
    params = {"timestamp": ts, "recvWindow": 5000, "signature": signature}
    return requests.get(BASE + "/api/v3/account", params=params, headers=HEADERS, timeout=10)
""",
        {"BL204"},
        """
def account():
    ts = int(time.time() * 1000)
    query = f"timestamp={ts}&recvWindow=5000"
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
    ),
    "3-timestamp-after-signing": (
        f"""
def sign(params):
    return hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()

def order(symbol):
    params = {ORDER}
    signature = sign(params)
    params["timestamp"] = int(time.time() * 1000)
    params["signature"] = signature
    return requests.post(BASE + "/api/v3/order", params=params, headers=HEADERS, timeout=10)
""",
        {"BL203"},
        f"""
def sign(params):
    return hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()

def order(symbol):
    params = {ORDER}
    params["timestamp"] = int(time.time() * 1000)
    params["signature"] = sign(params)
    return requests.post(BASE + "/api/v3/order", params=params, headers=HEADERS, timeout=10)
""",
    ),
    "4-sorted-copy-signed": (
        f"""
def order(symbol):
    params = {ORDER}
    params["timestamp"] = int(time.time() * 1000)
    params["signature"] = hmac.new(SECRET.encode(), urlencode(sorted(params.items())).encode(),
                                   hashlib.sha256).hexdigest()
    return requests.post(BASE + "/api/v3/order", params=params, headers=HEADERS, timeout=10)
""",
        {"BL204"},
        f"""
def order(symbol):
    params = {ORDER}
    params["timestamp"] = int(time.time() * 1000)
    query = urlencode(sorted(params.items()))
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + "/api/v3/order?" + query + "&signature=" + signature, headers=HEADERS, timeout=10)
""",
    ),
    "4-signature-not-last": (
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000)})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}&recvWindow=5000",
                        headers=HEADERS, timeout=10)
""",
        {"BL203"},
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
    ),
    "5-body-not-signed": (
        """
def order(symbol):
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    body = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": "0.01"}
    return requests.post(f"{BASE}/api/v3/order?{query}&signature={signature}", data=body,
                         headers=FORM, timeout=10)
""",
        {"BL204"},
        """
def order(symbol):
    query = urlencode({"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": "0.01",
                       "timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.post(f"{BASE}/api/v3/order?{query}&signature={signature}", headers=FORM, timeout=10)
""",
    ),
    "6-seconds": (
        """
def account():
    params = {"timestamp": int(time.time()), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/account", params=params, headers=HEADERS, timeout=10)
""",
        {"BL302"},
        """
def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/account", params=params, headers=HEADERS, timeout=10)
""",
    ),
    "7-recv-window-for-clock-skew": (
        """
RECV_WINDOW = 90000

def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": RECV_WINDOW}
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/account", params=params, headers=HEADERS, timeout=10)
""",
        {"BL305"},
        """
RECV_WINDOW = 5000
OFFSET = requests.get(BASE + "/api/v3/time", timeout=10).json()["serverTime"] - int(time.time() * 1000)

def account():
    params = {"timestamp": int(time.time() * 1000) + OFFSET, "recvWindow": RECV_WINDOW}
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/account", params=params, headers=HEADERS, timeout=10)
""",
    ),
    "8-plain-sha256": (
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hashlib.sha256((SECRET + query).encode()).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
        {"BL202"},
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
    ),
    "8-base64-of-hmac": (
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    digest = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).digest()
    signature = base64.b64encode(digest).decode()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={quote(signature)}", headers=HEADERS,
                        timeout=10)
""",
        {"BL202"},
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).digest().hex()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
    ),
    "8-sha512": (
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha512).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
        {"BL202"},
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), "sha256").hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
    ),
    "9-str-key": (
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET, query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
        {"BL202"},
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(bytes(SECRET, "utf-8"), query.encode("utf-8"), hashlib.sha256).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
    ),
    "9-str-message": (
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query, hashlib.sha256).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
        {"BL202"},
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    payload = query.encode()
    signature = hmac.new(SECRET.encode(), payload, hashlib.sha256).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
    ),
    "9-missing-digestmod": (
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode()).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
        {"BL202"},
        """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), digestmod=hashlib.sha256).hexdigest()
    return requests.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
    ),
    "9-bytes-signature-in-text": (
        """
import httpx

def account(private_key):
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = base64.b64encode(private_key.sign(query.encode()))
    return httpx.get(f"{BASE}/api/v3/account?{query}&signature={signature}", headers=HEADERS)
""",
        {"BL202"},
        """
import httpx

def account(private_key):
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = base64.b64encode(private_key.sign(query.encode())).decode()
    return httpx.get(f"{BASE}/api/v3/account?{query}&signature={quote(signature)}", headers=HEADERS)
""",
    ),
    "10-unencoded-join": (
        """
def order(params):
    params["timestamp"] = int(time.time() * 1000)
    params["recvWindow"] = 5000
    query = "&".join(f"{k}={v}" for k, v in params.items())
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.post(f"{BASE}/api/v3/order?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
        {"BL205"},
        """
def order(params):
    params["timestamp"] = int(time.time() * 1000)
    params["recvWindow"] = 5000
    query = urlencode(params)
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.post(f"{BASE}/api/v3/order?{query}&signature={signature}", headers=HEADERS, timeout=10)
""",
    ),
    "11-base64-not-encoded": (
        """
def account(private_key):
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = base64.b64encode(private_key.sign(query.encode())).decode()
    return requests.get(BASE + "/api/v3/account?" + query + "&signature=" + signature, headers=HEADERS,
                        timeout=10)
""",
        {"BL202"},
        """
def account(private_key):
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = base64.b64encode(private_key.sign(query.encode())).decode()
    return requests.get(BASE + "/api/v3/account?" + query + "&signature=" + quote(signature, safe=""),
                        headers=HEADERS, timeout=10)
""",
    ),
    "11-base64-encoded-twice": (
        """
def account(private_key):
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    signature = base64.b64encode(private_key.sign(urlencode(params).encode())).decode()
    params["signature"] = quote(signature)
    return requests.get(BASE + "/api/v3/account", params=params, headers=HEADERS, timeout=10)
""",
        {"BL202"},
        """
def account(private_key):
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = base64.b64encode(private_key.sign(urlencode(params).encode())).decode()
    return requests.get(BASE + "/api/v3/account", params=params, headers=HEADERS, timeout=10)
""",
    ),
    "12-none-dropped-after-signing": (
        """
def order(symbol, price=None):
    params = {"symbol": symbol, "price": price, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    signature = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    params = {k: v for k, v in params.items() if v is not None}
    params["signature"] = signature
    return requests.post(BASE + "/api/v3/order", params=params, headers=HEADERS, timeout=10)
""",
        {"BL204"},
        """
def order(symbol, price=None):
    params = {"symbol": symbol, "price": price, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params = {k: v for k, v in params.items() if v is not None}
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + "/api/v3/order", params=params, headers=HEADERS, timeout=10)
""",
    ),
    "12-none-signed-then-dropped-by-client": (
        """
def order(symbol, price=None):
    params = {"symbol": symbol, "price": price, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + "/api/v3/order", params=params, headers=HEADERS, timeout=10)
""",
        {"BL204"},
        """
def order(symbol, price=None):
    params = {"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    if price is not None:
        params["price"] = price
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + "/api/v3/order", params=params, headers=HEADERS, timeout=10)
""",
    ),
}


def bl23(source: str) -> list[str]:
    return codes(HEAD + source, select=("BL2", "BL3"))


@pytest.mark.parametrize("item", sorted(CASES))
def test_wrong_shape_fires_the_right_code(item):
    wrong, expected, _ = CASES[item]
    assert set(bl23(wrong)) == expected


@pytest.mark.parametrize("item", sorted(CASES))
def test_right_shape_is_silent(item):
    _, _, right = CASES[item]
    assert bl23(right) == []


def test_json_body_is_bl204_only_even_without_signature_in_json():
    # RULES.md: a signed request sent as a JSON body is BL204 only, not BL201/BL301 as well.
    source = """
def order(symbol):
    params = {"symbol": symbol, "timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + "/api/v3/order", json=params, headers=HEADERS, timeout=10)
"""
    assert bl23(source) == ["BL204"]


def test_recv_window_severity_by_value():
    from tests.helpers import findings

    source = HEAD + "\n".join(
        f"A{i} = requests.get(BASE + '/api/v3/depth', params={{'symbol': 'X', 'recvWindow': {value}}}, timeout=10)"
        for i, value in enumerate((10000, 10001, 60000, 60001, 0, -5, 5000.5))
    ) + "\n"
    got = [(f.line, f.severity.label) for f in findings(source, select=("BL305",))]
    first = HEAD.count("\n") + 1
    assert got == [(first + 1, "warning"), (first + 2, "warning"), (first + 3, "error"), (first + 4, "error"),
                   (first + 5, "error")]
