"""BL101–BL104 on Python source: sinks, names, pairing, placeholders, messages, fixes, redaction."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

from binlint.config import Config
from binlint.pipeline.discover import kind_of
from binlint.pipeline.engine import RunSettings
from binlint.pipeline.fix import fix_bytes
from binlint.rules import get_rule
from binlint.testing import fake_doc_sample, fake_key, fake_pem, fill, sha256_hex
from tests.helpers import findings, run_cli

KEY, SECRET = fake_key("t-key"), fake_key("t-secret")
SHA256_HEX = sha256_hex("")


def bl1(source: str, filename: str = "bot.py", **kwargs: object) -> list:
    return [f for f in findings(source, filename, select=("BL1",), **kwargs)]  # type: ignore[arg-type]


def lines_of(found: list, code: str) -> list[int]:
    return [f.line for f in found if f.code == code]


# --- the fixes the rule examples promise ---------------------------------------------------

FIX_CASES = [
    (code, index, case)
    for code in ("BL101", "BL102", "BL103")
    for index, case in enumerate(get_rule(code).INVALID)  # type: ignore[union-attr]
    if case.fixed is not None
]


@pytest.mark.parametrize("code, index, case", FIX_CASES, ids=[f"{c}-{i}" for c, i, _ in FIX_CASES])
def test_unsafe_fix_gives_the_documented_source(code, index, case):
    settings = RunSettings(Config(root=Path.cwd()), (code,))
    kind = kind_of(case.filename, explicit=True)
    outcome = fix_bytes(fill(case.source, index).encode(), case.filename, kind, settings, unsafe=True)
    assert not outcome.warnings, outcome.warnings
    assert outcome.data.decode() == fill(case.fixed_source, index)
    assert not [f for f in outcome.result.findings if f.code == code]


def test_fix_is_not_applied_without_unsafe_fixes():
    source = f'from binance.client import Client\nclient = Client("{KEY}", "{SECRET}")\n'
    settings = RunSettings(Config(root=Path.cwd()), ("BL1",))
    outcome = fix_bytes(source.encode(), "bot.py", kind_of("bot.py"), settings, unsafe=False)
    assert outcome.data == source.encode()


def test_fix_uses_configured_env_var_names():
    config = Config(root=Path.cwd(), env_var_names=(("api-key", "MY_KEY"), ("api-secret", "MY_SECRET"),
                                                      ("private-key", "MY_PEM"), ("private-key-pass", "MY_PASS")))
    source = f'from binance.client import Client\nclient = Client("{KEY}", "{SECRET}")\n'
    found = bl1(source, config=config)
    assert [e.content for f in found for e in f.fix.edits if "environ" in e.content] == [
        'os.environ["MY_KEY"]', 'os.environ["MY_SECRET"]']
    assert "MY_KEY" in found[0].fix.text and "MY_SECRET" in found[1].fix.text


# --- sinks and names ----------------------------------------------------------------------------


def test_key_through_module_constant_into_client_is_one_finding_at_the_literal():
    source = f"""import os
from binance.client import Client

API_KEY = "{KEY}"


def make():
    return Client(API_KEY, os.environ["BINANCE_API_SECRET"])
"""
    found = bl1(source)
    assert [(f.code, f.line) for f in found] == [("BL101", 4)]
    assert "`Client(...)`" in found[0].message and "line 8" in found[0].message and "`API_KEY`" in found[0].message


def test_key_through_self_attribute_and_class_constant():
    source = f"""from binance.spot import Spot


class Bot:
    KEY = "{KEY}"

    def __init__(self):
        self.secret = "{SECRET}"
        self.client = Spot(Bot.KEY, self.secret)
