"""Reaching definitions (analysis/flow.py): each use of a reassigned name sees its own value.

Unit tests of `ModuleModel.reaching` on small shapes, then wrong/right twins through every
rule: a reassigned `url`, `params` or path constant gives each request its own endpoint.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from binlint.analysis.module import ModuleModel
from binlint.analysis.values import string_value
from binlint.config import Config
from binlint.pipeline.discover import FileKind
from binlint.pipeline.engine import RunSettings, check_bytes
from binlint.pipeline.parse.incremental import DocumentParser
from tests.helpers import findings


def _model(source: str) -> ModuleModel:
    return ModuleModel(cst.parse_module(source), "bot.py", source)


def _reaching_lines(source: str, marker: str) -> list[int] | None:
    """The lines of the bindings that reach the use of `x` on the line ending with `# marker`."""
    model = _model(source)
    line = next(i for i, text in enumerate(source.splitlines(), 1) if text.rstrip().endswith(f"# {marker}"))
    uses = [n for n in model.tree.of_type(cst.Name) if n.value == "x" and model.line(n) == line
            and model.reaching(n) is not None]
    assert len(uses) == 1, uses
    found = model.reaching(uses[0])
    return None if found is None else [model.line(b.statement) for b in found]


def _url_at(source: str, marker: str) -> str | None:
    model = _model(source)
    line = next(i for i, text in enumerate(source.splitlines(), 1) if text.rstrip().endswith(f"# {marker}"))
    call = next(c for c in model.calls() if model.line(c) == line)
    value = string_value(model, call.args[0].value)
    return None if value is None else value.text


STRAIGHT = """\
def f():
    x = 1
    use(x)  # first
    x = 2
    use(x)  # second
"""

BRANCHES = """\
def f(a):
    x = 1
    if a:
        x = 2
    use(x)  # one-branch
    if a:
        x = 3
    elif b:
        x = 4
    else:
        x = 5
    use(x)  # three-branches
    if a:
        x = 6
        return x  # in-branch
    use(x)  # after-return
"""

LOOPS = """\
def f(items):
    x = 1
    for item in items:
        use(x)  # loop-head
        x = 2
        use(x)  # loop-body
    use(x)  # after-loop
    while True:
        x = 3
        break
    use(x)  # after-while
"""

TRY = """\
def f():
    x = 1
    try:
        x = 2
        work()
    except ValueError:
        use(x)  # handler
        x = 3
    use(x)  # after-try
"""

MODULE = """\
x = 1
use(x)  # top-first
x = 2
use(x)  # top-second
def g():
    return x  # in-function
"""


@pytest.mark.parametrize("source, marker, lines", [
    (STRAIGHT, "first", [2]),
    (STRAIGHT, "second", [4]),
    (BRANCHES, "one-branch", [2, 4]),
    (BRANCHES, "three-branches", [7, 9, 11]),
    (BRANCHES, "in-branch", [14]),
    (BRANCHES, "after-return", [7, 9, 11]),
    (LOOPS, "loop-head", [2, 5]),
    (LOOPS, "loop-body", [5]),
    (LOOPS, "after-loop", [2, 5]),
    (LOOPS, "after-while", [2, 5, 9]),
    (TRY, "handler", [2, 4]),
    (TRY, "after-try", [4, 8]),
    (MODULE, "top-first", [1]),
    (MODULE, "top-second", [3]),
    (MODULE, "in-function", None),  # another scope's name: every binding may reach it
])
def test_reaching_definitions(source: str, marker: str, lines: list[int] | None) -> None:
    if lines is None:
        model = _model(source)
        use = [n for n in model.tree.of_type(cst.Name) if n.value == "x"][-1]
        assert model.reaching(use) is None
        assert len(model.bindings(use)) == 2
    else:
        assert _reaching_lines(source, marker) == lines


def test_a_comprehension_target_is_not_the_outer_name() -> None:
    model = _model("def f(items):\n    x = 1\n    return [x for x in items]\n")
    inner = [n for n in model.tree.of_type(cst.Name) if n.value == "x"]
    assert all(model.reaching(n) is None for n in inner[1:])


def test_each_use_gets_its_own_value() -> None:
    source = """\
