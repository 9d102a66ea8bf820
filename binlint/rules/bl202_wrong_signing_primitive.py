"""The value sent as `signature` is not an HMAC-SHA256 hex digest (or a base64 RSA/Ed25519 signature).

## What it does
Follows the value a request sends as `signature` back to where it is computed (through
variables and helpers such as `def sign(query): ...`) and checks the primitive:
`hmac.new(secret_bytes, payload_bytes, hashlib.sha256).hexdigest()` is right, and so is
a base64 RSA or Ed25519 signature, percent-encoded once. It reports a plain
`hashlib.sha256(secret + payload)`, another digest (`md5`, `sha1`, `sha512`), `.digest()`
or base64 of an HMAC, a missing `digestmod`, a `str` key or message (a `TypeError` at run
time), a base64 signature pasted into a query string without percent-encoding or encoded
twice, and a `bytes` signature formatted into text (`b'...'`).

## Why is this bad?
Binance recomputes HMAC-SHA256 over the payload with your secret and compares hex
strings. Any other construction gives `-1022 Signature for this request is not valid`,
and `str` keys or messages crash before a request is sent. A base64 signature holds
`+ / =`: unencoded, `+` arrives as a space; encoded twice, `%2B` arrives as text.

## Example
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

API_KEY, SECRET = os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"]


def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha1).digest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}",
                        headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
```

## Use instead
```python
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

API_KEY, SECRET = os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"]


def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}",
                        headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
```

## Fix safety
Safe where the fix is exact: `.digest()` becomes `.hexdigest()`, and another `hashlib`
digest inside `hmac.new` becomes `hashlib.sha256` (only the bytes of the signature change,
to the ones Binance expects). Everything else is advice.
"""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

import libcst as cst

from binlint.analysis.helpers import label
from binlint.analysis.signing import Digest, Signing, short
from binlint.model import Applicability, Edit, Severity
from binlint.rules.base import Invalid, Report, Rule, Valid, replace_node

if TYPE_CHECKING:
    from binlint.analysis import Analysis

_RIGHT = "`hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()`"

_HEAD = """\
import hashlib, hmac, os, time
from urllib.parse import urlencode
import requests

SECRET = os.environ["BINANCE_API_SECRET"]
KEY = os.environ["BINANCE_API_KEY"]
"""


class WrongSigningPrimitive(Rule):
    code = "BL202"
    name = "wrong-signing-primitive"
    severity = Severity.ERROR
    fix = "safe where exact"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(_HEAD + """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}",
                        headers={"X-MBX-APIKEY": KEY}, timeout=10)
"""),
        Valid(_HEAD + """
def sign(payload: str) -> str:
    return hmac.new(SECRET.encode("utf-8"), payload.encode("utf-8"), hashlib.sha256).digest().hex()

def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = sign(urlencode(params))
    return requests.get("https://api.binance.com/api/v3/account", params=params, timeout=10)
"""),
        Valid(_HEAD + """
import base64
from urllib.parse import quote
from cryptography.hazmat.primitives.serialization import load_pem_private_key

PRIVATE_KEY = load_pem_private_key(open("key.pem", "rb").read(), password=None)

def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = base64.b64encode(PRIVATE_KEY.sign(query.encode("ascii"))).decode()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={quote(signature)}",
                        headers={"X-MBX-APIKEY": KEY}, timeout=10)
"""),
        # A webhook check elsewhere in the module is not a Binance signature.
        Valid(_HEAD + """
def verify(body: bytes, header: str) -> bool:
    return hmac.compare_digest(hmac.new(b"hook", body, hashlib.sha1).digest(), header.encode())
"""),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(_HEAD + """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).digest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}", timeout=10)
""", line=10, fixed=_HEAD + """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}", timeout=10)
"""),
        Invalid(_HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.md5).hexdigest()
    return requests.get("https://api.binance.com/api/v3/account", params=params, timeout=10)
""", line=10, fixed=_HEAD + """
def account():
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = hmac.new(SECRET.encode(), urlencode(params).encode(), hashlib.sha256).hexdigest()
    return requests.get("https://api.binance.com/api/v3/account", params=params, timeout=10)
