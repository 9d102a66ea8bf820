"""Order safety as Binance guarantees it: BL401 by context, BL402 by path, BL405, BL406, BL504 floats."""

from __future__ import annotations

import textwrap

from binlint.model import Severity
from tests.helpers import findings


def found(source: str, select: tuple[str, ...] = ("BL4", "BL5")) -> list:
    return findings(textwrap.dedent(source).lstrip("\n"), select=select)


def rows(source: str, select: tuple[str, ...] = ("BL4", "BL5")) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in found(source, select)]


RETRIED_MARKET_ORDER = """
import time, uuid
import requests
from binance.client import Client
from binance.exceptions import BinanceAPIException

client = Client(api_key, api_secret)

def buy(quantity):
    cid = f"bot-{uuid.uuid4().hex[:20]}"
    for attempt in range(5):
        try:
            return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity,
                                       newClientOrderId=cid)
        except requests.exceptions.ReadTimeout:
            time.sleep(2 ** attempt)
            CHECK
"""


def test_market_order_resent_with_a_fixed_id_after_a_read_timeout_is_bl405():
    result = found(RETRIED_MARKET_ORDER.replace("CHECK", "pass"))
    assert [(f.code, f.line, f.severity) for f in result] == [("BL405", 12, Severity.ERROR)]
    message, fix = result[0].message, result[0].fix.text
    assert "after its `except requests.exceptions.ReadTimeout` on line 14" in message
    assert "same client order id `cid`" in message
    assert "accepts the same id again once the first order has filled" in message
    assert "rejects" not in message
    assert "client.get_order(symbol=..., origClientOrderId=cid)" in fix


def test_the_same_retry_that_queries_the_order_first_is_clean():
    check = """try:
                return client.get_order(symbol="BTCUSDT", origClientOrderId=cid)
            except BinanceAPIException as error:
                if error.code != -2013:
                    raise"""
    assert rows(RETRIED_MARKET_ORDER.replace("CHECK", check)) == []


def test_a_retry_only_on_429_with_retry_after_is_clean():
    assert rows(
        """
        import time, uuid
        import requests

        def buy(session, signed_query, headers):
            for attempt in range(5):
                resp = session.post("https://api.binance.com/api/v3/order?" + signed_query, headers=headers,
                                    timeout=10)
                if resp.status_code == 429:
                    time.sleep(int(resp.headers["Retry-After"]))
                    continue
                return resp.json()
        """
    ) == []


def test_a_status_test_whose_branch_leaves_the_loop_retries_on_what_fails_it():
    source = """
        import time
        import requests

        def buy(symbol, headers):
            for attempt in range(5):
                params = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1}
                resp = requests.post("https://api.binance.com/api/v3/order", params=params, headers=headers,
                                     timeout=10)
                if resp.status_code TEST 429:
                    return WHAT
                time.sleep(int(resp.headers.get("Retry-After", 2 ** attempt)))
        """
    # Sent again only on a 429: the order was not placed.
    assert rows(source.replace("TEST", "!=").replace("WHAT", "resp.json()")) == []
    # Sent again on anything but a 429 (a timeout, a 5xx): the order may exist.
    result = found(source.replace("TEST", "==").replace("WHAT", "None"))
    assert [(f.code, f.line) for f in result] == [("BL403", 7)]


def test_the_client_order_id_of_a_hand_signed_query_string_is_read():
    source = """
        import hashlib, hmac, os, time, uuid
        from urllib.parse import urlencode
        import requests

        SECRET = os.environ["BINANCE_API_SECRET"]

        def buy(symbol, headers):
            for attempt in range(5):
                params = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1ID,
                          "timestamp": int(time.time() * 1000), "recvWindow": 5000}
                query = urlencode(params)
                signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
                resp = requests.post("https://api.binance.com/api/v3/order?" + query + "&signature=" + signature,
                                     headers=headers, timeout=10)
                if resp.status_code == 429:
                    return None
                time.sleep(2 ** attempt)
        """
    assert rows(source.replace("ID", ', "newClientOrderId": "bot-1"')) == [("BL405", 13)]
    made_inside = found(source.replace("ID", ', "newClientOrderId": uuid.uuid4().hex'))
    assert [(f.code, f.line) for f in made_inside] == [("BL403", 13)] and "made on line 9" in made_inside[0].message
    assert rows(source.replace("ID", "")) == [("BL403", 13)]


