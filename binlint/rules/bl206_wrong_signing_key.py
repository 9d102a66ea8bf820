"""The HMAC is keyed with the API key, or with an RSA/Ed25519 private key, instead of the secret.

## What it does
Follows the key of `hmac.new(key, ...)` (through variables, `self` attributes and helper
parameters) and reports it when it is the API key — a name such as `api_key`/`API_KEY`,
or the very value sent as the `X-MBX-APIKEY` header — or a PEM private key (a literal,
a `.pem` file, a `private_key` variable).

## Why is this bad?
Binance verifies HMAC signatures with the secret key that belongs to the API key; an
HMAC keyed with anything else fails with `-1022`. An RSA or Ed25519 key is not an HMAC
secret at all: those keys sign with their own algorithm, and the API key must be
registered as that type.

## Example
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

API_KEY = os.environ["BINANCE_API_KEY"]
API_SECRET = os.environ["BINANCE_API_SECRET"]


def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(API_KEY.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}",
                        headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
```

## Use instead
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

API_KEY = os.environ["BINANCE_API_KEY"]
API_SECRET = os.environ["BINANCE_API_SECRET"]


def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}",
                        headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
```

## Fix safety
Advice only: binlint cannot know where your secret is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

import libcst as cst

from binlint.analysis.binance import API_KEY_HEADER
from binlint.analysis.credentials import signing_key_role
from binlint.analysis.signing import short
from binlint.analysis.values import Env, dotted_text, literal_text, mentions, module_index
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis

_HEAD = """\
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

API_KEY = os.environ["BINANCE_API_KEY"]
API_SECRET = os.environ["BINANCE_API_SECRET"]
URL = "https://api.binance.com/api/v3/account"
"""


class WrongSigningKey(Rule):
    code = "BL206"
    name = "wrong-signing-key"
    severity = Severity.ERROR
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(_HEAD + """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{URL}?{query}&signature={signature}", headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
"""),
        Valid(_HEAD + """
def sign(key: bytes, query: str) -> str:
    return hmac.new(key, query.encode(), hashlib.sha256).hexdigest()

