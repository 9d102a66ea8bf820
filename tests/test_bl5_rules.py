"""BL501–BL506: transport and hygiene, on the cases the issue names, through the engine and the CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from binlint.model import Applicability, Severity
from tests.helpers import findings, run_cli


def bl5(source: str, select: str = "BL5") -> list:
    return findings(textwrap.dedent(source).lstrip("\n"), select=(select,))


def summary(source: str, select: str = "BL5") -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in bl5(source, select)]


# --- BL501 ---------------------------------------------------------------------------------


def test_http_binance_url_gets_a_safe_fix():
    (found,) = bl5(
        """
        import requests

        BASE_URL = "http://api.binance.com"
        requests.get(BASE_URL + "/api/v3/time", timeout=10)
        """
    )
    assert (found.code, found.line, found.severity) == ("BL501", 3, Severity.ERROR)
    assert found.fix.applicability is Applicability.SAFE
    (edit,) = found.fix.edits
    assert (edit.line, edit.column, edit.content) == (3, 12, '"https://api.binance.com"')


def test_http_url_fix_through_the_cli(tmp_path: Path):
    bot = tmp_path / "bot.py"
    bot.write_text('import requests\n\nBASE = "http://fapi.binance.com"\nrequests.get(f"{BASE}/fapi/v1/time", '
                   'timeout=10)\nWS = f"http://testnet.binance.vision/api/v3/depth?symbol={s}"\n')
    done = run_cli("check", "bot.py", "--select", "BL501", "--fix", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert bot.read_text() == ('import requests\n\nBASE = "https://fapi.binance.com"\nrequests.get(f"{BASE}/fapi/v1/'
                               'time", timeout=10)\nWS = f"https://testnet.binance.vision/api/v3/depth?symbol={s}"\n')


def test_https_and_other_hosts_are_fine():
    assert summary(
        """
        import requests

        BASE = "https://api.binance.com"
        requests.get(BASE + "/api/v3/time", timeout=10)
        requests.get("http://localhost:8080/metrics", timeout=10)
        requests.get("http://notbinance.com.evil/x", timeout=10)
        """
    ) == []


def test_verify_false_on_a_binance_request_and_on_its_session():
    found = bl5(
        """
        import requests

        def account(query, headers):
            return requests.get("https://api.binance.com/api/v3/account?" + query, headers=headers, timeout=10,
                                verify=False)

        session = requests.Session()
        session.verify = False

        def price():
            return session.get("https://api.binance.com/api/v3/ticker/price", timeout=10)

        requests.get("https://example.com", verify=False, timeout=10)
        """
    )
    assert [(f.code, f.line) for f in found] == [("BL501", 5), ("BL501", 8)]
    assert all(f.fix.applicability is Applicability.ADVICE for f in found)


# --- BL502 ---------------------------------------------------------------------------------


def test_requests_without_timeout_gets_an_unsafe_fix():
    (found,) = bl5(
        """
        import requests

        def depth(symbol):
            return requests.get("https://api.binance.com/api/v3/depth", params={"symbol": symbol})
        """
    )
    assert (found.code, found.line, found.severity) == ("BL502", 4, Severity.WARNING)
    assert found.fix.applicability is Applicability.UNSAFE
    assert "`GET /api/v3/depth`" in found.message


def test_timeout_rules_per_library():
    assert summary(
        """
        import httpx, aiohttp, requests

        requests.get("https://api.binance.com/api/v3/time", timeout=5)
        httpx.get("https://api.binance.com/api/v3/time")
        client = httpx.Client(timeout=3)
        client.get("https://api.binance.com/api/v3/time", timeout=None)
        requests.get("https://api.binance.com/api/v3/time", **options)
        requests.get("https://example.com/no-timeout")

        async def f(session: aiohttp.ClientSession):
            async with session.get("https://api.binance.com/api/v3/time") as resp:
                return await resp.json()

        httpx.post("https://api.binance.com/api/v3/order", timeout=None)
        """,
        "BL502",
    ) == [("BL502", 6), ("BL502", 14)]


def test_unsafe_fix_through_the_cli(tmp_path: Path):
    bot = tmp_path / "bot.py"
    bot.write_text('import requests\n\nr = requests.get(\n    "https://api.binance.com/api/v3/time",\n)\n')
    done = run_cli("check", "bot.py", "--select", "BL502", "--fix", "--no-cache", cwd=tmp_path)
    assert "BL502" in done.stdout and bot.read_text().count("timeout") == 0  # unsafe: not applied by --fix
    done = run_cli("check", "bot.py", "--select", "BL502", "--unsafe-fixes", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert bot.read_text() == 'import requests\n\nr = requests.get(\n    "https://api.binance.com/api/v3/time", ' \
                              'timeout=10,\n)\n'


def test_timeout_goes_after_a_parenthesised_last_argument(tmp_path: Path):
    bot = tmp_path / "bot.py"
    bot.write_text('import requests\n\ndef send(e, body):\n'
                   '    return requests.post("https://api.binance.com/api/v3/order", params=((e % body)))\n')
    done = run_cli("check", "bot.py", "--select", "BL502", "--unsafe-fixes", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert bot.read_text().endswith('params=((e % body)), timeout=10)\n')


# --- BL503 ---------------------------------------------------------------------------------


def test_signed_request_without_api_key_header():
    found = bl5(
        """
        import os, requests

        def balances(query):
            return requests.get("https://api.binance.com/api/v3/account?" + query, timeout=10)

        def price():
            return requests.get("https://api.binance.com/api/v3/ticker/price", timeout=10)

        def listen_key():
            return requests.post("https://api.binance.com/sapi/v1/userDataStream", timeout=10)
        """
    )
    assert [(f.code, f.line) for f in found] == [("BL503", 4)]
    assert "`GET /api/v3/account`" in found[0].message and "X-MBX-APIKEY" in found[0].fix.text


def test_session_header_satisfies_bl503():
    assert summary(
        """
        import os, requests

        class Api:
            def __init__(self):
                self.session = requests.Session()
                self.session.headers.update({"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]})

            def order(self, body):
                return self.session.post("https://api.binance.com/api/v3/order", data=body, timeout=10)
        """
    ) == []


# --- BL504 ---------------------------------------------------------------------------------


def test_str_of_a_float_quantity_fires_and_fixed_point_is_silent():
    found = bl5(
        """
        from binance.client import Client

        client = Client(api_key, api_secret)
        qty = 0.00001
        client.order_market_buy(symbol="BTCUSDT", quantity=str(qty))
        client.order_market_buy(symbol="BTCUSDT", quantity=f"{qty:.8f}")
        client.order_market_buy(symbol="BTCUSDT", quantity=f"{qty}")
        client.order_market_buy(symbol="BTCUSDT", quantity=format(qty, "f"))
        """
    )
    assert [(f.code, f.line) for f in found] == [("BL504", 5), ("BL504", 7)]
    assert "`str(qty)`" in found[0].message and "1e-05" in found[0].message
    assert 'f"{qty:.8f}"' in found[0].fix.text


def test_bl504_needs_evidence_of_a_float():
    assert summary(
        """
        from decimal import Decimal
        from binance.client import Client

        client = Client(api_key, api_secret)

        def sell(amount, price: Decimal, lots: int):
            client.order_limit_sell(symbol="BTCUSDT", quantity=str(amount), price=str(price))
            client.order_limit_sell(symbol="BTCUSDT", quantity=str(lots), price=str(Decimal("1.5") / 3))
        """
    ) == []


def test_bl504_in_dicts_and_query_strings():
    assert summary(
        """
        import requests

        def order(balance: float, price, sign):
            params = dict(symbol="BTCUSDT", quantity=str(balance / 2))
            params["stopPrice"] = f"{price * 0.95}"
            query = f"symbol=BTCUSDT&price={price * 1.01:.2f}&quoteOrderQty={balance * 0.5}"
            return requests.post("https://api.binance.com/api/v3/order?" + sign(query), data=params, timeout=10)
        """,
        "BL504",
    ) == [("BL504", 4), ("BL504", 5), ("BL504", 6)]


# --- BL505, BL506 ------------------------------------------------------------------------------


def test_removed_endpoints():
    found = bl5(
        """
        import requests

        BASE = "https://api.binance.com"

        def old(query, headers):
            requests.post(BASE + "/wapi/v3/withdraw.html?" + query, headers=headers, timeout=10)
            requests.post(BASE + "/api/v1/order?" + query, headers=headers, timeout=10)
            requests.post(BASE + "/api/v3/userDataStream", headers=headers, timeout=10)
            requests.post(BASE + "/api/v3/orderList/oco?" + query, headers=headers, timeout=10)
        """
    )
    bl505 = [(f.line, f.fix.text) for f in found if f.code == "BL505"]
    assert [line for line, _ in bl505] == [6, 7, 8]
    assert "/sapi/v1/capital/withdraw/apply" in bl505[0][1]
    assert "/api/v3/order`" in bl505[1][1]


def test_withdrawals_are_info():
    found = [f for f in bl5(
        """
        import ccxt
        from binance.client import Client
        from binance_sdk_wallet.wallet import Wallet

        client = Client(api_key, api_secret)
        exchange = ccxt.binance()
        wallet = Wallet(config_rest_api=config)
        client.withdraw(coin="USDT", address=a, amount=1)
        exchange.withdraw("USDT", 1, a)
        wallet.rest_api.withdraw(coin="USDT", address=a, amount=1.0)
        client.get_withdraw_history()
        """
    ) if f.code == "BL506"]
    assert [(f.line, f.severity) for f in found] == [(8, Severity.INFO), (9, Severity.INFO), (10, Severity.INFO)]
    assert "withdrawal permission" in found[0].message


def test_explain_prints_each_rule(tmp_path: Path):
    for code in ("BL401", "BL402", "BL403", "BL404", "BL501", "BL502", "BL503", "BL504", "BL505", "BL506"):
        done = run_cli("explain", code, cwd=tmp_path)
        assert done.returncode == 0 and "## Use instead" in done.stdout and "```python" in done.stdout


def test_cli_json_for_bl5(tmp_path: Path):
    (tmp_path / "api.py").write_text(textwrap.dedent(
        """
        import requests

        BASE = "http://api.binance.com"

        def account(query):
            return requests.get(BASE + "/api/v3/account?" + query)
        """
    ).lstrip("\n"))
    done = run_cli("check", "api.py", "--select", "BL5", "--format", "json", "--no-cache", cwd=tmp_path)
    assert done.returncode == 1
    rows = [(f["line"], f["code"], f["severity"], f["fix"]["applicability"]) for f in json.loads(done.stdout)["findings"]]
    assert rows == [(3, "BL501", "error", "safe"), (6, "BL502", "warning", "unsafe"), (6, "BL503", "error", "advice")]
