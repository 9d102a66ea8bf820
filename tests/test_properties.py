"""Property tests: any bytes, any text, any generated Python — the engine and every rule
answer without an exception, and fixes never leave code that does not parse.

Every generated source starts with Binance content, so it passes the byte gate and the
Binance-only rules run on it. Example counts are modest (the suite runs on two cores);
`BINLINT_PROPERTY_EXAMPLES=5` (a factor) runs them longer.
"""

from __future__ import annotations

import ast
import json
import os
import warnings
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from binlint.pipeline import fix
from binlint.config import Config
from binlint.pipeline.discover import FileKind
from binlint.pipeline.engine import FileResult, RunSettings, check_bytes
from binlint.pipeline.parse.nesting import too_deep
from binlint.rules import all_rules
from binlint.pipeline.suppress import parse as parse_suppressions
from binlint.testing import fake_key, fill

# hypothesmith compiles what it generates; Python warns about code like `1()`.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
SCALE = int(os.environ.get("BINLINT_PROPERTY_EXAMPLES", "1"))
SETTINGS = RunSettings(Config(root=Path.cwd()), warn_unused_ignores=True)


def examples(count: int) -> settings:
    return settings(max_examples=count * SCALE, deadline=None, suppress_health_check=list(HealthCheck))


# Heads that make a module Binance code, so every rule looks at what follows.
HEADS = (
    "import binance\n",
    "import hmac, hashlib, time, requests\nBASE = 'https://api.binance.com'\n",
    "from binance.client import Client\nclient = Client(api_key, api_secret)\n",
    "import ccxt\nexchange = ccxt.binance({'apiKey': key, 'secret': secret})\n",
    "import requests\nsession = requests.Session()\nsession.headers['X-MBX-APIKEY'] = key\n",
)
KINDS = {"bot.py": FileKind.PYTHON, "nb.ipynb": FileKind.NOTEBOOK, ".env": FileKind.TEXT, "c.json": FileKind.TEXT}


def check(data: bytes, name: str = "bot.py") -> FileResult:
    result = check_bytes(data, name, KINDS[name], SETTINGS)
    assert not result.errors, result.errors
    for finding in result.findings:  # every finding is whole: a place, a message, a fix text
        assert finding.line >= 1 and finding.column >= 1 and finding.message and finding.fix.text
    return result


# --- any bytes, any text ---------------------------------------------------------------------


@examples(300)
@given(head=st.sampled_from(HEADS), body=st.binary(max_size=3000), name=st.sampled_from(sorted(KINDS)))
def test_any_bytes(head: str, body: bytes, name: str) -> None:
    check(head.encode() + body, name)


@examples(300)
@given(head=st.sampled_from(HEADS), body=st.text(st.characters(blacklist_categories=("Cs",)), max_size=3000))
def test_any_text(head: str, body: str) -> None:
    check((head + body).encode("utf-8"))


# Pieces of Python, so random text is often nearly valid: deep brackets, half-open
# strings, suppression comments, Binance calls, odd newlines.
PIECES = st.sampled_from([
    "(", ")", "[", "]", "{", "}", ",", ":", ".", "+", "*", "**", "=", "==", " not ", " and ", " if ", " else ",
    " lambda: ", "'", '"', "'''", "f'{", "}'", "\\", "#", "\n", "\r\n", "\r", "    ", "\t", "\x0c", "x", "1",
    "1e5", "None", "def f(x):\n    ", "class C:\n    ", "elif x:\n    ", "try:\n    pass\nexcept E:\n    ",
    "requests.post(", "requests.get(URL, params=p", "hmac.new(secret.encode(), q.encode(), hashlib.sha256)",
    ".hexdigest()", "urlencode(params)", "params['timestamp'] = int(time.time())", "'signature'",
    "'http://api.binance.com/api/v3/order'", "'/sapi/v1/capital/withdraw/apply'", "headers={'X-MBX-APIKEY': k}",
    "client.create_order(", "for attempt in range(5):\n    ", "while True:\n    ", "time.sleep(1)",
    "@retry\n", "'recvWindow': 70000", "verify=False", "timeout=None", "# binlint: ignore[BL501]",
    "# noqa: BL302", "# pragma: allowlist secret", "# binlint: skip-file", "api_key = ", "'@KEY@'", "'@SECRET@'",
    "'@PEM@'", "print(api_secret)", "os.environ['BINANCE_API_KEY']",
])


