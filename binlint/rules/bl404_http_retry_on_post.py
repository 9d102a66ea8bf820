"""A urllib3 `Retry` that resends POSTs, mounted on a session used for Binance.

## What it does
Reports a `urllib3` `Retry(...)` whose `allowed_methods` includes `POST` or is `None`
(or the old `method_whitelist=False`) when it is mounted, through
`HTTPAdapter(max_retries=...)` and `session.mount(...)`, on a session that sends
requests to Binance (or is mounted for a Binance URL).

## Why is this bad?
urllib3 retries read errors and the statuses in `status_forcelist` after the request
reached the server, "so the request may have side-effects". For `POST /api/v3/order` a
read timeout or a 5xx means the order status is unknown; urllib3 sends the same order
again, with no way for your code to check first. The default `allowed_methods` leaves
POST out for exactly this reason. A `Retry` with `backoff_factor` is good backoff for
GETs, never for order POSTs.

## Example
```python
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

session = requests.Session()
retry = Retry(total=5, backoff_factor=1, allowed_methods=None)
session.mount("https://", HTTPAdapter(max_retries=retry))
session.post("https://api.binance.com/api/v3/order", params=signed, timeout=10)
```

## Use instead
```python
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

session = requests.Session()
retry = Retry(total=5, backoff_factor=1, status_forcelist=(429, 500, 502, 503))
session.mount("https://", HTTPAdapter(max_retries=retry))
session.post("https://api.binance.com/api/v3/order", params=signed, timeout=10)
```

## Fix safety
Advice only: retry orders in your own code, with a `newClientOrderId` fixed before the
first attempt and a status check before resending.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.analysis import binance
from binlint.analysis.signing import short
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class HttpRetryOnPost(Rule):
    code = "BL404"
    name = "http-retry-on-post"
    severity = Severity.ERROR
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            session = requests.Session()
            session.mount("https://", HTTPAdapter(max_retries=Retry(total=5, backoff_factor=1)))

            def place(body, headers):
                return session.post("https://api.binance.com/api/v3/order", data=body, headers=headers, timeout=10)
            """
        ),
        # The POST-retrying session is never used for Binance.
        Valid(
            """
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            webhook = requests.Session()
            webhook.mount("https://", HTTPAdapter(max_retries=Retry(total=3, allowed_methods=None)))
            api = requests.Session()

            def notify(text):
                webhook.post("https://hooks.example.com/bot", json={"text": text}, timeout=5)

            def account(query, headers):
                return api.get("https://api.binance.com/api/v3/account?" + query, headers=headers, timeout=10)
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            session = requests.Session()
            retry = Retry(total=5, backoff_factor=1, allowed_methods=None)
            session.mount("https://", HTTPAdapter(max_retries=retry))

            def place(body, headers):
                return session.post("https://api.binance.com/api/v3/order", data=body, headers=headers, timeout=10)
            """,
            line=6,
        ),
        Invalid(
            """
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3 import Retry

            class Api:
                def __init__(self):
                    self.session = requests.Session()
                    adapter = HTTPAdapter(max_retries=Retry(total=3, allowed_methods=frozenset({"GET", "POST"})))
                    self.session.mount("https://api.binance.com", adapter)
            """,
            line=8,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        retries = analysis.retries.http_retries
        if not retries:
            return
        model = analysis.model
        sites = analysis.requests.binance_sites
        for http in retries:
            if not http.allows_post or http.session is None:
                continue
            used = [s for s in sites if analysis.retries.same_object(s.session_expr, http.session)]
            mounted_for_binance = http.prefix is not None and binance.binance_host(http.prefix) is not None
            if not used and not mounted_for_binance:
                continue
            session = model.code(http.session)
            where = f"`{short(model, http.methods_arg or http.retry, 60)}`"
            posts = [s for s in used if s.is_order_path] or [s for s in used if s.method in ("POST", "PUT")]
            if posts:
                site = posts[0]
                sends = f"which sends `{site.method} {site.path}` on line {model.line(site.call)}"
            elif used:
                sends = f"which sends Binance requests (line {model.line(used[0].call)})"
            else:
                sends = f"for `{http.prefix}`"
            yield Report(
                http.methods_arg or http.retry,
                f"{where} lets urllib3 resend POSTs, and it is mounted on `{session}` {sends}: after a read "
                "timeout or a 5xx the order's status is unknown, and urllib3 sends the same order again before "
                "your code can check.",
                "Leave `allowed_methods` at its default (it excludes POST), or mount this Retry on a session "
                "used only for GETs; retry orders in your own code with a `newClientOrderId` fixed before the "
                "first attempt.",
            )