"""
    found = bl1(source)
    assert [(f.code, f.line) for f in found] == [("BL101", 5), ("BL102", 8)]


def test_positional_and_keyword_sdk_arguments_of_every_sdk():
    cases = {
        "from binance import AsyncClient\nasync def f():\n    c = await AsyncClient.create(\"{k}\", \"{s}\")\n": 3,
        "from binance.cm_futures import CMFutures\nc = CMFutures(key=\"{k}\", secret=\"{s}\")\n": 2,
        "from unicorn_binance_rest_api import BinanceRestApiManager\n"
        "m = BinanceRestApiManager(api_key=\"{k}\", api_secret=\"{s}\")\n": 2,
        "from binance_common.configuration import ConfigurationRestAPI\n"
        "c = ConfigurationRestAPI(api_key=\"{k}\", api_secret=\"{s}\")\n": 2,
        "import ccxt.async_support as ccxt\nx = ccxt.binanceusdm({{'apiKey': '{k}', 'secret': '{s}'}})\n": 2,
        "import ccxt\nx = getattr(ccxt, 'binance')(dict(apiKey='{k}', secret='{s}'))\n": 2,
    }
    for template, line in cases.items():
        found = bl1(template.format(k=KEY, s=SECRET))
        assert sorted((f.code, f.line) for f in found) == [("BL101", line), ("BL102", line)], template


def test_sdk_sink_needs_no_name_and_a_wrong_name_does_not_change_the_kind():
    # The literal is called `token`, but it reaches the secret parameter: BL102.
    source = f'from binance.client import Client\ntoken = "{SECRET}"\nc = Client(api_secret=token, api_key=K)\n'
    assert [(f.code, f.line) for f in bl1(source)] == [("BL102", 2)]


def test_x_mbx_apikey_header_in_every_shape():
    shapes = [
        f'import requests\ns = requests.Session()\ns.headers["X-MBX-APIKEY"] = "{KEY}"\n',
        f'import requests\ns = requests.Session()\ns.headers.update({{"x-mbx-apikey": "{KEY}"}})\n',
        f'import urllib.request\nr = urllib.request.Request("u")\nr.add_header("X-MBX-APIKEY", "{KEY}")\n',
    ]
    for source in shapes:
        assert [(f.code, f.line) for f in bl1(source)] == [("BL101", 3)], source


def test_hmac_key_in_binance_code_is_the_secret_but_not_elsewhere():
    body = f'import hashlib, hmac\nSIG = hmac.new("{SECRET}".encode(), b"q", hashlib.sha256).hexdigest()\n'
    assert lines_of(bl1("from binance.client import Client\n" + body), "BL102") == [3]
    assert bl1(body) == []


def test_getenv_default_in_all_spellings():
    for call in ("os.getenv", "os.environ.get", "environ.get", "getenv"):
        source = f'import os\nfrom os import environ, getenv\nkey = {call}("BINANCE_API_KEY", "{KEY}")\n'
        found = bl1(source)
        assert [(f.code, f.line) for f in found] == [("BL101", 3)], call
        assert found[0].fix.edits[0].content == 'os.environ["BINANCE_API_KEY"]'
        assert found[0].fix.edits[0].column == len("key = ") + 1  # the whole call is replaced


def test_getenv_default_with_a_variable_name_of_the_users_own():
    source = f'import os\nimport binance\nsecret = os.getenv("EXCHANGE_SECRET", "{SECRET}")\n'
    found = bl1(source)
    assert [f.code for f in found] == ["BL102"]
    assert found[0].fix.edits[0].content == 'os.environ["EXCHANGE_SECRET"]'


def test_names_alone_need_binance_evidence():
    plain = f'API_KEY = "{KEY}"\nAPI_SECRET = "{SECRET}"\n'
    assert bl1(plain) == []
    assert len(bl1("import binance\n" + plain)) == 2
    assert [f.code for f in bl1(f'BINANCE_SECRET = "{SECRET}"\n')] == ["BL102"]
    assert [f.code for f in bl1(f'settings = {{"binance": {{}}, "binance_api_key": "{KEY}"}}\n')] == ["BL101"]


def test_names_in_dicts_keywords_defaults_and_tuples():
    source = f"""import binance

CONFIG = {{"api_key": "{KEY}"}}
def connect(api_secret="{SECRET}"):
    pass
connect(api_key="{fake_key(3)}")
KEY2, SECRET2 = "{fake_key(4)}", "{fake_key(5)}"
"""
    found = bl1(source)
    assert sorted((f.code, f.line) for f in found) == [
        ("BL101", 3), ("BL101", 6), ("BL102", 4), ("BL102", 7)]  # `KEY2` says nothing, `SECRET2` does


def test_names_that_are_about_a_key_rather_than_a_key_are_silent():
    source = f"""import binance