def test_a_retry_on_a_code_test_for_not_placed_errors_is_clean_but_a_broad_one_is_not():
    source = """
        import time
        from binance.client import Client
        from binance.exceptions import BinanceAPIException

        client = Client(api_key, api_secret)

        def buy(cid):
            for attempt in range(5):
                try:
                    return client.order_market_buy(symbol="BTCUSDT", quantity=1, newClientOrderId=cid)
                except BinanceAPIException as error:
                    TEST
                    time.sleep(2 ** attempt)
        """
    assert rows(source.replace("TEST", "if error.code not in (-1021, -1022): raise")) == []
    assert rows(source.replace("TEST", "print(error)")) == [("BL405", 10)]


def test_a_retry_without_any_id_is_bl403_alone():
    result = rows(RETRIED_MARKET_ORDER.replace("CHECK", "pass").replace(",\n                                       newClientOrderId=cid", ""))
    assert result == [("BL403", 12)]


def test_a_client_order_id_made_from_the_attempt_number_is_a_new_id_per_attempt():
    # The loop retries the same order; only its id reads the loop's counter: BL403 "made inside".
    for sdk_call in (
        'client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity,\n'
        '                                       newClientOrderId=f"bot-{attempt}")',
        'exchange.create_order("BTC/USDT", "market", "buy", quantity,\n'
        '                                       params={"clientOrderId": f"bot-{attempt}"})',
    ):
        source = RETRIED_MARKET_ORDER.replace("CHECK", "pass").replace(
            'client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=quantity,\n'
            '                                       newClientOrderId=cid)', sdk_call).replace(
            "client = Client(api_key, api_secret)", "client = Client(api_key, api_secret)\n"
            "import ccxt\nexchange = ccxt.binance({'apiKey': api_key, 'secret': api_secret})")
        result = found(source, ("BL401", "BL403"))
        assert [f.code for f in result] == ["BL403"], (sdk_call, [f.message for f in result])
        assert "made on line 15 inside the retried code" in result[0].message
    # An order per item of a list is not a retry, id or not.
    walked = found("""
        from binance.client import Client
        client = Client(api_key, api_secret)

        def place_all(levels):
            for i in range(len(levels)):
                try:
                    client.create_order(symbol="BTCUSDT", side="BUY", type="LIMIT", price=levels[i],
                                        quantity=1, newClientOrderId=f"grid-{i}")
                except Exception:
                    continue
    """, ("BL403", "BL405"))
    assert walked == []


def test_while_true_poll_without_and_with_a_sleep():
    source = """
        import time
        from binance.client import Client

        client = Client(api_key, api_secret)
        while True:
            account = client.get_account()
            print(account["balances"])
            WAIT
        """
    result = found(source.replace("WAIT", "pass"))
    assert [(f.code, f.line, f.severity) for f in result] == [("BL406", 5, Severity.WARNING)]
    assert "calls `client.get_account(...)` (line 6)" in result[0].message
    assert "on every pass" in result[0].message and "418" in result[0].message
    assert rows(source.replace("WAIT", "time.sleep(10)")) == []


def test_a_poll_that_skips_its_sleep_when_the_call_fails_names_the_branch():
    result = found(
        """
        import time
        from binance.client import Client

        client = Client(api_key, api_secret)

        def watch():
            while True:
                try:
                    print(client.get_symbol_ticker(symbol="BTCUSDT"))
                    time.sleep(5)
                except Exception as error:
                    print(error)
        """
    )
    assert [(f.code, f.line) for f in result] == [("BL406", 7)]
    assert "through its `except Exception` branch on line 11" in result[0].message


def test_a_poll_that_waits_on_an_event_or_in_a_helper_is_clean():
    assert rows(
        """
        import threading, time
        from binance.client import Client

        client = Client(api_key, api_secret)
        stop = threading.Event()

        def pause():
            time.sleep(1)

        def watch():
            while not stop.is_set():
                print(client.get_account())
                stop.wait(30)

        def watch_more():
            while True:
                print(client.get_open_orders())
                pause()
        """
    ) == []


def test_a_helper_that_sends_the_request_is_followed():
    assert rows(
        """
        from binance.client import Client

        client = Client(api_key, api_secret)

        def price():
            return client.get_symbol_ticker(symbol="BTCUSDT")

        def run():
            while True:
                if float(price()["price"]) > 30000:
                    break
        """
    ) == [("BL406", 9)]


def test_branch_dependent_hot_retry_says_which_branch():
    result = found(
        """
        import time
        from binance.client import Client
        from binance.exceptions import BinanceAPIException

        client = Client(api_key, api_secret)

        def buy(cid):
            order = None
            while order is None:
                try:
                    order = client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1,
                                                newClientOrderId=cid)
                except BinanceAPIException as error:
                    if error.code == -1021:
                        raise
                    time.sleep(1)
                except Exception:
                    pass
        """,
        select=("BL402",),
    )
    assert [(f.code, f.line) for f in result] == [("BL402", 9)]
    message = result[0].message
    assert "retries at once with no delay through its `except Exception` branch on line 17" in message
    assert "waits the same delay" not in message
    assert "on every branch that goes round again" in result[0].fix.text