@examples(300)
@given(head=st.sampled_from(HEADS), pieces=st.lists(PIECES, max_size=120))
def test_python_like_text(head: str, pieces: list[str]) -> None:
    check(fill(head + "".join(pieces)).encode("utf-8"))


# --- Binance-like Python: valid code full of what the rules look at -------------------------------

NAMES = st.sampled_from([
    "params", "query", "payload", "sig", "signature", "secret", "api_secret", "api_key", "key", "ts", "url",
    "BASE_URL", "headers", "session", "client", "exchange", "resp", "attempt", "delay", "order_id", "self.secret",
    "self.session", "self.base_url", "data", "body", "e",
])
STRINGS = st.sampled_from([
    "https://api.binance.com", "http://api.binance.com", "https://fapi.binance.com/fapi/v1/order",
    "/api/v3/order", "/sapi/v1/capital/withdraw/apply", "/api/v3/ticker/price", "/wapi/v3/withdraw.html",
    "timestamp", "signature", "recvWindow", "X-MBX-APIKEY", "symbol", "BTCUSDT", "quantity", "price",
    "newClientOrderId", "BINANCE_API_KEY", "&signature=", "?", "@KEY@", "@SECRET@", "@PEM@", "your_api_key", "",
]).map(repr)
ATOMS = st.one_of(
    NAMES, STRINGS, st.integers(-10, 100_000).map(str),
    st.sampled_from(["time.time()", "int(time.time() * 1000)", "int(time.time())", "time.time_ns()", "None",
                     "True", "False", "0.001", "1e-05", "70000", "5000", "uuid.uuid4().hex", "hashlib.sha256",
                     "hashlib.md5", "os.environ['BINANCE_API_SECRET']"]),
)
CALLEES = st.sampled_from([
    "requests.get", "requests.post", "requests.delete", "session.post", "session.request", "httpx.post",
    "hmac.new", "hashlib.sha256", "urlencode", "urllib.parse.urlencode", "json.dumps", "str", "int", "float",
    "round", "format", "client.create_order", "client.new_order", "client.order_market_buy", "client.withdraw",
    "exchange.create_order", "time.sleep", "print", "logging.info", "logger.error", "os.getenv",
    "os.environ.get", "Client", "Spot", "ccxt.binance", "self._request", "sign", "base64.b64encode",
    "Retry", "HTTPAdapter", "session.mount", "'&'.join", "sorted", "dict", "Decimal",
])
KEYWORDS = st.sampled_from([
    "params", "data", "json", "headers", "timeout", "verify", "recvWindow", "recv_window", "symbol", "side",
    "quantity", "price", "newClientOrderId", "new_client_order_id", "digestmod", "api_key", "api_secret",
    "allowed_methods", "backoff_factor", "total", "wait", "stop",
])


def _call(parts: tuple[str, list[str], list[tuple[str, str]]]) -> str:
    callee, args, kwargs = parts
    return f"{callee}({', '.join([*args, *(f'{k}={v}' for k, v in dict(kwargs).items())])})"


def _primary(expression: str) -> str:
    """`expression` in brackets, so `.attr` applies to all of it (and `(5).json()` is a call)."""
    return f"({expression})"


