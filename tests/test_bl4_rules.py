"""BL401–BL404: backoff and idempotency around orders, on the cases the issue names."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from binlint.model import Severity
from tests.helpers import SDK_CHECK_SELECT, findings, run_cli


def bl4(source: str, **kwargs: object) -> list:
    return [f for f in findings(textwrap.dedent(source).lstrip("\n"), select=("BL4",), **kwargs)]


def summary(source: str) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in bl4(source)]


TENACITY = """
import uuid
from binance.client import Client
from tenacity import retry, stop_after_attempt, wait_exponential

client = Client(api_key, api_secret)
"""


def test_create_order_in_tenacity_without_client_order_id():
    found = bl4(
        TENACITY
        + """
@retry(stop=stop_after_attempt(5), wait=wait_exponential())
def buy(qty):
    return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=qty)
"""
    )
    assert [(f.code, f.line, f.severity) for f in found] == [("BL403", 9, Severity.ERROR)]
    message = found[0].message
    assert "`client.create_order(...)` on line 9" in message
    assert "`@retry(stop=stop_after_attempt(5), wait=wait_exponential())` on `buy`" in message
    assert "python-binance fills in a new client order id on every call" in message
    assert "newClientOrderId=cid" in found[0].fix.text


def test_create_order_in_tenacity_with_the_id_made_inside_the_retried_function():
    found = bl4(
        TENACITY
        + """
@retry(stop=stop_after_attempt(5), wait=wait_exponential())
def buy(qty):
    cid = f"bot-{uuid.uuid4().hex[:20]}"
    return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=qty,
                               newClientOrderId=cid)
"""
    )
    assert [(f.code, f.line) for f in found] == [("BL403", 10)]
    assert "client order id `cid` is made on line 9 inside the retried code" in found[0].message


def test_create_order_in_tenacity_with_the_id_made_once_outside_is_a_blind_resend():
    # BL403 is satisfied (the id is fixed), but tenacity retries on every exception and
    # nothing asks Binance for the order first: BL405.
    assert summary(
        TENACITY
        + """
@retry(stop=stop_after_attempt(5), wait=wait_exponential())
def buy(qty, cid):
    return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=qty,
                               newClientOrderId=cid)

def main():
    cid = f"bot-{uuid.uuid4().hex[:20]}"
    buy(0.01, cid)
