"""The byte gate: what makes a file worth parsing."""

from __future__ import annotations

import pytest

from binlint.pipeline.gate import has_key_shaped_run, worth_parsing
from binlint.testing import fake_key


@pytest.mark.parametrize(
    "data",
    [
        b"from binance.client import Client\n",
        b"import ccxt\nx = ccxt.Binance()\n",
        b"headers = {'X-MBX-APIKEY': k}\n",
        b"params = {'recvWindow': 5000}\n",
        b"url = base + '/api/v3/order'\n",
        b"url = base + '/sapi/v1/capital/withdraw/apply'\n",
        b"url = '/fapi/v1/order'\n",
    ],
)
def test_binance_content_passes(data: bytes):
    assert worth_parsing(data)


def test_a_key_shaped_literal_passes():
    assert worth_parsing(f'KEY = "{fake_key(1)}"\n'.encode())


@pytest.mark.parametrize(
    "data",
    [
        b"import os\nprint('hello')\n",
        b"digest = '" + b"0123456789abcdef" * 4 + b"'\n",  # a SHA-256 hex digest
        b"x = '" + b"A" * 65 + b"'\n",  # too long to be a key
        b"y = '" + b"a" * 63 + b"'\n",  # too short
        b"url = '/api/v2/things'\n",
    ],
)
def test_other_content_is_rejected(data: bytes):
    assert not worth_parsing(data)


def test_key_shaped_run_is_exactly_64_and_bounded():
    key = fake_key(2).encode()
    assert has_key_shaped_run(b"=" + key + b";")
    assert not has_key_shaped_run(b"=" + key + b"x;")
    assert not has_key_shaped_run(b"x" + key)
    assert has_key_shaped_run(b"a" * 80 + b" " + key)