BASE = "https://api.binance.com"
def f(testnet):
    url = BASE + "/api/v3/order"
    post(url)  # order
    url = BASE + "/api/v3/openOrders"
    get(url)  # open
    url = url + "?symbol=BTCUSDT"
    get(url)  # self
    if testnet:
        url = "https://testnet.binance.vision/api/v3/order"
    else:
        url = "https://api.binance.com/api/v3/order"
    post(url)  # joined
"""
    assert _url_at(source, "order") == "https://api.binance.com/api/v3/order"
    assert _url_at(source, "open") == "https://api.binance.com/api/v3/openOrders"
    assert _url_at(source, "self") == "https://api.binance.com/api/v3/openOrders?symbol=BTCUSDT"
    assert _url_at(source, "joined") == "https://\ufffc/api/v3/order"


def test_a_module_constant_set_twice_to_one_value_resolves_in_functions() -> None:
    source = 'PATH = "/api/v3/order"\nPATH = "/api/v3/order"\ndef f():\n    post(PATH)  # use\n'
    assert _url_at(source, "use") == "/api/v3/order"
    differing = 'PATH = "/api/v3/order"\nPATH = "/api/v3/account"\ndef f():\n    post(PATH)  # use\n'
    assert _url_at(differing, "use") is None


# --- through the rules: wrong and right twins ------------------------------------------------

HEAD = """\
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

BASE = "https://api.binance.com"
SECRET = os.environ["BINANCE_API_SECRET"].encode()
HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}


def signed(params):
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return params

"""
STAMP = '"timestamp": int(time.time() * 1000), "recvWindow": 5000'

TWINS = {
    # url reassigned in one function: the order POST is an order (BL401), the GET is not
    "reassigned-url": (f"""
def trade():
    url = BASE + "/api/v3/order"
    requests.post(url, params=signed({{"symbol": "BTCUSDT", {STAMP}}}), headers=HEADERS, timeout=10)  # BL401
    url = BASE + "/api/v3/openOrders"
    return requests.get(url, params=signed({{"symbol": "BTCUSDT", {STAMP}}}), headers=HEADERS, timeout=10)
""", f"""
def trade():
    url = BASE + "/api/v3/account"
    requests.get(url, params=signed({{{STAMP}}}), headers=HEADERS, timeout=10)
    url = BASE + "/api/v3/openOrders"
    return requests.get(url, params=signed({{"symbol": "BTCUSDT", {STAMP}}}), headers=HEADERS, timeout=10)
"""),
    # params reassigned: the second request's payload has no timestamp (BL301)
    "reassigned-params": (f"""
def orders():
    params = {{"symbol": "BTCUSDT", {STAMP}}}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    requests.get(BASE + "/api/v3/openOrders", params=params, headers=HEADERS, timeout=10)
    params = {{"symbol": "BTCUSDT", "recvWindow": 5000}}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/allOrders", params=params, headers=HEADERS, timeout=10)  # BL301