"""
    ) == [("BL405", 9)]


def test_while_true_with_a_constant_sleep_around_order_market_buy():
    found = bl4(
        """
        import time
        from binance.client import Client

        client = Client(api_key, api_secret)

        def buy(cid):
            while True:
                try:
                    client.order_market_buy(symbol="BTCUSDT", quantity=0.01, newClientOrderId=cid)
                    break
                except Exception:
                    time.sleep(1)
        """
    )
    assert [(f.code, f.line, f.severity) for f in found] == [("BL402", 7, Severity.ERROR),
                                                             ("BL405", 9, Severity.ERROR)]
    message = found[0].message
    assert message.startswith("The `while True` loop on line 7 runs `client.order_market_buy(...)` (line 9)")
    assert "waits the same delay on every attempt and has no bound on attempts" in message
    assert "range(5)" in found[0].fix.text


def test_order_in_a_helper_called_by_a_backoff_decorated_function_has_backoff():
    assert summary(
        """
        import backoff
        from binance.client import Client
        from binance.exceptions import BinanceAPIException

        client = Client(api_key, api_secret)

        def place(cid):
            return client.order_market_sell(symbol="BTCUSDT", quantity=0.01, newClientOrderId=cid)

        def rebalance(cid):
            return place(cid)

        @backoff.on_exception(backoff.expo, BinanceAPIException, max_tries=5)
        def run(cid):
            rebalance(cid)
        """
    ) == [("BL405", 8)]  # backoff (no BL401), but resent on any API error without a look-up


def test_ccxt_enable_rate_limit_alone_is_not_backoff():
    found = bl4(
        """
        import ccxt

        exchange = ccxt.binance({"apiKey": key, "secret": secret, "enableRateLimit": True})
        order = exchange.create_market_buy_order("BTC/USDT", 0.01)
        """
    )
    assert [(f.code, f.line, f.severity) for f in found] == [("BL401", 4, Severity.INFO)]
    assert '`params={"clientOrderId": cid}`' in found[0].fix.text


def test_a_429_handler_that_ignores_retry_after():
    found = bl4(
        """
        import time
        import requests

        BASE = "https://api.binance.com"

        def place(body, headers):
            for attempt in range(5):
                resp = requests.post(BASE + "/api/v3/order", data=body, headers=headers, timeout=10)
                if resp.status_code == 429:
                    time.sleep(2 ** attempt)
                    continue
                return resp.json()
        """
    )
    codes = [(f.code, f.line) for f in found]
    assert ("BL402", 7) in codes
    bl402 = next(f for f in found if f.code == "BL402")
    assert "handles 429/418 without waiting for the `Retry-After` header" in bl402.message
    assert "Retry-After" in bl402.fix.text


def test_a_429_handler_that_waits_for_retry_after_is_fine():
    assert "BL402" not in [
        code for code, _ in summary(
            """
            import time
            import requests

            BASE = "https://api.binance.com"

            def account(query, headers):
                for attempt in range(5):
                    resp = requests.get(BASE + "/api/v3/account?" + query, headers=headers, timeout=10)
                    if resp.status_code in (418, 429):
                        time.sleep(int(resp.headers.get("Retry-After", 2 ** attempt)))
                        continue
                    return resp.json()
            """
        )
    ]


def test_retry_with_allowed_methods_none_on_a_session_posting_orders():
    found = bl4(
        """
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        session = requests.Session()
        session.mount("https://", HTTPAdapter(max_retries=Retry(total=5, backoff_factor=1, allowed_methods=None)))

        def place(body, headers, cid):
            return session.post("https://api.binance.com/api/v3/order", data=body, headers=headers, timeout=10)
        """
    )
    assert ("BL404", 6) in [(f.code, f.line) for f in found]
    bl404 = next(f for f in found if f.code == "BL404")
    assert "mounted on `session` which sends `POST /api/v3/order` on line 9" in bl404.message
    # A session Retry never counts as backoff for the order POST itself.
    assert "BL401" in [f.code for f in found]


def test_one_shot_order_calls_in_a_script_are_info():
    found = bl4(
        """
        from binance.client import Client
        from binance.spot import Spot

        client = Client(api_key, api_secret)
        spot = Spot(api_key=api_key, api_secret=api_secret)
        client.order_market_buy(symbol="BTCUSDT", quantity=0.01)
        spot.new_order(symbol="BTCUSDT", side="SELL", type="MARKET", quantity=0.01)
        client.withdraw(coin="USDT", address=address, amount=10)
        """
    )
    assert [(f.code, f.line, f.severity) for f in found] == [
        ("BL401", 6, Severity.INFO), ("BL401", 7, Severity.INFO), ("BL401", 8, Severity.INFO),
    ]
    assert "It runs once (at the script's top level)" in found[0].message
    assert "status unknown" in found[0].message and "rejects" not in found[0].message
    assert "origClientOrderId=cid" in found[0].fix.text
    assert "sends a withdrawal" in found[2].message and "withdrawOrderId=wid" in found[2].fix.text


def test_severity_can_be_configured():
    from binlint.config import Config

    config = Config(root=Path.cwd(), severity=(("BL401", Severity.ERROR),))
    found = bl4(
        """
        from binance.client import Client
        client = Client(api_key, api_secret)

        def on_signal():
            client.order_market_buy(symbol="BTCUSDT", quantity=0.01)
        """,
        config=config,
    )
    assert [(f.code, f.severity) for f in found] == [("BL401", Severity.ERROR)]


def test_loop_retry_with_backoff_and_fixed_id_is_clean():
    assert summary(
        """
        import time, uuid
        from binance.client import Client
        from binance.exceptions import BinanceAPIException

        client = Client(api_key, api_secret)

        def buy():
            cid = f"bot-{uuid.uuid4().hex[:20]}"
            for attempt in range(5):
                try:
                    return client.order_market_buy(symbol="BTCUSDT", quantity=0.01, newClientOrderId=cid)
                except BinanceAPIException as exc:
                    if exc.status_code in (418, 429):
                        time.sleep(int(exc.response.headers.get("Retry-After", 1)))
                    else:
                        time.sleep(2 ** attempt)
        """
    ) == []


def test_the_id_made_inside_the_loop_is_reported():
    found = bl4(
        """
        import time, uuid
        import ccxt

        exchange = ccxt.binance()

        def buy(amount):
            for attempt in range(5):
                try:
                    return exchange.create_order("BTC/USDT", "market", "buy", amount,
                                                 params={"clientOrderId": uuid.uuid4().hex})
                except ccxt.NetworkError:
                    time.sleep(2 ** attempt)
        """
    )
    assert [(f.code, f.line) for f in found] == [("BL403", 9)]
    assert "`uuid.uuid4().hex` is made on line 10" in found[0].message


def test_raw_order_requests_in_a_helper_retried_by_a_loop():
    found = bl4(
        """
        import time
        import requests

        BASE = "https://fapi.binance.com"

        class Futures:
            def _send(self, method, path, params):
                return requests.request(method, BASE + path, params=params, timeout=10)

            def sell(self):
                while True:
                    try:
                        return self._send("POST", "/fapi/v1/order", {"symbol": "BTCUSDT", "side": "SELL"})
                    except requests.ConnectionError:
                        time.sleep(1)
        """
    )
    assert sorted((f.code, f.line) for f in found) == [("BL402", 11), ("BL403", 13)]


def test_config_declared_in_house_client():
    from binlint.config import Config

    config = Config(root=Path.cwd(), order_methods=("submit",), client_classes=("bot.exchange.BinanceGateway",))
    found = bl4(
        """
        import binance
        from bot.exchange import BinanceGateway

        gateway = BinanceGateway()
        gateway.submit("BTCUSDT", "BUY", 0.01)
        gateway.balance("USDT")
        """,
        config=config,
    )
    assert [(f.code, f.line) for f in found] == [("BL401", 5)]


def test_cli_json_over_a_folder(tmp_path: Path):
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "trade.py").write_text(textwrap.dedent(
        """
        import time
        from binance.client import Client
        from tenacity import retry, stop_after_attempt, wait_exponential

        client = Client(api_key, api_secret)

        @retry(stop=stop_after_attempt(5), wait=wait_exponential())
        def buy(qty):
            return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=qty)

        def sell(cid):
            while True:
                try:
                    client.order_market_sell(symbol="BTCUSDT", quantity=0.01, newClientOrderId=cid)
                    break
                except Exception:
                    time.sleep(1)
        """
    ).lstrip("\n"))
    (tmp_path / "bot" / "once.py").write_text(
        "from binance.client import Client\nClient(k, s).order_market_buy(symbol='BTCUSDT', quantity=1)\n"
    )
    done = run_cli("check", "bot", "--select", "BL4", "--format", "json", "--no-cache", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    rows = [(f["path"], f["line"], f["code"], f["severity"], f["fix"]["applicability"]) for f in report["findings"]]
    assert rows == [
        ("bot/once.py", 2, "BL401", "info", "advice"),
        ("bot/trade.py", 9, "BL403", "error", "advice"),
        ("bot/trade.py", 12, "BL402", "error", "advice"),
        ("bot/trade.py", 14, "BL405", "error", "advice"),
    ]
    # Warnings alone do not fail a run gated at error.
    done = run_cli("check", "bot/once.py", "--select", "BL4", "--severity", "error", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_no_bl4_finding_in_the_sdks_from_pypi(sdk_check: dict[str, Any]):
    """Read from the one CLI run over the SDK folders (`sdk_check`, tests/conftest.py), which ran BL4/BL5."""
    assert {"BL4", "BL5"} <= set(SDK_CHECK_SELECT.split(","))
    assert sdk_check["summary"]["parsed"] > 100  # the SDK sources were really read
    bl4 = [f for f in sdk_check["findings"] if f["code"].startswith("BL4")]
    assert bl4 == []
    bl5 = [f for f in sdk_check["findings"] if f["code"].startswith("BL5")]
    assert bl5 == []


def test_order_methods_and_client_classes_from_pyproject(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.binlint]\norder-methods = ["submit", "bot.orders.place_limit"]\n'
        'client-classes = ["bot.gateway.BinanceGateway"]\n'
    )
    (tmp_path / "run.py").write_text(textwrap.dedent(
        """
        import time
        from bot.gateway import BinanceGateway
        from bot.orders import place_limit

        gateway = BinanceGateway()

        def main(cid):
            while True:
                try:
                    gateway.submit("BTCUSDT", "BUY", 0.01)
                    break
                except Exception:
                    time.sleep(1)
            place_limit("BTCUSDT", 0.01, 30000, cid)
        """
    ).lstrip("\n"))
    done = run_cli("check", "run.py", "--select", "BL4", "--format", "json", "--no-cache", cwd=tmp_path)
    rows = [(f["line"], f["code"]) for f in json.loads(done.stdout)["findings"]]
    # The module never says "binance" in an import, but its name does: the gate lets it through.
    assert rows == [(8, "BL402"), (10, "BL403"), (14, "BL401")], done.stdout + done.stderr