def test_a_main_loop_whose_except_ends_it_does_not_retry_the_orders_inside():
    source = """
        import sys, time
        from binance.client import Client

        client = Client(api_key, api_secret)

        def main():
            operationLoop = True
            while operationLoop:
                try:
                    mark = float(client.futures_mark_price(symbol="BTCUSDT")["markPrice"])
                    if mark > 30000:
                        client.futures_create_order(symbol="BTCUSDT", side="SELL", type="MARKET", quantity=1)
                        operationLoop = False
                    if mark < 100:
                        client.futures_create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1)
                    time.sleep(5)
                except Exception as error:
                    print(error)
                    STOP
        """
    for stop in ("operationLoop = False", "break", "return", "raise", "sys.exit(1)"):
        assert [c for c, _ in rows(source.replace("STOP", stop), ("BL4",))] == ["BL401", "BL401"], stop
    # An except that goes round again does retry them.
    assert {c for c, _ in rows(source.replace("STOP", "pass"), ("BL4",))} >= {"BL402", "BL403"}


def test_bl401_severity_follows_where_the_order_runs():
    result = found(
        """
        import threading
        import schedule
        from binance.client import Client
        from flask import Flask

        app = Flask(__name__)
        client = Client(api_key, api_secret)

        def once():
            client.order_market_buy(symbol="BTCUSDT", quantity=1)

        def job():
            client.order_market_sell(symbol="BTCUSDT", quantity=1)

        @app.route("/webhook", methods=["POST"])
        def hook():
            client.order_market_buy(symbol="ETHUSDT", quantity=1)

        class Bot:
            def trade(self):
                client.order_market_buy(symbol="BNBUSDT", quantity=1)

        schedule.every(5).minutes.do(job)
        threading.Thread(target=once).start()

        if __name__ == "__main__":
            client.order_market_sell(symbol="ETHUSDT", quantity=1)
        """,
        select=("BL401",),
    )
    got = [(f.line, f.severity) for f in result]
    assert got == [(10, Severity.WARNING), (13, Severity.WARNING), (17, Severity.WARNING),
                   (21, Severity.WARNING), (27, Severity.INFO)]
    assert "passed to `threading.Thread(...)`" in result[0].message
    assert "run by `@app.route`" in result[2].message
    assert "a method of a long-lived object" in result[3].message
    assert "in the script's `__main__` block" in result[4].message


def test_a_function_run_once_from_main_is_info():
    result = found(
        """
        from binance.client import Client

        client = Client(api_key, api_secret)

        def sell_remaining():
            client.order_market_sell(symbol="BTCUSDT", quantity=1)

        def main():
            sell_remaining()

        if __name__ == "__main__":
            main()
        """,
        select=("BL401",),
    )
    assert [(f.line, f.severity) for f in result] == [(6, Severity.INFO)]
    assert "in `sell_remaining`, called in `main`, called in the script's `__main__` block" in result[0].message


def test_computed_float_quantity_into_create_order_and_a_hand_signed_order():
    result = found(
        """
        import hashlib, hmac, time
        from urllib.parse import urlencode
        import requests
        from binance.client import Client

        client = Client(api_key, api_secret)
        volume = [free / price for free, price in pairs]
        client.create_order(symbol="SHIBUSDT", side="SELL", type="MARKET", quantity=volume[0])
        client.order_limit_buy(symbol="BTCUSDT", quantity=float(amount), price=0.00001)
        client.order_limit_buy(symbol="BTCUSDT", quantity=0.001, price=30000.5)

        def sell(amount, secret, key):
            params = {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": amount * 0.5,
                      "timestamp": int(time.time() * 1000)}
            query = urlencode(params)
            params["signature"] = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
            return requests.post("https://api.binance.com/api/v3/order", params=params,
                                 headers={"X-MBX-APIKEY": key}, timeout=10)
        """,
        select=("BL504",),
    )
    assert [(f.line, f.message.split("`")[3]) for f in result] == [
        (8, "volume[0]"), (9, "float(amount)"), (9, "0.00001"), (13, "amount * 0.5")]
    assert "python-binance turns into text with `str()`" in result[0].message
    assert 'format(Decimal(str(volume[0])), "f")' in result[0].fix.text
    assert "the request's `urlencode`" in result[3].message


def test_ccxt_amounts_are_formatted_by_ccxt():
    assert rows(
        """
        import ccxt

        exchange = ccxt.binance()

        def buy(usdt, price):
            return exchange.create_order("BTC/USDT", "limit", "buy", usdt / price, price * 0.99)
        """,
        ("BL504",),
    ) == []