"""),
        Invalid(_HEAD + """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hashlib.sha256((SECRET + query).encode()).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}", timeout=10)
""", line=10),
        Invalid(_HEAD + """
import base64

def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    mac = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256)
    signature = base64.b64encode(mac.digest()).decode()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}", timeout=10)
""", line=13),
        Invalid(_HEAD + """
def sign(query):
    return hmac.new(SECRET, query, hashlib.sha256).hexdigest()

def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={sign(query)}", timeout=10)
""", line=9, count=2),
        Invalid(_HEAD + """
def account():
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = hmac.new(SECRET.encode(), query.encode()).hexdigest()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}", timeout=10)
""", line=10),
        Invalid(_HEAD + """
import base64

def account(private_key):
    query = urlencode({"timestamp": int(time.time() * 1000), "recvWindow": 5000})
    signature = base64.b64encode(private_key.sign(query.encode())).decode()
    return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}", timeout=10)
""", line=13),
        Invalid(_HEAD + """
import base64
from urllib.parse import quote

def account(private_key):
    params = {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
    params["signature"] = quote(base64.b64encode(private_key.sign(urlencode(params).encode())).decode())
    return requests.get("https://api.binance.com/api/v3/account", params=params, timeout=10)
""", line=13),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        signing = analysis.signing
        problems = chain(
            (p for flow in signing.binance_signings for p in self._flow_problems(analysis, flow)),
            # Computations not (yet) attached to a request still fail at run time.
            (p for digest in signing.unattached_digests if digest.kind == "hmac"
             for p in self._runtime_problems(analysis, digest)),
        )
        seen: set[tuple[int, str]] = set()
        for node, what, report in problems:
            if (id(node), what) not in seen:
                seen.add((id(node), what))
                yield report
        yield from self._helper_problems(analysis)

    def _helper_problems(self, analysis: Analysis) -> Iterator[Report]:
        """A helper of a module that is not Binance code on its own (a generic REST client) that
        signs a Binance request wrongly: reported where the request is made."""
        model = analysis.model
        for request in analysis.helpers.judged_here:
            if request.send.signature is None or not request.is_signed_path:
                continue
            kind, algorithm, output, line = request.send.signature
            where = f"{label(model, request.call)} to `{request.method} {request.path}`"
            signer = f"`{request.name}` (line {line} of its module)"
            if kind == "hash":
                problem = f"signs it with a plain `{algorithm}` hash, not an HMAC; Binance rejects it with -1022"
            elif algorithm and algorithm.lower() != "sha256":
                problem = f"signs it with HMAC-`{algorithm}`; Binance signs with HMAC-SHA256"
            elif output != "hex":
                problem = f"sends the HMAC as {output} instead of the hex digest"
            else:
                continue
            yield Report(request.call, f"the request through {where}: {signer} {problem}",
                         f"Have the helper compute the signature as {_RIGHT}.")

    def _flow_problems(self, analysis: Analysis, flow: Signing) -> Iterator[tuple[cst.CSTNode, str, Report]]:
        model = analysis.model
        digest = flow.digest
        attachment = flow.attachment
        if digest is None:
            return

        def name() -> str:  # the signature's code, written only into a report
            return short(model, attachment.value)

        if digest.kind == "hash":
            yield digest.call, "hash", Report(
                digest.call,
                f"`{name()}` is a plain `{digest.algorithm}` hash of the secret and payload "
                f"(`{short(model, digest.call)}`), not an HMAC; Binance rejects it with -1022",
                f"Compute the signature as {_RIGHT}.",
            )
            return
        if digest.kind == "asymmetric":
            yield from self._asymmetric(analysis, flow)
            return
        yield from self._runtime_problems(analysis, digest)
        algorithm = digest.algorithm
        if digest.digestmod is not None and algorithm not in (None, "sha256", "SHA256"):
            edits: tuple[Edit, ...] = ()
            applicability = Applicability.ADVICE
            node = digest.digestmod
            if type(node) is cst.Attribute and model.qualname(node) == f"hashlib.{node.attr.value}":
                edits = (replace_node(analysis, node, f"{model.code(node.value)}.sha256"),)
                applicability = Applicability.SAFE
            elif type(node) is cst.SimpleString:
                quote = node.quote
                edits = (replace_node(analysis, node, f"{node.prefix}{quote}sha256{quote}"),)
                applicability = Applicability.SAFE
            yield node, "algorithm", Report(
                node,
                f"the HMAC behind `{name()}` uses `{algorithm}`; Binance signs with HMAC-SHA256",
                f"Use `hashlib.sha256` as the digestmod: {_RIGHT}.",
                applicability, edits,
            )
        if digest.output == "digest":
            call = digest.node
            digest_edits: tuple[Edit, ...] = ()
            if type(call) is cst.Call and type(call.func) is cst.Attribute:
                digest_edits = (replace_node(analysis, call.func.attr, "hexdigest"),)
            yield call, "digest", Report(
                call,
                f"`{name()}` is sent from the raw bytes of `.digest()`; Binance expects the hex string",
                "Use `.hexdigest()` instead of `.digest()`.",
                Applicability.SAFE if digest_edits else Applicability.ADVICE, digest_edits,
            )
        elif digest.output in ("base64", "base64-bytes", "base64-of-hex"):
            yield digest.node, "base64", Report(
                digest.node,
                f"`{name()}` is the base64 of an HMAC (`{short(model, digest.node)}`); HMAC signatures are sent "
                "as hex",
                f"Send the hex digest itself: {_RIGHT}.",
            )

    def _runtime_problems(self, analysis: Analysis, digest: Digest) -> Iterator[tuple[cst.CSTNode, str, Report]]:
        model = analysis.model
        signing = analysis.signing
        if digest.digestmod is None and digest.kind == "hmac" and digest.message is not None:
            yield digest.call, "digestmod", Report(
                digest.call,
                f"`{short(model, digest.call)}` has no `digestmod`: Python 3 raises `TypeError: Missing required "
                "parameter 'digestmod'`",
                f"Pass `hashlib.sha256` as the third argument: {_RIGHT}.",
            )
        if digest.key is not None and signing.is_str(digest.key, digest.env):
            yield digest.key, "str-key", Report(
                digest.key,
                f"the HMAC key `{short(model, digest.key)}` is a `str`: `hmac.new` raises `TypeError: key: "
                "expected bytes or bytearray`",
                f"Encode the secret first: `{short(model, digest.key)}.encode()`.",
            )
        if digest.message is not None and signing.is_str(digest.message, digest.env):
            yield digest.message, "str-message", Report(
                digest.message,
                f"the signed payload `{short(model, digest.message)}` is a `str`: hashing it raises `TypeError: "
                "Strings must be encoded before hashing`",
                f"Encode the payload first: `{short(model, digest.message)}.encode()`.",
            )

    def _asymmetric(self, analysis: Analysis, flow: Signing) -> Iterator[tuple[cst.CSTNode, str, Report]]:
        model = analysis.model
        digest = flow.digest
        attachment = flow.attachment
        assert digest is not None
        value = attachment.value
        name = short(model, value)
        if digest.output == "base64-bytes" and attachment.raw_in_text:
            yield value, "bytes", Report(
                value,
                f"`{name}` is `bytes` formatted into the query, which sends `b'...'`",
                "Decode the base64 signature (`.decode()`) and percent-encode it once with `quote(...)`.",
            )
        elif attachment.raw_in_text and not flow.quoted:
            yield value, "unencoded", Report(
                value,
                f"the base64 signature `{name}` is pasted into the query without percent-encoding: its `+` "
                "arrives as a space",
                f"Percent-encode it once where the final string is built: `quote({name})`.",
            )
        elif flow.quoted and not attachment.raw_in_text and flow.sent_as in ("params", "data"):
            yield value, "twice", Report(
                value,
                f"the base64 signature `{name}` is percent-encoded and then encoded again by `{flow.sent_as}=`",
                "Percent-encode exactly once: put the plain base64 string in the dict and let the HTTP client "
                "encode it.",
            )
