"""The retry model: which constructs retry, what they run again, and how they back off."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from binlint.analysis import Analysis
from binlint.analysis.module import ModuleModel
from binlint.config import Config

HEAD = """\
import asyncio, itertools, random, time, uuid
import backoff, requests, tenacity
from binance.client import Client
from tenacity import (AsyncRetrying, Retrying, retry, stop_after_attempt, stop_never, wait_exponential,
                      wait_fixed, wait_random)
client = Client(k, s)
"""


def analyse(source: str) -> Analysis:
    source = HEAD + textwrap.dedent(source).lstrip("\n")
    return Analysis(ModuleModel(cst.parse_module(source), "bot.py", source), Config(root=Path.cwd()))


def marked_call(analysis: Analysis, marker: str = "TARGET") -> cst.Call:
    """The call on the line that carries `# TARGET`."""
    lines = analysis.model.source.splitlines()
    line = next(i for i, text in enumerate(lines, 1) if f"# {marker}" in text)
    calls = [c for c in analysis.model.calls() if analysis.model.line(c) == line]
    return calls[0]


def retried_by(source: str) -> list[dict[str, object]]:
    analysis = analyse(source)
    call = marked_call(analysis)
    return [
        {"kind": k.kind, "waits": k.waits, "grows": k.grows, "bounded": k.bounded,
         "retry_after": k.reads_retry_after, "rate_limit": k.rate_limit is not None, "problems": k.problems()}
        for k in analysis.retries.enclosing(call)
    ]


def one(source: str) -> dict[str, object]:
    found = retried_by(source)
    assert len(found) == 1, found
    return found[0]


# --- loops -----------------------------------------------------------------------------------


def test_for_range_with_except_and_break_backs_off():
    assert one(
        """
        for attempt in range(5):
            try:
                client.order_market_buy(symbol="X", quantity=1)  # TARGET
                break
            except Exception:
                time.sleep(2 ** attempt)
        """
    ) == {"kind": "loop", "waits": True, "grows": True, "bounded": True, "retry_after": False,
          "rate_limit": False, "problems": []}


def test_while_true_with_constant_sleep_is_unbounded_and_constant():
    found = one(
        """
        while True:
            try:
                client.order_market_buy(symbol="X", quantity=1)  # TARGET
                break
            except Exception:
                time.sleep(1)
        """
    )
    assert (found["waits"], found["grows"], found["bounded"]) == (True, False, False)
    assert found["problems"] == ["waits the same delay on every attempt", "has no bound on attempts"]


def test_retry_at_once_has_no_delay():
    found = one(
        """
        def f():
            for attempt in range(3):
                try:
                    return client.get_account()  # TARGET
                except Exception:
                    pass
        """
    )
    assert found["problems"] == ["retries at once with no delay"]


@pytest.mark.parametrize(
    "delay",
    ["delay *= 2", "delay = min(delay * 2, 60)", "delay += 1"],
)
def test_growing_delay_variable(delay):
    found = one(
        f"""
        delay = 1
        while True:
            try:
                client.get_account()  # TARGET
                break
            except Exception:
                time.sleep(delay)
                {delay}
        """
    )
    assert found["grows"] and found["waits"]


def test_counter_bounds_a_while_loop_and_its_sleep_grows():
    found = one(
        """
        attempts = 0
        while attempts < 5:
            try:
                client.get_account()  # TARGET
                break
            except Exception:
                attempts += 1
                wait = 0.5 * attempts
                time.sleep(wait)
        """
    )
    assert found["bounded"] and found["grows"]


def test_deadline_bounds_a_loop():
    found = one(
        """
        start = time.monotonic()
        while True:
            try:
                client.get_account()  # TARGET
                break
            except Exception:
                if time.monotonic() - start > 30:
                    raise
                time.sleep(random.uniform(0, 1))
        """
    )
    assert found["bounded"] and not found["grows"]


def test_itertools_count_is_unbounded():
    assert not one(
        """
        for attempt in itertools.count():
            try:
                client.get_account()  # TARGET
                break
            except Exception:
                time.sleep(2 ** attempt)
        """
    )["bounded"]


def test_flag_loop_retries():
    assert one(
        """
        placed = False
        while not placed:
            try:
                client.order_market_buy(symbol="X", quantity=1)  # TARGET
                placed = True
            except Exception:
                time.sleep(1)
        """
    )["kind"] == "loop"


def test_except_continue_then_break_after_the_try():
    assert one(
        """
        for attempt in range(3):
            try:
                order = client.order_market_buy(symbol="X", quantity=1)  # TARGET
            except Exception:
                time.sleep(2 ** attempt)
                continue
            break
        """
    )["grows"]


def test_status_check_with_continue_retries():
    found = one(
        """
        def post(url, body):
            for attempt in range(5):
                resp = requests.post("https://api.binance.com/api/v3/order", data=body, timeout=10)  # TARGET
                if resp.status_code == 429:
                    time.sleep(2 ** attempt)
                    continue
                return resp.json()
        """
    )
    assert found["rate_limit"] and not found["retry_after"]
    assert found["problems"] == ["handles 429/418 without waiting for the `Retry-After` header"]


def test_status_check_that_honours_retry_after():
    found = one(
        """
        def post(url, body):
            for attempt in range(5):
                resp = requests.post("https://api.binance.com/api/v3/order", data=body, timeout=10)  # TARGET
                if resp.status_code in (429, 418):
                    time.sleep(int(resp.headers["Retry-After"]))
                    continue
                return resp.json()
        """
    )
    assert found["retry_after"] and found["problems"] == []


def test_a_429_branch_that_gives_up_is_not_a_rate_limit_retry():
    found = one(
        """
        for attempt in range(5):
            try:
                client.get_account()  # TARGET
                break
            except Exception as e:
                if e.status_code == 429:
                    raise
                time.sleep(2 ** attempt)
        """
    )
    assert not found["rate_limit"] and found["problems"] == []


@pytest.mark.parametrize(
    "source",
    [
        # a bot's main loop: it repeats on purpose
        """
        while True:
            try:
                client.order_market_buy(symbol="X", quantity=1)  # TARGET
            except Exception as e:
                print(e)
            time.sleep(60)
        """,
        # wait until the price is right, then buy once
        """
        while True:
            if client.get_symbol_ticker(symbol="X")["price"] < limit:
                client.order_market_buy(symbol="X", quantity=1)  # TARGET
                break
            time.sleep(5)
        """,
        # walk a list of orders
        """
        for i in range(len(orders)):
            try:
                client.create_order(**orders[i])  # TARGET
            except Exception:
                break
        """,
        # poll an order until it fills
        """
        while True:
            order = client.get_order(symbol="X", orderId=1)  # TARGET
            if order["status"] == "FILLED":
                break
            time.sleep(1)
        """,
        # a list of symbols is not a retry
        """
        for symbol in symbols:
            try:
                client.order_market_buy(symbol=symbol, quantity=1)  # TARGET
                break
            except Exception:
                time.sleep(1)
        """,
        # a stop check at the end of a polling loop
        """
        while True:
            client.order_market_buy(symbol="X", quantity=1)  # TARGET
            time.sleep(3600)
            if stop_requested():
                break
        """,
    ],
)
def test_loops_that_are_not_retries(source):
    assert retried_by(source) == []


def test_sleep_in_a_helper_the_loop_calls():
    found = one(
        """
        def pause(seconds):
            time.sleep(seconds)

        for attempt in range(5):
            try:
                client.get_account()  # TARGET
                break
            except Exception:
                pause(2 ** attempt)
        """
    )
    assert found["waits"] and found["grows"]


# --- tenacity, backoff, retrying -------------------------------------------------------------


@pytest.mark.parametrize(
    "decorator, waits, grows, bounded",
    [
        ("@retry", False, False, False),
        ("@retry()", False, False, False),
        ("@tenacity.retry(stop=tenacity.stop_after_attempt(3))", False, False, True),
        ("@retry(wait=wait_fixed(2), stop=stop_after_attempt(3))", True, False, True),
        ("@retry(wait=wait_fixed(1) + wait_random(0, 1), stop=stop_after_attempt(3))", True, False, True),
        ("@retry(wait=wait_exponential(multiplier=1), stop=stop_after_attempt(3))", True, True, True),
        ("@retry(wait=wait_exponential(multiplier=1))", True, True, False),
        ("@retry(wait=wait_exponential(), stop=stop_never)", True, True, False),
        ("@backoff.on_exception(backoff.expo, Exception, max_tries=5)", True, True, True),
        ("@backoff.on_exception(backoff.expo, Exception)", True, True, False),
        ("@backoff.on_exception(backoff.expo, Exception, max_time=60)", True, True, True),
        ("@backoff.on_exception(backoff.constant, Exception, interval=1, max_tries=3)", True, False, True),
        ("@backoff.on_predicate(backoff.fibo, lambda r: r is None, max_tries=4)", True, True, True),
    ],
)
def test_library_decorators(decorator, waits, grows, bounded):
    found = one(
        f"""
        {decorator}
        def price():
            return client.get_symbol_ticker(symbol="X")  # TARGET
        """
    )
    assert (found["waits"], found["grows"], found["bounded"]) == (waits, grows, bounded)


def test_retrying_library():
    analysis = analyse(
        """
        from retrying import retry as old_retry

        @old_retry(stop_max_attempt_number=5, wait_exponential_multiplier=1000)
        def price():
            return client.get_symbol_ticker(symbol="X")  # TARGET
        """
    )
    (construct,) = analysis.retries.enclosing(marked_call(analysis))
    assert (construct.kind, construct.backs_off) == ("retrying", True)


def test_custom_wait_that_reads_retry_after():
    found = one(
        """
        def wait_server(retry_state):
            return float(retry_state.outcome.exception().response.headers.get("Retry-After", 1))

        @retry(wait=wait_server, stop=stop_after_attempt(5), retry=tenacity.retry_if_exception_type(IOError))
        def account():
            return requests.get("https://api.binance.com/api/v3/account", timeout=10)  # TARGET
        """
    )
    assert found["retry_after"] and found["problems"] == []


def test_backoff_runtime_with_retry_after():
    found = one(
        """
        @backoff.on_predicate(backoff.runtime, predicate=lambda r: r.status_code == 429,
                              value=lambda r: int(r.headers["Retry-After"]), jitter=None, max_tries=5)
        def account():
            return requests.get("https://api.binance.com/api/v3/account", timeout=10)  # TARGET
        """
    )
    assert found["rate_limit"] and found["retry_after"] and found["problems"] == []


def test_decorated_function_reaches_helpers_in_the_module():
    analysis = analyse(
        """
        class Bot:
            def _send(self):
                return client.order_market_buy(symbol="X", quantity=1)  # TARGET

            def _place(self):
                return self._send()

            @backoff.on_exception(backoff.expo, Exception, max_tries=5)
            def run(self):
                self._place()
        """
    )
    (construct,) = analysis.retries.enclosing(marked_call(analysis))
    assert construct.kind == "backoff" and construct.backs_off


def test_for_attempt_in_retrying_with_attempt():
    found = one(
        """
        def f():
            for attempt in Retrying(stop=stop_after_attempt(3), wait=wait_exponential()):
                with attempt:
                    client.get_account()  # TARGET
        """
    )
    assert found["kind"] == "tenacity" and found["problems"] == []


def test_async_for_in_async_retrying_by_name():
    found = one(
        """
        async def f():
            retrying = AsyncRetrying(stop=stop_after_attempt(3), wait=wait_fixed(1))
            async for attempt in retrying:
                with attempt:
                    await client.get_account()  # TARGET
        """
    )
    assert found["problems"] == ["waits the same delay on every attempt"]


@pytest.mark.parametrize(
    "call",
    [
        "Retrying(stop=stop_after_attempt(3))(place, 1)",
        "retry(stop=stop_after_attempt(3))(place)(1)",
        "retryer = Retrying(stop=stop_after_attempt(3))\nretryer(place, 1)",
    ],
)
def test_retrying_objects_called_with_a_function(call):
    found = one(
        """
        def place(n):
            client.order_market_buy(symbol="X", quantity=n)  # TARGET

        """ + textwrap.indent(call, "        ").lstrip()
    )
    assert found["kind"] == "tenacity" and not found["waits"]


# --- recursion ---------------------------------------------------------------------------------


def test_recursion_from_an_except_with_a_counter():
    found = one(
        """
        def buy(qty, attempt=0):
            try:
                return client.order_market_buy(symbol="X", quantity=qty)  # TARGET
            except Exception:
                if attempt >= 4:
                    raise
                time.sleep(2 ** attempt)
                return buy(qty, attempt + 1)
        """
    )
    assert found["kind"] == "recursion" and found["problems"] == []


def test_unbounded_recursion_at_once():
    found = one(
        """
        def buy(qty):
            try:
                return client.order_market_buy(symbol="X", quantity=qty)  # TARGET
            except Exception:
                return buy(qty)
        """
    )
    assert found["problems"] == ["retries at once with no delay", "has no bound on attempts"]


def test_recursion_that_is_not_a_retry():
    assert retried_by(
        """
        def walk(items):
            if items:
                client.order_market_buy(symbol=items[0], quantity=1)  # TARGET
                walk(items[1:])
        """
    ) == []


# --- where the client order id is made -------------------------------------------------------


def made_inside(source: str) -> list[bool]:
    analysis = analyse(source)
    call = marked_call(analysis)
    order = analysis.orders.for_call(call)
    cid = analysis.orders.client_order_id(order)
    return [analysis.retries.created_inside(k, cid.value) is not None for k in analysis.retries.enclosing(call)]


def test_id_made_inside_a_loop():
    assert made_inside(
        """
        for attempt in range(3):
            try:
                client.order_market_buy(symbol="X", quantity=1, newClientOrderId=uuid.uuid4().hex)  # TARGET
                break
            except Exception:
                time.sleep(2 ** attempt)
        """
    ) == [True]


def test_id_made_before_the_loop():
    assert made_inside(
        """
        cid = uuid.uuid4().hex
        for attempt in range(3):
            try:
                client.order_market_buy(symbol="X", quantity=1, newClientOrderId=f"bot-{cid}")  # TARGET
                break
            except Exception:
                time.sleep(2 ** attempt)
        """
    ) == [False]


def test_id_passed_to_a_helper_from_inside_the_retried_function():
    assert made_inside(
        """
        def send(cid):
            client.order_market_buy(symbol="X", quantity=1, newClientOrderId=cid)  # TARGET

        @retry(stop=stop_after_attempt(3), wait=wait_exponential())
        def place():
            send(str(uuid.uuid4()))
        """
    ) == [True]


def test_id_passed_into_the_retried_function():
    assert made_inside(
        """
        def send(cid):
            client.order_market_buy(symbol="X", quantity=1, newClientOrderId=cid)  # TARGET

        @retry(stop=stop_after_attempt(3), wait=wait_exponential())
        def place(cid):
            send(cid)
        """
    ) == [False]


# --- urllib3 Retry -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments, posts",
    [
        ("total=3", False),
        ("total=3, allowed_methods=None", True),
        ("total=3, allowed_methods=['GET', 'post']", True),
        ("total=3, allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {'POST'}", True),
        ("total=3, method_whitelist=False", True),
        ("total=3, allowed_methods=frozenset({'GET'})", False),
    ],
)
def test_urllib3_retry_allowed_methods(arguments, posts):
    analysis = analyse(
        f"""
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        session = requests.Session()
        retry_policy = Retry({arguments}, backoff_factor=0.5)
        session.mount("https://api.binance.com", HTTPAdapter(max_retries=retry_policy))

        def account():
            return session.get("https://api.binance.com/api/v3/account", timeout=10)
        """
    )
    (http,) = analysis.retries.http_retries
    assert http.allows_post is posts
    assert http.backoff and http.prefix == "https://api.binance.com"
    (site,) = analysis.requests.sites
    assert analysis.retries.same_object(site.session_expr, http.session)


def test_urllib3_retry_on_another_session_is_not_the_same_object():
    analysis = analyse(
        """
        from requests.adapters import HTTPAdapter
        from urllib3 import Retry

        other = requests.Session()
        other.mount("https://", HTTPAdapter(max_retries=Retry(allowed_methods=None)))
        session = requests.Session()

        def account():
            return session.get("https://api.binance.com/api/v3/account", timeout=10)
        """
    )
    (http,) = analysis.retries.http_retries
    (site,) = analysis.requests.sites
    assert not analysis.retries.same_object(site.session_expr, http.session)


def test_no_retry_model_cost_without_constructs():
    analysis = analyse('client.get_account()  # TARGET\n')
    assert analysis.retries.constructs == []
    assert analysis.retries.enclosing(marked_call(analysis)) == []