EXPRESSIONS = st.recursive(ATOMS, lambda inner: st.one_of(
    st.tuples(CALLEES, st.lists(inner, max_size=3), st.lists(st.tuples(KEYWORDS, inner), max_size=3)).map(_call),
    st.tuples(inner, st.sampled_from(["+", "*", "%", "-", "or", "==", "<"]), inner).map(" ".join).map("({})".format),
    st.lists(st.tuples(STRINGS, inner), max_size=4).map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
    st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    st.tuples(inner.map(_primary), st.sampled_from([".encode()", ".hexdigest()", ".digest()", ".json()", ".items()",
                                                    ".copy()", "['signature']", "[0]", ".status_code", ".headers"])
              ).map("".join),
    st.tuples(NAMES, NAMES).map(lambda names: f'f"{{{names[0]}}}&signature={{{names[1]}}}"'),
    st.tuples(STRINGS, inner).map(lambda t: f"{t[0]} + {t[1]}"),
), max_leaves=10)
SIMPLE = st.one_of(
    st.tuples(NAMES, EXPRESSIONS).map(lambda t: f"{t[0]} = {t[1]}"),
    st.tuples(NAMES, STRINGS, EXPRESSIONS).map(lambda t: f"{t[0]}[{t[1]}] = {t[2]}"),
    st.tuples(NAMES, EXPRESSIONS).map(lambda t: f"{t[0]} += {t[1]}"),
    EXPRESSIONS,
    EXPRESSIONS.map("return {}".format),
    st.sampled_from(["time.sleep(2 ** attempt)", "time.sleep(1)", "delay *= 2", "break", "continue", "raise",
                     "pass", "import os", "from binance.client import Client", "import hmac, hashlib, time",
                     "params.pop('signature', None)", "del params['timestamp']", "session.headers.update(headers)",
                     "raise RuntimeError(f'bad key {api_key}')", "ts = int(time.time())  # binlint: ignore[BL302]",
                     "api_key = '@KEY@'  # pragma: allowlist secret", "requests.get(url)  # noqa: BL502",
                     # Whole Binance idioms, so the request and signing models have work to do.
                     "query = urlencode(params)", "params['timestamp'] = int(time.time() * 1000)",
                     "sig = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()",
                     "params['signature'] = sig", "params['timestamp'] = int(time.time())",
                     "resp = requests.post(BASE_URL + '/api/v3/order', params=params, headers=headers)",
                     "resp = session.get(f'{BASE_URL}/sapi/v1/account?{query}&signature={sig}')",
                     "headers = {'X-MBX-APIKEY': api_key}", "client = Client('@KEY@', '@SECRET@')",
                     "order = client.create_order(symbol='BTCUSDT', side='BUY', quantity=str(0.001))",
                     "exchange = ccxt.binance({'apiKey': '@KEY2@', 'secret': '@SECRET2@'})",
                     "params = {'symbol': 'BTCUSDT', 'recvWindow': 70000, 'timestamp': ts}",
                     "api_secret = '@SECRET@'", "print(api_key, api_secret)", "logging.info('key %s', api_key)",
                     "session.mount('https://', HTTPAdapter(max_retries=Retry(allowed_methods=None)))"]),
).map(lambda line: [line])
HEADERS = st.sampled_from([
    "def send(params, secret):", "def _sign(self, query):", "async def place(client, symbol):",
    "for attempt in range(5):", "while True:", "while attempt < 3:", "if resp.status_code == 429:",
    "if params:", "with requests.Session() as session:", "class Bot:",
    "@retry(wait=wait_exponential(), stop=stop_after_attempt(3))\ndef place():",
    "@backoff.on_exception(backoff.expo, Exception, max_tries=5)\ndef place():", "@retry\ndef place():",
])


def _compound(parts: tuple[str, list[list[str]], bool]) -> list[str]:
    header, blocks, guarded = parts
    body = ["    " + line for block in blocks for line in block] or ["    pass"]
    if guarded:
        return ["try:", *["    " + line for line in header.split("\n")], *["    " + line for line in body],
                "except Exception as e:", "    time.sleep(delay)"]
    return [*header.split("\n"), *body]


STATEMENTS = st.recursive(SIMPLE, lambda inner: st.tuples(HEADERS, st.lists(inner, min_size=1, max_size=4),
                                                          st.booleans()).map(_compound), max_leaves=12)
MODULES = st.tuples(st.sampled_from(HEADS), st.lists(STATEMENTS, min_size=1, max_size=8), st.integers(0, 3)).map(
    lambda t: fill(t[0] + "\n".join(line for block in t[1] for line in block) + "\n", t[2]))


@examples(250)
@given(MODULES)
def test_binance_like_code(source: str) -> None:
    """Valid code, dense with requests, signing, timestamps, retries and keys: every rule runs."""
    result = check(source.encode("utf-8"))
    assert result.parsed or any(f.code == "BL001" for f in result.findings) or result.skipped


def _assert_fix_keeps_it_parsable(data: bytes) -> None:
    outcome = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, SETTINGS, unsafe=True)
    assert not outcome.result.errors, outcome.result.errors
    refused = [w for w in outcome.warnings if "unparsable" in w]
    assert not refused, refused  # a rule proposed an edit that breaks the code
    if outcome.data != data:
        fixed = outcome.data.decode("utf-8")
        assert _parses(fixed), fixed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(fixed)  # Python agrees


