"""The rules read the Binance facts from the analysis data tables: one entry there changes them."""

from __future__ import annotations

import dataclasses

import pytest

from binlint.analysis import binance, orders, sdk_facts
from tests.helpers import codes

ICEBERG = """
from binance.client import Client

client = Client(api_key, api_secret)
part = balance * 0.1
client.order_limit_sell(symbol="SHIBUSDT", quantity="100", price="0.00001", icebergQty=str(part))
"""


@pytest.mark.parametrize("host", sorted(binance.REST_HOSTS))
def test_bl501_knows_every_rest_host_of_the_table(host):
    source = f'import requests\n\nrequests.get("http://{host}/api/v3/time", timeout=10)\n'
    assert binance.HTTP_URL.search(source) is not None
    assert codes(source, select=("BL501",)) == ["BL501"]
    assert codes(source.replace("http://", "https://"), select=("BL501",)) == []


def test_bl504_reads_the_decimal_parameters_from_the_orders_table(monkeypatch):
    assert codes(ICEBERG, select=("BL504",)) == []
    monkeypatch.setattr(orders, "DECIMAL_PARAMS", orders.DECIMAL_PARAMS | {"icebergQty"})
    assert codes(ICEBERG, select=("BL504",)) == ["BL504"]


def test_bl504_reads_which_sdks_format_with_str_from_the_orders_table(monkeypatch):
    # A float passed as it is: python-binance sends it as str(value), which can read 1e-05.
    source = ICEBERG.replace(", icebergQty=str(part)", "").replace('quantity="100"', "quantity=part")
    assert codes(source, select=("BL504",)) == ["BL504"]
    entry = dataclasses.replace(sdk_facts.PYTHON_BINANCE, formats_amounts=True)
    monkeypatch.setattr(sdk_facts, "REGISTRY", sdk_facts.REGISTRY.with_sdk(entry))
    assert codes(source, select=("BL504",)) == []


@pytest.mark.parametrize("host", sorted(binance.REST_HOSTS))
def test_every_rest_host_holds_the_word_binance_host_looks_for_first(host):
    # binance_host() answers None at once for an ASCII string without the word.
    assert binance._HOST_WORD in host.lower()
    assert binance.binance_host(f"https://{host.upper()}/api/v3/order") == host.lower()
    assert binance.binance_host(f"https://{host.replace('binance', 'b1nance')}/api/v3/order") is None
