"""A Binance API key is written into the source.

## What it does
Reports a string literal shaped like a Binance API key (64 characters of `[A-Za-z0-9]`)
that is passed to a Binance SDK as its API key (`Client(key, ...)`,
`api_key=`, `key=`, ccxt's `{"apiKey": ...}`), sent as the `X-MBX-APIKEY` header, used
as the default of `os.getenv("BINANCE_API_KEY", ...)`, or bound to a name that says API
key (`API_KEY`, `binance_api_key`, `self.apiKey`, a dict key or keyword argument). A
literal that reaches the SDK through a constant is reported once, at the literal. By
name alone (no SDK argument or header) the module must be Binance code or the name must
say binance. In `.env`, YAML, JSON, TOML, INI and shell files, and in Python that does
not parse, a text scan finds `BINANCE_API_KEY=...` and key/secret pairs the same way.

Placeholders (`"your_api_key"`, `"<API_KEY>"`, `"${BINANCE_API_KEY}"`, repeated or
sequential characters) never fire. A 64-character hex string is a SHA-256 digest or an
HMAC signature unless it goes where a key goes: passed to an SDK as its key, sent as the
`X-MBX-APIKEY` header, or bound to a key name in Binance code. There it is a key
(futures-testnet keys are 64 lowercase hex characters; the message says "testnet-style"
when the module talks to a Binance test network), except in a module that checks hex
digests against expected values (test vectors). The sample keys from Binance's API
documentation are known by their value in any file and fire at `info`.

## Why is this bad?
Anyone who can read the repository, a fork, a CI log or a pasted snippet can trade on
the account. Once committed the key stays in version-control history even after the
line is deleted, so it must be revoked and replaced on Binance. binlint never prints
the key: output shows at most its first 4 and last 2 characters.

## Example
```python
from binance.client import Client

API_KEY = "@KEY@"
client = Client(API_KEY, API_SECRET)
```

## Use instead
```python
import os

from binance.client import Client

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
```

## Fix safety
Unsafe: the literal becomes `os.environ["BINANCE_API_KEY"]` (an `os.getenv(NAME,
"<key>")` call becomes `os.environ["NAME"]`) and `import os` is added, so the program
needs the variable set. The name is configurable with `env-var-names`. In text files the
finding is advice only. Either way, revoke the leaked key on Binance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid
from binlint.rules.secret_reports import literal_reports

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class HardcodedApiKey(Rule):
    code = "BL101"
    name = "hardcoded-api-key"
    severity = Severity.ERROR
    fix = "unsafe"
    binance_only = False
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import os
            from binance.client import Client

            client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
            """
        ),
        Valid(
            """
            from binance.client import Client

            client = Client("your_api_key", "your_api_secret")
            API_KEY = "<API_KEY>"
            BINANCE_API_KEY = "${BINANCE_API_KEY}"
            api_key = "x" * 64
            apiKey = "abcdefghijklmnopqrstuvwxyz" "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab"
            """
        ),
        Valid(
            """
            import hashlib
            from binance.client import Client

            api_key = "@HEX@"
            EXPECTED_SHA256 = "@HEXUPPER@"
            """
        ),
        Valid(
            """
            # Not Binance code, and nothing says binance: an API key of some other service.
            import requests

            API_KEY = "@KEY@"
            requests.get("https://api.example.com/v1/items", headers={"Authorization": API_KEY}, timeout=5)
            """
        ),
        Valid("BINANCE_API_KEY=${BINANCE_API_KEY}\nBINANCE_API_SECRET=\n", filename=".env"),
        Valid("binance:\n  api_key: your-api-key-here\n  secret: <SECRET>\n", filename="config.yaml"),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            import os
            from binance.client import Client

            API_KEY = "@KEY@"
            client = Client(API_KEY, os.environ["BINANCE_API_SECRET"])
            """,
            line=4,
            fixed="""
            import os
            from binance.client import Client

            API_KEY = os.environ["BINANCE_API_KEY"]
            client = Client(API_KEY, os.environ["BINANCE_API_SECRET"])
            """,
        ),
        Invalid(
            """
            import os
            from binance.client import Client

            api_key = os.getenv("BINANCE_API_KEY", "@KEY@")
            client = Client(api_key, os.environ["BINANCE_API_SECRET"])
            """,
            line=4,
            fixed="""
            import os
            from binance.client import Client

            api_key = os.environ["BINANCE_API_KEY"]
            client = Client(api_key, os.environ["BINANCE_API_SECRET"])
            """,
        ),
        Invalid(
            """
            import ccxt
            from settings import BINANCE_SECRET

            exchange = ccxt.binance({"apiKey": "@KEY@", "secret": BINANCE_SECRET})
            """,
            line=4,
            fixed="""
            import os
            import ccxt
            from settings import BINANCE_SECRET

            exchange = ccxt.binance({"apiKey": os.environ["BINANCE_API_KEY"], "secret": BINANCE_SECRET})
            """,
        ),
        Invalid(
            """
            import requests

            HEADERS = {
                "X-MBX-APIKEY": "@KEY@",
            }
            requests.get("https://api.binance.com/api/v3/ticker/price", headers=HEADERS, timeout=10)
            """,
            line=4,
            fixed="""
            import os
            import requests

            HEADERS = {
                "X-MBX-APIKEY": os.environ["BINANCE_API_KEY"],
            }
            requests.get("https://api.binance.com/api/v3/ticker/price", headers=HEADERS, timeout=10)
            """,
        ),
        Invalid(
            """
            from binance.um_futures import UMFutures

            client = UMFutures(key="@KEY@", secret=load_secret())
            """,
            line=3,
            fixed="""
            import os
            from binance.um_futures import UMFutures

            client = UMFutures(key=os.environ["BINANCE_API_KEY"], secret=load_secret())
            """,
        ),
        Invalid(
            """
            \"\"\"Settings; nothing else here says binance but the name.\"\"\"
            BINANCE_API_KEY = "@KEY@"
            """,
            line=2,
            fixed="""
            \"\"\"Settings; nothing else here says binance but the name.\"\"\"
            import os
            BINANCE_API_KEY = os.environ["BINANCE_API_KEY"]
            """,
        ),
        Invalid(
            """
            from binance.client import Client

            client = Client(api_key="@DOCKEY@", api_secret=SECRET)
            """,
            line=3,
            severity=Severity.INFO,
            fixed="""
            import os
            from binance.client import Client

            client = Client(api_key=os.environ["BINANCE_API_KEY"], api_secret=SECRET)
            """,
        ),
        # Futures-testnet keys are hex: where a key goes, hex is a key.
        Invalid(
            """
            import hashlib, hmac, os, time
            import requests

            BASE = "https://testnet.binancefuture.com"
            api_key = "@HEXKEY@"
            api_secret = os.environ["BINANCE_API_SECRET"]

            def place_order(key, secret, symbol):
                params = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1,
                          "timestamp": int(time.time() * 1000)}
                query = "&".join(f"{k}={v}" for k, v in params.items())
                params["signature"] = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
                return requests.post(BASE + "/fapi/v1/order", params=params, headers={"X-MBX-APIKEY": key},
                                     timeout=10)

            place_order(api_key, api_secret, "BTCUSDT")
            """,
            line=5,
            fixed="""
            import hashlib, hmac, os, time
            import requests

            BASE = "https://testnet.binancefuture.com"
            api_key = os.environ["BINANCE_API_KEY"]
            api_secret = os.environ["BINANCE_API_SECRET"]

            def place_order(key, secret, symbol):
                params = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1,
                          "timestamp": int(time.time() * 1000)}
                query = "&".join(f"{k}={v}" for k, v in params.items())
                params["signature"] = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
                return requests.post(BASE + "/fapi/v1/order", params=params, headers={"X-MBX-APIKEY": key},
                                     timeout=10)

            place_order(api_key, api_secret, "BTCUSDT")
            """,
        ),
        # Binance's documentation sample key, known by its value, in code that is not Binance code.
        Invalid(
            """
            SAMPLE = "@DOCKEY@"
            """,
            line=1,
            severity=Severity.INFO,
            fixed="""
            import os
            SAMPLE = os.environ["BINANCE_API_KEY"]
            """,
        ),
        Invalid("# bot settings\nBINANCE_API_KEY=@KEY@\nBINANCE_API_SECRET=@SECRET@\n", line=2, filename=".env"),
        Invalid(
            "exchange:\n  name: binance\n  apiKey: \"@KEY@\"\n  secret: \"@SECRET@\"\n", line=3,
            filename="config.yml",
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        return literal_reports(analysis, self.code)
