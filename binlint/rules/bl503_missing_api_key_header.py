"""A request to a SIGNED Binance endpoint that does not send the `X-MBX-APIKEY` header.

## What it does
Reports a request to a SIGNED path (`/api/v3/order`, `/api/v3/account`, most of
`/sapi/`, `/fapi/`, `/dapi/` ...) that sends no `X-MBX-APIKEY` header: not on the call,
not through the headers variable it passes (or its later updates), not from a helper
that builds the headers, and not on the session (`session.headers.update(...)`,
`requests.Session()` built with `headers=`).

## Why is this bad?
Binance identifies the key a signature belongs to by the `X-MBX-APIKEY` header; the
signature alone says nothing about which key made it. Without the header every signed
request fails with `-2014 API-key format invalid.` (or `-2015`). Putting the key in the
query string or body instead does not work and leaks it into logs.

## Example
```python
import requests

def account(query, signature):
    return requests.get(
        f"https://api.binance.com/api/v3/account?{query}&signature={signature}", timeout=10
    )
```

## Use instead
```python
import os

import requests

session = requests.Session()
session.headers.update({"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]})

def account(query, signature):
    return session.get(
        f"https://api.binance.com/api/v3/account?{query}&signature={signature}", timeout=10
    )
```

## Fix safety
Advice only: binlint does not know where your API key comes from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis.values import dict_shape
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.requests import RequestSite


class MissingApiKeyHeader(Rule):
    code = "BL503"
    name = "missing-api-key-header"
    severity = Severity.ERROR
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import os
            import requests

            session = requests.Session()
            session.headers.update({"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]})

            def account(query, signature):
                return session.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}",
                                   timeout=10)
            """
        ),
        Valid(
            """
            import os
            import requests

            HEADERS = {"X-MBX-APIKEY": os.environ["BINANCE_API_KEY"]}

            def order(body):
                return requests.post("https://api.binance.com/api/v3/order", data=body, headers=HEADERS, timeout=10)

            def price():
                return requests.get("https://api.binance.com/api/v3/ticker/price", timeout=10)
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            import requests

            def account(query, signature):
                return requests.get(f"https://api.binance.com/api/v3/account?{query}&signature={signature}",
                                    timeout=10)
            """,
            line=4,
        ),
        Invalid(
            """
            import requests

            BASE = "https://fapi.binance.com"

            class Futures:
                def _signed(self, method, path, body):
                    return requests.request(method, BASE + path, data=body, timeout=10)

                def buy(self, body):
                    return self._signed("POST", "/fapi/v1/order", body)
            """,
            line=7,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        model = analysis.model
        reported: set[int] = set()
        for endpoint in analysis.requests.endpoint_calls():
            site = endpoint.site
            if site is None:
                continue  # a helper of another module: its headers are set where it sends
            if not endpoint.is_signed_path or site.sends_api_key_header or id(site.call) in reported:
                continue
            if _headers_unknown(analysis, site):
                continue
            reported.add(id(site.call))
            via = "" if endpoint.call is site.call else \
                f" (for `{model.code(endpoint.call.func)}(...)` on line {model.line(endpoint.call)})"
            yield Report(
                site.call,
                f"`{model.code(site.call.func)}(...)` on line {model.line(site.call)} sends "
                f"`{endpoint.method or 'a request to'} {endpoint.path}`{via}, a SIGNED endpoint, without the "
                "`X-MBX-APIKEY` header: Binance cannot tell which key signed it and rejects it (-2014/-2015).",
                "Send `headers={\"X-MBX-APIKEY\": api_key}` with the request, or set it once on the session "
                "(`session.headers.update({\"X-MBX-APIKEY\": api_key})`).",
            )


def _headers_unknown(analysis: "Analysis", site: "RequestSite") -> bool:
    """Whether the headers could hold the key without binlint seeing it (a parameter, `**extra`)."""
    if site.headers is not None:
        shape = dict_shape(analysis.model, site.headers)
        if shape is None or not shape.complete:
            return True
    # A session passed in from elsewhere may carry the header.
    return site.session_expr is not None and site.session_call is None
