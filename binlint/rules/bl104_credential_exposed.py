"""A Binance API key or secret is printed, logged, raised, written out or sent where it must not go.

## What it does
Reports a call that carries an API key or secret (a key literal, or a variable,
attribute, parameter or dict entry that holds one: `api_secret`, `self.api_key`,
`os.environ["BINANCE_API_SECRET"]` and names bound to it) into `print`, a logger
(`logging`, `logger.*`, loguru), the message of a raised exception, a file
(`.write(...)`, `json.dump`), or an HTTP request other than as the `X-MBX-APIKEY`
header value: the secret anywhere in `params=`, `data=`, `json=`, `headers=` or the URL,
the API key in the parameters, body or URL. The value counts when its text reaches the
call whole: through f-strings, `%`, `+`, `.format`, `str()`, dicts and `json.dumps`.
Slices, lengths and comparisons (`api_key[-4:]`, `len(secret)`, `bool(api_key)`) do not
count, and neither does the correct use: the key and secret passed to an SDK
constructor, the secret used as the key of `hmac.new`, the API key as `X-MBX-APIKEY`.
Names alone need Binance evidence: the module is Binance code or the name says binance.

## Why is this bad?
Logs, consoles, crash reports and files are read by many more people and systems than the
code, and are kept for a long time. The secret never needs to leave the process: Binance
only ever receives the signature made with it, and the API key travels only in the
`X-MBX-APIKEY` header. A secret sent as a parameter is also written into proxy and server
access logs.

## Example
```python
import logging
import os

from binance.client import Client

log = logging.getLogger(__name__)
api_secret = os.environ["BINANCE_API_SECRET"]
log.info("starting with secret %s", api_secret)
```

## Use instead
```python
import logging
import os

from binance.client import Client

log = logging.getLogger(__name__)
api_secret = os.environ["BINANCE_API_SECRET"]
log.info("starting with secret …%s", api_secret[-4:])
```

## Fix safety
Advice only: binlint cannot know what the output should say instead. If the value was
ever logged, stored or sent, rotate the key on Binance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterator

from binlint.analysis.credentials import KIND_LABELS
from binlint.model import Applicability, Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.secrets import Exposure

_FIX = {
    "print": "Print no more than a redacted form such as `{name}[-4:]`, or nothing at all",
    "log": "Log no more than a redacted form such as `{name}[-4:]`, or nothing at all",
    "raise": "Name the setting in the message (`BINANCE_API_SECRET is invalid`) instead of its value",
    "write": "Do not write the value out; keep it in the environment or a secrets manager",
    "send": "Never send the secret: send only the signature made with it",
}


class CredentialExposed(Rule):
    code = "BL104"
    name = "credential-exposed"
    severity = Severity.ERROR
    fix = "advice"
    binance_only = False
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import hashlib
            import hmac
            import logging
            import os
            import time
            from urllib.parse import urlencode

            import requests
            from binance.client import Client

            log = logging.getLogger(__name__)
            api_key = os.environ["BINANCE_API_KEY"]
            api_secret = os.environ["BINANCE_API_SECRET"]
            client = Client(api_key, api_secret)
            if not api_secret:
                raise RuntimeError("BINANCE_API_SECRET is not set")
            log.info("key loaded: %s, ends with %s", bool(api_key), api_key[-4:])
            print(f"secret length {len(api_secret)}")

            def account():
                query = urlencode({"timestamp": int(time.time() * 1000)})
                signature = hmac.new(api_secret.encode(), query.encode(), hashlib.sha256).hexdigest()
                return requests.get(
                    f"https://api.binance.com/api/v3/account?{query}&signature={signature}",
                    headers={"X-MBX-APIKEY": api_key},
                    timeout=10,
                )
            """
        ),
        Valid(
            """
            # Not Binance code: some web framework's own secret.
            from django.conf import settings

            print(settings.SECRET_KEY)
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            import os

            from binance.client import Client

            api_secret = os.environ["BINANCE_API_SECRET"]
            print(f"using secret {api_secret}")
            """,
            line=6,
        ),
        Invalid(
            """
            import logging
            import os

            log = logging.getLogger(__name__)
            API_KEY = os.environ["BINANCE_API_KEY"]
            log.info("starting with key %s", API_KEY)
            """,
            line=6,
        ),
        Invalid(
            """
            import os
            import time

            import requests

            API_KEY = os.environ["BINANCE_API_KEY"]
            API_SECRET = os.environ["BINANCE_API_SECRET"]

            def account():
                params = {"timestamp": int(time.time() * 1000)}
                params["secret"] = API_SECRET
                return requests.get(
                    "https://api.binance.com/api/v3/account",
                    params=params,
                    headers={"X-MBX-APIKEY": API_KEY},
                    timeout=10,
                )
            """,
            line=12,
        ),
        Invalid(
            """
            from binance.spot import Spot


            class Trader:
                def __init__(self, api_key: str, api_secret: str):
                    if len(api_key) != 64:
                        raise ValueError(f"bad Binance API key {api_key!r}")
                    self.client = Spot(api_key, api_secret)
            """,
            line=7,
        ),
        Invalid(
            """
            import json

            from binance.client import Client

            def save(api_key, api_secret, path):
                with open(path, "w") as handle:
                    json.dump({"key": api_key, "secret": api_secret}, handle)
            """,
            line=7,
        ),
        Invalid(
            """
            import requests
            from binance.client import Client

            def prices(api_key):
                return requests.get("https://api.binance.com/api/v3/ticker/price", params={"apiKey": api_key},
                                    timeout=10)
            """,
            line=5,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterator[Report]:
        for exposure in analysis.secrets.exposures:
            yield _report(exposure)


def _report(exposure: "Exposure") -> Report:
    names = list(dict.fromkeys(holder.label for holder in exposure.holders))
    kinds = sorted({holder.kind for holder in exposure.holders})
    what = " and ".join(f"the Binance {KIND_LABELS[kind]}" for kind in kinds)
    subject = ", ".join(names)
    message = f"{subject} ({what}) {exposure.how}."
    named = [h.label.strip("`") for h in exposure.holders if h.value is None]
    first = named[0] if named else "key"
    if exposure.channel in ("request", "header"):
        if "secret" in kinds:
            fix_text = ("Never send the secret: sign the query with it and send only `signature`; the API key goes "
                        "only in the `X-MBX-APIKEY` header.")
        else:
            fix_text = "Send the API key only as the `X-MBX-APIKEY` header, not in the parameters, body or URL."
    else:
        fix_text = _FIX[exposure.channel].format(name=first) + "; if it was ever stored or shared, rotate the key."
    secrets = tuple(h.value for h in exposure.holders if h.value)
    return Report(exposure.node, message, fix_text, Applicability.ADVICE, secrets=secrets)