""", f"""
def orders():
    params = {{"symbol": "BTCUSDT", {STAMP}}}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    requests.get(BASE + "/api/v3/openOrders", params=params, headers=HEADERS, timeout=10)
    params = {{"symbol": "BTCUSDT", {STAMP}}}
    params["signature"] = hmac.new(SECRET, urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/allOrders", params=params, headers=HEADERS, timeout=10)
"""),
    # a module constant reassigned at top level: each request sees the value set above it
    "module-constant": (f"""
uri_path = "/api/v3/account"
requests.get(BASE + uri_path, params=signed({{{STAMP}}}), headers=HEADERS, timeout=10)
uri_path = "/api/v3/order"
requests.post(BASE + uri_path, params=signed({{"symbol": "X", {STAMP}}}), headers=HEADERS, timeout=10)  # BL401
""", f"""
uri_path = "/api/v3/account"
requests.get(BASE + uri_path, params=signed({{{STAMP}}}), headers=HEADERS, timeout=10)
uri_path = "/api/v3/openOrders"
requests.get(BASE + uri_path, params=signed({{"symbol": "X", {STAMP}}}), headers=HEADERS, timeout=10)
"""),
    # a name assigned in both branches of an if: both are order URLs
    "both-branches": (f"""
def buy(testnet):
    if testnet:
        url = "https://testnet.binance.vision/api/v3/order"
    else:
        url = BASE + "/api/v3/order"
    return requests.post(url, params=signed({{"symbol": "X", {STAMP}}}), headers=HEADERS, timeout=10)  # BL401
""", """
def book(testnet):
    if testnet:
        url = "https://testnet.binance.vision/api/v3/depth"
    else:
        url = BASE + "/api/v3/depth"
    return requests.get(url, params={"symbol": "X"}, timeout=10)
"""),
    # a loop that reassigns: the price GET, then the order POST of each round
    "loop": (f"""
def rebalance(symbols):
    url = BASE + "/api/v3/ticker/price"
    for symbol in symbols:
        requests.get(url, params={{"symbol": symbol}}, timeout=10)
        url = BASE + "/api/v3/order"
        requests.post(url, params=signed({{"symbol": symbol, {STAMP}}}), headers=HEADERS, timeout=10)  # BL401
""", """
def prices(symbols):
    url = BASE + "/api/v3/ticker/price"
    for symbol in symbols:
        requests.get(url, params={"symbol": symbol}, timeout=10)
        url = BASE + "/api/v3/ticker/bookTicker"
        requests.get(url, params={"symbol": symbol}, timeout=10)
"""),
    # a helper reassigns its parameter from itself: the caller's value flows through
    "parameter-reassigned": ("""
def call(method, path, query):
    path = "/api/v3/" + path
    return requests.request(method, BASE + path + "?" + query, headers=HEADERS, timeout=10)

def buy(query):
    return call("POST", "order", query)  # BL401
""", """
def call(method, path, query):
    path = "/api/v3/" + path
    return requests.request(method, BASE + path + "?" + query, headers=HEADERS, timeout=10)

def open_orders(query):
    return call("GET", "openOrders", query)
"""),
}


def test_many_reaching_assignments_are_not_listed() -> None:
    """A use reached by more than a few assignments is not followed (each use's list stays small)."""
    source = "def f(a):\n    x = 0\n" + "".join(f"    if a == {i}:\n        x = {i}\n" for i in range(12))
    model = _model(source + "    use(x)\n")
    use = [n for n in model.tree.of_type(cst.Name) if n.value == "x"][-1]
    assert model.reaching(use) is None and model.value_of(use) is use
    few = _model("def f(a):\n    x = 0\n    if a:\n        x = 1\n    use(x)\n")
    assert len(few.reaching([n for n in few.tree.of_type(cst.Name) if n.value == "x"][-1]) or ()) == 2


def _expected(source: str) -> list[tuple[int, str]]:
    return [(number, text.rsplit("# ", 1)[1].strip()) for number, text in enumerate(source.splitlines(), 1)
            if text.rstrip().endswith(("# BL401", "# BL301"))]


@pytest.mark.parametrize("shape", sorted(TWINS))
def test_wrong_shape_fires_at_the_expected_line(shape: str) -> None:
    source = HEAD + TWINS[shape][0]
    found = [(f.line, f.code) for f in findings(source)]
    assert found == _expected(source)


@pytest.mark.parametrize("shape", sorted(TWINS))
def test_right_shape_is_silent(shape: str) -> None:
    assert findings(HEAD + TWINS[shape][1]) == []


def test_spliced_trees_give_the_same_flow_findings() -> None:
    """Edits in the editor that change which assignment reaches a request: the language
    server's spliced trees and whole parses agree."""
    settings = RunSettings(Config(root=Path.cwd()))
    source = HEAD + TWINS["reassigned-url"][0]
    versions = [
        source,
        source.replace('    url = BASE + "/api/v3/openOrders"\n', '    url = BASE + "/api/v3/order"\n')
        .replace("return requests.get(url", "return requests.post(url"),
        source.replace('    url = BASE + "/api/v3/order"\n', '    url = BASE + "/api/v3/account"\n'),
        source.replace('    url = BASE + "/api/v3/openOrders"\n', ""),
        source,
    ]
    parser = _CountingParser()
    for version in versions:
        data = version.encode()
        with_parser = check_bytes(data, "bot.py", FileKind.PYTHON, settings, parser)
        whole = check_bytes(data, "bot.py", FileKind.PYTHON, settings)
        assert with_parser.findings == whole.findings
    assert [f.code for f in check_bytes(versions[1].encode(), "bot.py", FileKind.PYTHON, settings).findings] \
        == ["BL401", "BL401"]
    assert parser.spliced >= 2


class _CountingParser(DocumentParser):
    def __init__(self) -> None:
        super().__init__()
        self.spliced = 0

    def reparse(self, source: str) -> cst.Module | None:
        module = super().reparse(source)
        self.spliced += module is not None
        return module