@examples(150)
@given(MODULES)
def test_fixes_on_binance_like_code_keep_it_parsable(source: str) -> None:
    _assert_fix_keeps_it_parsable(source.encode("utf-8"))


# --- generated Python ----------------------------------------------------------------------------

GENERATED = st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node())


def _parses(source: str) -> bool:
    try:
        cst.parse_module(source)
    except Exception:  # noqa: BLE001 - libcst raises several types; any of them means "no"
        return False
    return True


@examples(150)
@given(head=st.sampled_from(HEADS), source=GENERATED)
def test_generated_python(head: str, source: str) -> None:
    text = head + source
    result = check(text.encode("utf-8", "surrogatepass"))
    if result.parsed or result.skipped:
        return
    assert any(f.code == "BL001" for f in result.findings)
    # BL001 only for code that is too deep to parse safely, or that libcst rejects.
    assert too_deep(text) is not None or not _parses(text)


# Python examples that carry fixes: generated code around them must keep the fixes sound.
FIXABLE = sorted({
    case.source for rule in all_rules() for case in rule.INVALID
    if case.fixed is not None and case.filename.endswith(".py")
})


@examples(150)
@given(snippet=st.sampled_from(FIXABLE), source=GENERATED, before=st.booleans(), seed=st.integers(0, 3))
def test_fixes_on_generated_sources_keep_them_parsable(snippet: str, source: str, before: bool, seed: int) -> None:
    snippet = fill(snippet, seed)
    text = source + "\n" + snippet if before else snippet.rstrip("\n") + "\n" + source
    _assert_fix_keeps_it_parsable(text.encode("utf-8", "surrogatepass"))


# --- notebooks ----------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
SOURCES = st.one_of(
    st.text(max_size=300),
    st.lists(st.text(max_size=60), max_size=8),
    st.lists(PIECES, max_size=40).map(lambda pieces: fill("".join(pieces))),
    JSON_VALUES,
)
CELLS = st.one_of(
    st.fixed_dictionaries({"cell_type": st.sampled_from(["code", "markdown", "raw", 5, None]), "source": SOURCES}),
    JSON_VALUES,
)


@examples(200)
@given(head=st.sampled_from(HEADS), cells=st.lists(CELLS, max_size=6), extra=st.dictionaries(
    st.sampled_from(["metadata", "nbformat", "cells_", "binance"]), JSON_VALUES, max_size=3))
def test_any_notebook(head: str, cells: list[object], extra: dict[str, object]) -> None:
    document = {"cells": [{"cell_type": "code", "source": head}, *cells], **extra}
    check(json.dumps(document).encode("utf-8", "surrogatepass"), "nb.ipynb")


# --- the small pieces every file goes through ---------------------------------------------------


@examples(300)
@given(st.text(max_size=2000))
def test_nesting_guard_and_suppressions_take_any_text(text: str) -> None:
    deep = too_deep(text)
    assert deep is None or (deep[0] >= 1 and deep[1] >= 1 and "nested too deeply" in deep[2])
    for python in (True, False):
        for suppression in parse_suppressions(text, python=python):
            assert suppression.line >= 1


@examples(100)
@given(source=hypothesmith.from_grammar())
def test_nesting_guard_passes_ordinary_generated_code(source: str) -> None:
    """The guard rejects only what is truly deep: generated code of ordinary size passes it."""
    assume(len(source) < 2000)
    assert too_deep(source) is None


def test_a_key_in_random_context_is_found_and_never_shown() -> None:
    """A sanity check that the properties above test a live engine: the secrets rules fire."""
    key = fake_key("property")
    result = check(f"import binance\napi_key = '{key}'\n".encode())
    assert [f.code for f in result.findings] == ["BL101"]
    assert key not in result.findings[0].message


@pytest.mark.parametrize("name", sorted(KINDS))
def test_empty_and_gate_only_inputs(name: str) -> None:
    for data in (b"", b"binance", b"\xef\xbb\xbf", b"binance\x00", b"\r\r\n\n", b"binance" * 10000):
        check(data, name)
