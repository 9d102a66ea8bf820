"""A request to a Binance endpoint that was removed or deprecated.

## What it does
Reports a request (directly, or through a same-module helper that takes the path as an
argument) to a path Binance removed or deprecated: the whole `/wapi/` API, the v1 order
endpoints (`/api/v1/order`), spot `POST/PUT/DELETE /api/v3/userDataStream` and the old
OCO endpoint `/api/v3/order/oco`.

## Why is this bad?
A removed endpoint answers 404 or an error, so the feature that uses it is broken, often
in a path that runs rarely (withdrawals, listen-key renewal, a stop-loss OCO). A
deprecated one can stop working on a date in Binance's changelog without any change in
your code.

## Example
```python
import requests

def withdraw(query, headers):
    return requests.post("https://api.binance.com/wapi/v3/withdraw.html?" + query, headers=headers, timeout=10)
```

## Use instead
```python
import requests

def withdraw(query, headers):
    return requests.post("https://api.binance.com/sapi/v1/capital/withdraw/apply?" + query, headers=headers,
                         timeout=10)
```

## Fix safety
Advice only: the replacement endpoints take different parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis import endpoints
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis

# Removed path prefix -> what to use instead.
REPLACEMENTS: tuple[tuple[str, str], ...] = (
    ("/wapi/v3/withdraw", "`POST /sapi/v1/capital/withdraw/apply`"),
    ("/wapi/v3/depositHistory", "`GET /sapi/v1/capital/deposit/hisrec`"),
    ("/wapi/v3/withdrawHistory", "`GET /sapi/v1/capital/withdraw/history`"),
    ("/wapi/v3/depositAddress", "`GET /sapi/v1/capital/deposit/address`"),
    ("/wapi/", "the matching `/sapi/v1/` endpoint"),
    ("/api/v1/order", "`/api/v3/order`"),
    ("/api/v3/userDataStream", "the WebSocket API's `userDataStream.subscribe` (spot listen keys over REST stopped "
                               "working on 2026-02-20)"),
    ("/api/v3/order/oco", "`POST /api/v3/orderList/oco` (its parameters differ: `aboveType`/`belowType`)"),
)


class RemovedEndpoint(Rule):
    code = "BL505"
    name = "removed-endpoint"
    severity = Severity.WARNING
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import requests

            def oco(body, headers):
                return requests.post("https://api.binance.com/api/v3/orderList/oco", data=body, headers=headers,
                                     timeout=10)
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            import requests

            def withdraw(query, headers):
                return requests.post("https://api.binance.com/wapi/v3/withdraw.html?" + query, headers=headers,
                                     timeout=10)
            """,
            line=4,
        ),
        Invalid(
            """
            import requests

            BASE = "https://api.binance.com"

            def request(method, path, body):
                return requests.request(method, BASE + path, data=body, timeout=10)

            def oco(body):
                return request("POST", "/api/v3/order/oco", body)
            """,
            line=9,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        model = analysis.model
        for endpoint in analysis.requests.endpoint_calls():
            if not endpoints.is_removed(endpoint.path):
                continue
            path = endpoints.normalize(endpoint.path)
            instead = next((use for prefix, use in REPLACEMENTS if path.startswith(prefix)), "its replacement")
            method = f"{endpoint.method} " if endpoint.method else ""
            yield Report(
                endpoint.call,
                f"`{model.code(endpoint.call.func)}(...)` on line {model.line(endpoint.call)} requests "
                f"`{method}{path}`, which Binance removed or deprecated: it fails now or will stop working.",
                f"Use {instead} instead.",
            )