def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    return requests.get(f"{URL}?{query}&signature={sign(API_SECRET.encode(), query)}",
                        headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
"""),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(_HEAD + """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(API_KEY.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{URL}?{query}&signature={signature}", headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
""", line=11),
        Invalid(_HEAD + """
class Client:
    def __init__(self, key, secret):
        self.key = key
        self.secret = secret
        self.session = requests.Session()
        self.session.headers.update({"X-MBX-APIKEY": self.key})

    def _sign(self, key, query):
        return hmac.new(key.encode(), query.encode(), hashlib.sha256).hexdigest()

    def account(self):
        query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
        return self.session.get(f"{URL}?{query}&signature={self._sign(self.key, query)}", timeout=10)
""", line=17),
        Invalid(_HEAD + """
PRIVATE_KEY = open("binance_ed25519.pem").read()

def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(PRIVATE_KEY.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{URL}?{query}&signature={signature}", headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
""", line=13),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        model = analysis.model
        signing = analysis.signing
        header_values = self._header_values(analysis)
        seen: set[int] = set()
        digests = [(f.digest, f.digest.env) for f in signing.binance_signings if f.digest is not None]
        digests += [(d, None) for d in signing.unattached_digests]
        for digest, env in digests:
            if digest.kind != "hmac" or digest.key is None:
                continue
            kind, shown = self._classify(analysis, digest.key, env, header_values)
            if kind is None or id(digest.key) in seen:
                continue
            seen.add(id(digest.key))
            if kind == "api-key":
                yield Report(
                    digest.key,
                    f"the HMAC key `{short(model, digest.key)}` is the API key (`{shown}`), not the secret: "
                    "Binance verifies the signature with the secret key",
                    "Key the HMAC with the secret: `hmac.new(api_secret.encode(), payload.encode(), "
                    "hashlib.sha256)`; the API key goes only in the `X-MBX-APIKEY` header.",
                )
            else:
                yield Report(
                    digest.key,
                    f"the HMAC key `{short(model, digest.key)}` is a private key (`{shown}`): RSA and Ed25519 keys "
                    "sign with their own algorithm, not HMAC",
                    "Sign with the private key itself (`private_key.sign(payload)`, then base64), or use the HMAC "
                    "secret of an HMAC API key.",
                )

    def _classify(self, analysis: Analysis, key: cst.BaseExpression, env: Env | None,
                  header_values: set[tuple[str, int]]) -> tuple[str | None, str]:
        model = analysis.model
        for expr, text in self._chain(analysis, key, env):
            literal = literal_text(expr) if isinstance(expr, cst.BaseExpression) else None
            if literal is not None and "PRIVATE KEY" in literal:
                return "pem", "PEM literal"
            if type(expr) is cst.Call:
                name = model.call_name(expr) or ""
                if name == "builtins.open" and expr.args and (literal_text(expr.args[0].value) or "").endswith(
                        ".pem"):
                    return "pem", short(model, expr)
            if text is None:
                continue
            role = signing_key_role(text.rsplit(".", 1)[-1])
            if role == "secret":
                return None, ""
            if self._owned(analysis, expr, text) in header_values:
                return "api-key", text
            if role == "private-key":
                return "pem", text
            if role == "api-key":
                return "api-key", text
        return None, ""

    def _chain(self, analysis: Analysis, key: cst.BaseExpression, env: Env | None, depth: int = 0
               ) -> Iterator[tuple[cst.BaseExpression, str | None]]:
        """The key expression and what it is made from, with the dotted names on the way."""
        model = analysis.model
        current: cst.BaseExpression | None = key
        while current is not None and depth < 10:
            depth += 1
            if type(current) is cst.Call:
                func = current.func
                if type(func) is cst.Attribute and func.attr.value in ("encode", "strip", "read", "decode"):
                    yield current, None
                    current = func.value
                    continue
                if model.call_name(current) in ("builtins.bytes", "builtins.bytearray", "builtins.str") \
                        and current.args:
                    current = current.args[0].value
                    continue
                yield current, None
                return
            text = dotted_text(current)
            yield current, text
            if type(current) is cst.Name and env is not None:
                passed = env.lookup(model, current)
                if passed is not None:
                    current, env = passed
                    continue
            if type(current) in (cst.Name, cst.Attribute):
                resolved = model.value_of(current)
                if resolved is not current:
                    current = resolved
                    continue
            return

    @staticmethod
    def _owned(analysis: Analysis, expr: cst.BaseExpression, text: str) -> tuple[str, int]:
        """A name with where it lives, so `key` in one function is not `key` in another."""
        model = analysis.model
        if type(expr) is cst.Name:
            bindings = model.bindings(expr)
            if bindings:
                return text, id(model.scope_of(bindings[0].statement))
        return text, module_index(model).owner(expr, text)

    def _header_values(self, analysis: Analysis) -> set[tuple[str, int]]:
        """Dotted names sent as the `X-MBX-APIKEY` header anywhere in the module."""
        model = analysis.model
        found: set[tuple[str, int]] = set()
        for element in model.tree.of_type(cst.DictElement):
            if mentions(element.key, "X-MBX", "x-mbx", "X-Mbx") and \
                    (literal_text(element.key) or "").lower() == API_KEY_HEADER:
                text = dotted_text(element.value)
                if text:
                    found.add(self._owned(analysis, element.value, text))
        for assign in model.tree.of_type(cst.Assign):
            target = assign.targets[0].target
            if type(target) is cst.Subscript and len(target.slice) == 1 and type(target.slice[0].slice) is cst.Index:
                if (literal_text(target.slice[0].slice.value) or "").lower() == API_KEY_HEADER:
                    text = dotted_text(assign.value)
                    if text:
                        found.add(self._owned(analysis, assign.value, text))
        return found
