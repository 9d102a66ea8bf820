"""Hex keys (futures-testnet keys are 64 lowercase hex characters) and Binance's documentation
sample keys, known by value: in Python, in text files and in the detect-secrets plugin.

Every value is generated here (`fake_hex_key`, `fake_doc_sample`), none is committed.
"""

from __future__ import annotations

import pytest

from binlint.integrations.detect_secrets import BinanceApiKeyDetector, BinanceSecretKeyDetector
from binlint.testing import fake_doc_sample, fake_hex_key, fake_key, sha256_hex
from tests.helpers import findings, run_cli
from tests.test_detect_secrets import found_in

HEX_KEY, HEX_SECRET = fake_hex_key("h-key"), fake_hex_key("h-secret")


def bl1(source: str, filename: str = "bot.py") -> list[tuple[str, int, str]]:
    return [(f.code, f.line, f.severity.label) for f in findings(source, filename, select=("BL1",))]


def messages(source: str, filename: str = "bot.py") -> list[str]:
    return [f.message for f in findings(source, filename, select=("BL1",))]


# The shape seen in a course repository: a module that signs orders against the futures
# testnet, with both keys at module level passed to its order helper.
COURSE = f'''\
import hashlib, hmac, time
import requests

BASE = "https://testnet.binancefuture.com"
api_key = "{HEX_KEY}"
api_secret = "{HEX_SECRET}"


def place_order(key, secret, symbol, side, quantity):
    params = {{"symbol": symbol, "side": side, "type": "MARKET", "quantity": quantity,
              "timestamp": int(time.time() * 1000)}}
    query = "&".join(f"{{k}}={{v}}" for k, v in params.items())
    params["signature"] = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.post(BASE + "/fapi/v1/order", params=params, headers={{"X-MBX-APIKEY": key}}, timeout=10)


place_order(api_key, api_secret, "BTCUSDT", "BUY", 1)
'''


def test_testnet_hex_keys_of_a_course_bot_are_reported_as_testnet_style() -> None:
    assert bl1(COURSE) == [("BL101", 5, "error"), ("BL102", 6, "error")]
    found = messages(COURSE)
    assert all("testnet-style" in message for message in found)
    assert all(HEX_KEY not in message and HEX_SECRET not in message for message in found)


def test_hex_passed_to_an_sdk_or_sent_as_the_key_header_is_a_key() -> None:
    source = f'from binance.um_futures import UMFutures\nc = UMFutures(key="{HEX_KEY}", secret="{HEX_SECRET}")\n'
    assert bl1(source) == [("BL101", 2, "error"), ("BL102", 2, "error")]
    assert not any("testnet" in message for message in messages(source))  # no test network in play
    header = f'import requests\nrequests.get("https://example.org/x", headers={{"X-MBX-APIKEY": "{HEX_KEY}"}})\n'
    assert [code for code, _, _ in bl1(header)] == ["BL101"]
    spot = f'from binance.client import Client\nc = Client("{HEX_KEY}", "{HEX_SECRET}", testnet=True)\n'
    assert all("testnet-style" in message for message in messages(spot))


def test_hex_as_the_hmac_key_in_binance_code_is_the_secret() -> None:
    source = (f'import hashlib, hmac\nBASE = "https://fapi.binance.com"\n'
              f'def sign(q):\n    return hmac.new(b"{HEX_SECRET}", q.encode(), hashlib.sha256).hexdigest()\n')
    assert bl1(source) == [("BL102", 4, "error")]


@pytest.mark.parametrize("source", [
    # a digest under a key name, in code that is not Binance code
    f'API_KEY = "{HEX_KEY}"\n',
    # digests, signatures and checksums in Binance code
    f'from binance.client import Client\nEXPECTED_SHA256 = "{HEX_KEY}"\nchecksum = "{HEX_SECRET}"\n',
    f'from binance.client import Client\nsignature = "{HEX_KEY}"\napi_key_hash = "{HEX_SECRET}"\n',
    # a test vector: the hex key next to the signature it must give
    f'''import hashlib, hmac
BASE = "https://api.binance.com"
api_secret = "{HEX_SECRET}"
def test_sign():
    assert hmac.new(api_secret.encode(), b"symbol=X", hashlib.sha256).hexdigest() == "{sha256_hex()}"
''',
    f'''from binance.client import Client
def test_client():
    client = Client("{HEX_KEY}", "{HEX_SECRET}")
    expected_signature = "{sha256_hex()}"
''',
    # patterned hex is a placeholder
    'from binance.client import Client\nc = Client("0123456789abcdef" * 4, "' + "ab12" * 16 + '")\n',
])
def test_hex_that_is_no_key_stays_silent(source: str) -> None:
    assert bl1(source) == []


def test_documentation_samples_are_info_by_value_in_any_module() -> None:
    key, secret = fake_doc_sample("m", "key"), fake_doc_sample("m", "secret")
    source = f'"""Notes; the sample below is {key} in a docstring: no finding."""\nKEY = "{key}"\nVALUES = ["{secret}"]\n'
    assert bl1(source) == [("BL101", 2, "info"), ("BL102", 3, "info")]
    assert all("documentation sample" in message for message in messages(source))
    assert bl1(f'def f():\n    """Example: {key}"""\n') == []


def test_text_files_hex_and_samples() -> None:
    text = f"BINANCE_API_KEY={HEX_KEY}\nBINANCE_API_SECRET={HEX_SECRET}\nBINANCE_CHECKSUM={sha256_hex()}\n"
    assert bl1(text, ".env") == [("BL101", 1, "error"), ("BL102", 2, "error")]
    testnet = "# https://testnet.binancefuture.com\n" + text
    assert all("testnet-style" in message for message in messages(testnet, ".env"))
    # unnamed hex is a digest, not half of a pair
    assert bl1(f"binance:\n  - {HEX_KEY}\n  - {HEX_SECRET}\n", "hashes.yaml") == []
    # the documentation sample: in any file, under any name
    sample = f"curl -H 'X-Example: {fake_doc_sample('t')}' https://example.org\n"
    assert bl1(sample, "notes.sh") == [("BL101", 1, "info")]


def test_detect_secrets_plugin_agrees_on_hex() -> None:
    assert found_in(BinanceApiKeyDetector(), f"BINANCE_API_KEY={HEX_KEY}") == [HEX_KEY]
    assert found_in(BinanceSecretKeyDetector(), f"BINANCE_API_SECRET={HEX_SECRET}") == [HEX_SECRET]
    assert found_in(BinanceApiKeyDetector(), f"BINANCE_API_KEY={'0123456789abcdef' * 4}") == []
    assert found_in(BinanceApiKeyDetector(), f"CHECKSUM={HEX_KEY}") == []


def test_cli_never_prints_a_hex_key(tmp_path) -> None:
    (tmp_path / "bot.py").write_text(COURSE)
    done = run_cli("check", "--no-cache", "--format", "json", "bot.py", cwd=tmp_path)
    assert done.returncode == 1
    assert HEX_KEY not in done.stdout and HEX_SECRET not in done.stdout
    assert fake_key("unused") not in done.stdout