api_key_env = "{KEY}"
SECRET_PATH = "{SECRET}"
has_api_key = "{fake_key(9)}"
listen_key = "{fake_key(10)}"
"""
    assert bl1(source) == []


# --- placeholders, hex, doc samples -------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "x" * 64, "X" * 64, "0" * 64, "ab" * 32, "0123456789abcdef" * 4, "your_api_key", "<API_KEY>",
    "${BINANCE_API_KEY}", "{api_key}", string.ascii_letters + string.digits + "ab",
    "0123456789" * 6 + "0123", "YourApiKeyGoesHere" * 3 + "YourApiKey", KEY[:63], KEY + "A",
])
def test_placeholders_and_digests_never_fire(value):
    source = f'from binance.client import Client\nc = Client("{value}", "{value}")\nAPI_KEY = "{value}"\n'
    assert bl1(source) == []


def test_star_sixty_four_is_no_literal():
    assert bl1('from binance.client import Client\nc = Client("*" * 64, "x" * 64)\n') == []


def test_documentation_sample_fires_at_info_with_a_note():
    source = f'from binance.client import Client\nc = Client("{fake_doc_sample(1)}", S)\n'
    (finding,) = bl1(source)
    assert finding.code == "BL101" and finding.severity.label == "info"
    assert "documentation sample" in finding.message and "docs" in finding.message


# --- messages and redaction ---------------------------------------------------------------------


def test_pair_is_reported_twice_and_each_message_says_the_pair_leaked():
    source = f'from binance.client import Client\nK = "{KEY}"\nS = "{SECRET}"\nc = Client(K, S)\n'
    found = bl1(source)
    assert [(f.code, f.line) for f in found] == [("BL101", 2), ("BL102", 3)]
    assert "secret key is hard-coded too (line 3)" in found[0].message
    assert "API key is hard-coded too (line 2)" in found[1].message
    for finding in found:
        assert "pair leaked" in finding.message


def test_message_says_history_revoke_and_rotate_and_never_shows_the_key():
    source = f'from binance.client import Client\nc = Client("{KEY}", "{SECRET}")\n'
    for finding in bl1(source):
        text = finding.message + finding.fix.text
        assert "version-control history" in finding.message
        assert "revoke" in finding.message and "rotate" in finding.message
        assert KEY not in text and SECRET not in text
        assert KEY[:4] + "…" + KEY[-2:] in text or SECRET[:4] + "…" + SECRET[-2:] in text
        assert set(finding.secrets) & {KEY, SECRET}


def test_cli_outputs_never_print_the_key(tmp_path: Path):
    pem = fake_pem("cli")
    (tmp_path / "bot.py").write_text(
        f'import logging\nfrom binance.client import Client\nK = "{KEY}"\nc = Client(K, "{SECRET}", '
        f'private_key="{pem}")\nlogging.info("key %s", K)\nraise ValueError("{SECRET}")\n')
    (tmp_path / ".env").write_text(f"BINANCE_API_KEY={KEY}\nBINANCE_API_SECRET={SECRET}\n")
    body = pem.split("\\n")[1]
    for fmt in ("text", "json", "sarif", "github", "concise"):
        done = run_cli("check", ".", "--format", fmt, "--no-cache", cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        out = done.stdout + done.stderr
        assert "BL101" in out and "BL102" in out and "BL103" in out and "BL104" in out, fmt
        assert KEY not in out and SECRET not in out and body not in out, fmt
    diff = run_cli("check", "bot.py", "--unsafe-fixes", "--diff", "--no-cache", cwd=tmp_path)
    assert 'os.environ["BINANCE_API_KEY"]' in diff.stdout
    assert KEY not in diff.stdout + diff.stderr and SECRET not in diff.stdout + diff.stderr


def test_json_finding_points_at_the_literal(tmp_path: Path):
    (tmp_path / "bot.py").write_text(f'from binance.client import Client\nclient = Client(api_key="{KEY}", '
                                     'api_secret=SECRET)\n')
    done = run_cli("check", "bot.py", "--format", "json", "--select", "BL101", "--no-cache", cwd=tmp_path)
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["line"], finding["column"], finding["end_column"]) == (2, 25, 25 + 66)
    assert finding["fix"]["applicability"] == "unsafe"


def test_explain_shows_examples_redacted():
    for code in ("BL101", "BL102", "BL103", "BL104"):
        done = run_cli("explain", code)
        assert done.returncode == 0
        assert "@KEY@" not in done.stdout and "@SECRET@" not in done.stdout and "## Use instead" in done.stdout


def test_suppression_comments_silence_bl1():
    base = f'from binance.client import Client\nc = Client("{KEY}", S)'
    assert bl1(base + "  # pragma: allowlist secret\n") == []
    assert bl1(base + "  # binlint: ignore[BL101]\n") == []
    assert bl1(base + "  # noqa: BL101\n") == []


# --- BL103 --------------------------------------------------------------------------------------


def test_pem_reaching_private_key_through_a_constant():
    source = f'from binance.spot import Spot\nPEM = """{fake_pem(1)}"""\nc = Spot(K, private_key=PEM)\n'
    found = bl1(source)
    assert [(f.code, f.line) for f in found] == [("BL103", 2)]
    assert "private key" in found[0].message and "BEGIN" not in found[0].message
    assert fake_pem(1).split("\\n")[1] not in found[0].message + found[0].fix.text


def test_pem_in_non_binance_module_and_public_key_are_silent():
    assert bl1(f'SERVER_KEY = "{fake_pem(2)}"\n') == []
    assert bl1('import binance\nPUB = "-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEA' + "A" * 44 + '\\n"\n') == []


def test_pem_named_private_key_with_binance_in_the_name():
    assert lines_of(bl1(f'BINANCE_PRIVATE_KEY = "{fake_pem(3)}"\n'), "BL103") == [1]


def test_passphrase_placeholders_are_silent():
    for value in ("", "None", "your_passphrase", "<PASSPHRASE>", "${PASS}", "xxxx"):
        source = f'from binance.client import Client\nc = Client(K, private_key=P, private_key_pass="{value}")\n'
        assert bl1(source) == [], value


# --- BL104 --------------------------------------------------------------------------------------


def bl104(source: str) -> list[int]:
    return [f.line for f in findings(source, select=("BL104",))]


def test_bl104_print_log_raise_write_and_send():
    head = 'import json, logging, os, requests\nfrom binance.client import Client\nlogger = logging.getLogger("x")\n'
    head += 'secret = os.environ["BINANCE_API_SECRET"]\nkey = os.environ["BINANCE_API_KEY"]\n'
    exposed = [
        'print("secret:", secret)',
        'logger.warning(f"secret={secret}")',
        'logging.error("key " + key)',
        'raise RuntimeError("bad secret %s" % secret)',
        'open("out.txt", "w").write(secret)',
        'requests.post("https://api.binance.com/api/v3/order", data={"signature": s, "secretKey": secret})',
        'requests.get("https://api.binance.com/api/v3/account", headers={"X-MBX-APIKEY": secret})',
        'requests.get(f"https://api.binance.com/api/v3/account?apiKey={key}")',
        'requests.get("https://api.binance.com/api/v3/ticker", json={"key": key})',
        'ws.send(json.dumps({"secret": secret}))',
        'print("{}".format(secret.strip()))',
        'print(str(secret).encode())',
    ]
    for line in exposed:
        assert bl104(head + line + "\n") == [6], line


def test_bl104_correct_use_is_silent():
    head = 'import hashlib, hmac, json, logging, os, requests, ccxt\nfrom binance.client import Client\n'
    head += 'log = logging.getLogger("x")\nsecret = os.environ["BINANCE_API_SECRET"]\n'
    head += 'key = os.environ["BINANCE_API_KEY"]\n'
    silent = [
        "client = Client(key, secret)",
        "ex = ccxt.binance({'apiKey': key, 'secret': secret})",
        "sig = hmac.new(secret.encode(), b'q', hashlib.sha256).hexdigest()",
        'requests.get("https://api.binance.com/api/v3/account", headers={"X-MBX-APIKEY": key}, timeout=5)',
        'log.info("key set: %s, tail %s, len %d", bool(key), key[-4:], len(secret))',
        'print(f"secret configured: {secret is not None}")',
        'raise RuntimeError("BINANCE_API_SECRET is not set")',
        'ws.send(json.dumps({"method": "session.logon", "params": {"apiKey": key, "signature": sig}}))',
        'print(mask(secret))',
    ]
    for line in silent:
        assert bl104(head + line + "\n") == [], line


def test_bl104_names_alone_need_binance_evidence():
    assert bl104('import logging\nsecret = load()\nlogging.info("secret %s", secret)\n') == []
    assert bl104('import logging\nimport binance\nsecret = load()\nlogging.info("secret %s", secret)\n') == [4]
    assert bl104('import os\nprint(os.environ["BINANCE_API_SECRET"])\n') == [2]


def test_bl104_message_names_the_variable_and_channel():
    source = ('import os, requests\nAPI_SECRET = os.environ["BINANCE_API_SECRET"]\n'
              'def f(params):\n    params["apiSecret"] = API_SECRET\n'
              '    return requests.get("https://api.binance.com/sapi/v1/x", params=params)\n')
    (finding,) = findings(source, select=("BL104",))
    assert finding.line == 5
    assert "`API_SECRET`" in finding.message and "`params=`" in finding.message and "secret" in finding.message
    assert "signature" in finding.fix.text


def test_bl104_literal_key_printed_is_reported_redacted():
    source = f'from binance.client import Client\nprint("{KEY}")\nc = Client("{KEY}", S)\n'
    found = findings(source, select=("BL1",))
    assert sorted(f.code for f in found) == ["BL101", "BL104"]
    exposed = next(f for f in found if f.code == "BL104")
    assert KEY not in exposed.message and KEY[:4] in exposed.message
