"""A Binance URL over plain `http://`, or a Binance request that skips certificate checks.

## What it does
Reports a string that holds an `http://` URL of a Binance host (`http://api.binance.com`,
`http://fapi.binance.com/fapi/v1/order`, an f-string or a base-URL constant), and a
request to Binance sent with `verify=False` (`ssl=False` for aiohttp, an unverified SSL
context for `urlopen`), on the call or on its session.

## Why is this bad?
Over plain HTTP the API key header, the signed query and the account data travel in
clear text: anyone on the path can read the key and replay or alter the request inside
its `recvWindow`. Binance redirects or refuses plain HTTP, so the code is broken as well
as unsafe. `verify=False` lets a man in the middle present any certificate, which is the
same as no TLS.

## Example
```python
import requests

BASE_URL = "http://api.binance.com"
requests.get(BASE_URL + "/api/v3/time", timeout=10)
```

## Use instead
```python
import requests

BASE_URL = "https://api.binance.com"
requests.get(BASE_URL + "/api/v3/time", timeout=10)
```

## Fix safety
Safe: `http://` becomes `https://` in the URL; every Binance REST host serves HTTPS.
For `verify=False` the advice is to remove it (and fix the CA bundle if that is why it
was added); binlint does not rewrite it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

import libcst as cst

from binlint.analysis.binance import HTTP_URL
from binlint.analysis.values import literal_text
from binlint.model import Applicability, Severity
from binlint.rules.base import Invalid, Report, Rule, Valid, replace_node

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel

_UNVERIFIED_CONTEXTS = frozenset({"ssl._create_unverified_context", "ssl._create_default_https_context"})


class InsecureTransport(Rule):
    code = "BL501"
    name = "insecure-transport"
    severity = Severity.ERROR
    fix = "safe"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import requests

            BASE_URL = "https://api.binance.com"
            requests.get(f"{BASE_URL}/api/v3/time", timeout=10, verify=True)
            """
        ),
        Valid(
            """
            '''Talks to https://api.binance.com; never to http://api.binance.com.'''
            import requests

            requests.get("https://api.binance.com/api/v3/time", timeout=10)
            requests.get("http://example.com/status", verify=False, timeout=5)
            """
        ),
        Valid(
            """
            import logging

            from binance.client import Client

            logging.warning("Do not use http://api.binance.com: this bot always uses TLS")
            SAMPLE = 'requests.get("http://api.binance.com/api/v3/time")'
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            import requests

            BASE_URL = "http://api.binance.com"
            requests.get(BASE_URL + "/api/v3/time", timeout=10)
            """,
            line=3,
            fixed="""
            import requests

            BASE_URL = "https://api.binance.com"
            requests.get(BASE_URL + "/api/v3/time", timeout=10)
            """,
        ),
        Invalid(
            """
            import requests

            def depth(symbol):
                return requests.get(f"http://api.binance.com/api/v3/depth?symbol={symbol}", timeout=10).json()
            """,
            line=4,
            fixed="""
            import requests

            def depth(symbol):
                return requests.get(f"https://api.binance.com/api/v3/depth?symbol={symbol}", timeout=10).json()
            """,
        ),
        Invalid(
            """
            import requests

            def account(query, headers):
                return requests.get("https://api.binance.com/api/v3/account?" + query, headers=headers,
                                    timeout=10, verify=False)
            """,
            line=5,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        model = analysis.model
        strings: list[cst.SimpleString | cst.FormattedStringText] = model.tree.of_type(
            cst.SimpleString, cst.FormattedStringText)
        for node in strings:
            match = HTTP_URL.search(node.value)
            if match is None:
                continue
            if type(node) is cst.SimpleString and (literal_text(node) is None or "b" in node.prefix.lower()):
                continue
            if not _starts_with_url(model, node):
                continue  # the URL sits inside other text (a message, a code sample), not a URL literal
            if type(model.tree.parent(node)) is cst.Expr:
                continue  # a docstring that mentions the URL sends nothing
            fixed = HTTP_URL.sub(lambda m: "https://" + m.group(1), node.value)
            shown = match.group(0)
            yield Report(
                node,
                f"`{shown}` sends the API key, the signed query and account data in clear text: anyone on the "
                "network path can read or change them.",
                f"Use `https://{match.group(1)}`.",
                Applicability.SAFE,
                (replace_node(analysis, node, _render(node, fixed)),),
            )
        reported: set[int] = set()
        for site in analysis.requests.binance_sites:
            verify = site.verify.value if site.verify is not None else None
            where = site.verify
            if verify is not None and where is not None and _disables_checks(analysis, verify):
                yield Report(
                    where,
                    f"`{model.code(site.call.func)}(...)` on line {model.line(site.call)} sends a Binance request "
                    f"with `{model.code(where).strip().rstrip(',')}`: TLS certificates are not checked, so a man in "
                    "the middle can read the API key and change the request.",
                    "Remove the argument (certificates are checked by default); if it was added for a proxy or an "
                    "old CA bundle, point `verify=` at that CA file instead.",
                )
            elif site.session_verify is not None and id(site.session_verify) not in reported \
                    and _disables_checks(analysis, site.session_verify):
                reported.add(id(site.session_verify))
                yield Report(
                    site.session_verify,
                    f"The session that sends `{model.code(site.call.func)}(...)` on line {model.line(site.call)} to "
                    "Binance has certificate checks turned off: a man in the middle can read the API key and "
                    "change the request.",
                    "Remove `verify=False` from the session (certificates are checked by default), or point it at "
                    "the CA file you need.",
                )


def _starts_with_url(model: "ModuleModel", node: cst.SimpleString | cst.FormattedStringText) -> bool:
    """Whether the string is a URL: its text (or its f-string's first part) starts with `http://`."""
    if type(node) is cst.SimpleString:
        text = literal_text(node) or ""
    else:
        parent = model.tree.parent(node)
        if type(parent) is not cst.FormattedString or not parent.parts or parent.parts[0] is not node:
            return False
        text = node.value
    return HTTP_URL.match(text.lstrip()) is not None


def _disables_checks(analysis: "Analysis", expr: cst.BaseExpression) -> bool:
    value = analysis.model.value_of(expr)
    if type(value) is cst.Name and value.value == "False":
        return True
    if type(value) is cst.Call and analysis.model.call_name(value) in _UNVERIFIED_CONTEXTS:
        return True
    return False


def _render(node: cst.SimpleString | cst.FormattedStringText, value: str) -> str:
    if type(node) is cst.SimpleString:
        return node.with_changes(value=value).value
    return value
