"""Retry helpers defined in a module: summarised as plain data, applied to what they run."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import libcst as cst

from binlint.analysis import Analysis
from binlint.analysis.module import ModuleModel
from binlint.analysis.retry_helpers import RetryHelper, summarize
from binlint.config import Config
from tests.helpers import findings

SOURCE = textwrap.dedent(
    """
    import time
    from binance.client import Client

    client = Client(api_key, api_secret)


    def retry(fn, *args):
        for attempt in range(20):
            try:
                return fn(*args)
            except Exception as error:
                print(error)
                time.sleep(1)


    def with_retries(fn):
        def wrapper(*args, **kwargs):
            while True:
                try:
                    return fn(*args, **kwargs)
                except Exception:
                    time.sleep(2)
        return wrapper


    def retrying(times=5):
        def decorate(fn):
            def wrapper(*args):
                for attempt in range(times):
                    try:
                        return fn(*args)
                    except ConnectionError:
                        time.sleep(2 ** attempt)
            return wrapper
        return decorate


    def sell(qty):
        return client.order_market_sell(symbol="BTCUSDT", quantity=qty)


    @with_retries
    def buy(qty):
        return client.order_market_buy(symbol="BTCUSDT", quantity=qty)


    @retrying(3)
    def cover(qty, cid):
        return client.futures_create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=qty,
                                           newClientOrderId=cid)


    class Bot:
        def retry(self, fn, *args, tries=5):
            for attempt in range(tries):
                try:
                    return fn(*args)
                except Exception:
                    time.sleep(2 ** attempt)

        def _sell(self, qty):
            return client.create_order(symbol="BTCUSDT", side="SELL", type="MARKET", quantity=qty)

        def run(self):
            self.retry(self._sell, 1)


    def plain(fn):
        return fn()


    retry(sell, 1)
    """
).lstrip("\n")


def test_summaries_are_plain_data():
    analysis = Analysis(ModuleModel(cst.parse_module(SOURCE), "bot.py", SOURCE), Config(root=Path.cwd()))
    helpers = {h.name: h for h in summarize(analysis)}
    assert set(helpers) == {"retry", "with_retries", "retrying", "Bot.retry"}  # not `plain`: it never retries
    assert (helpers["retry"].form, helpers["retry"].parameter, helpers["retry"].position) == ("call", "fn", 0)
    assert (helpers["retry"].waits, helpers["retry"].grows, helpers["retry"].bounded) == (True, False, True)
    assert helpers["retry"].failure == "unknown" and "except Exception" in helpers["retry"].failure_words
    assert helpers["with_retries"].form == "decorator" and not helpers["with_retries"].bounded
    assert helpers["retrying"].form == "factory" and helpers["retrying"].grows
    assert helpers["Bot.retry"].form == "call" and helpers["Bot.retry"].problems() == []
    # A round trip through JSON gives the same summary: it can be cached and used by other modules.
    for helper in helpers.values():
        assert RetryHelper.from_json(json.loads(json.dumps(helper.to_json()))) == helper


def test_functions_run_by_a_retry_helper_are_retried_by_it():
    found = [(f.code, f.line) for f in findings(SOURCE, select=("BL4",))]
    assert found == [
        ("BL403", 39),  # sell(), run by retry(): a new order id per attempt
        ("BL402", 42),  # @with_retries: a fixed 2 s and no bound
        ("BL403", 44),
        ("BL405", 49),  # @retrying(3) retries on ConnectionError with the same id and no look-up
        ("BL403", 62),  # Bot._sell via self.retry(self._sell, ...): grows and is bounded, but no id
        ("BL402", 72),  # retry(sell, 1): twenty attempts, one second apart
    ]
    messages = {(f.code, f.line): f.message for f in findings(SOURCE, select=("BL4",))}
    assert "retried by `retry(sell, 1)` on line 72 (the retry helper `retry` on line 7)" in messages[("BL403", 39)]
    assert "waits the same delay on every attempt" in messages[("BL402", 72)]
    assert "BL401" not in {code for code, _ in found}
