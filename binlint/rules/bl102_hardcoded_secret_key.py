"""A Binance API secret is written into the source.

## What it does
Reports a string literal shaped like a Binance secret key (64 characters of
`[A-Za-z0-9]`) that is passed to a Binance SDK as its secret
(`Client(key, secret)`, `api_secret=`, `secret=`, ccxt's `{"secret": ...}`), used as the
key of `hmac.new` in Binance code, used as the default of `os.getenv("BINANCE_API_SECRET",
...)`, or bound to a name that says secret (`API_SECRET`, `secret_key`, `self.secret`, a
dict key or keyword argument). A literal that reaches the sink through a constant is
reported once, at the literal; by name alone the module must be Binance code or the name
must say binance. When the API key sits in the same module too, the message says the
whole pair leaked. Text files and unparsable Python get the same check from the text
scan (`BINANCE_API_SECRET=...`, `secret: ...` in a file that mentions binance).

Placeholders never fire. A 64-character hex string (a SHA-256 digest, an HMAC signature)
fires only where a secret goes (an SDK's secret argument, the key of `hmac.new`, a
secret name in Binance code): futures-testnet secrets are hex ("testnet-style" in the
message when the module talks to a Binance test network). A module that checks hex
digests against expected values holds test vectors, not secrets, and stays silent.
Binance's documentation sample secret is known by its value in any file and fires at
`info`.

## Why is this bad?
The secret signs requests: with it (and the API key) anyone can place orders and, if the
key allows it, withdraw funds. A committed secret stays in version-control history, so
deleting the line is not enough: revoke the key pair on Binance and create a new one.
binlint never prints the secret: output shows at most its first 4 and last 2 characters.

## Example
```python
import hashlib
import hmac

BASE_URL = "https://api.binance.com"
API_SECRET = "@SECRET@"

def sign(query: str) -> str:
    return hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
```

## Use instead
```python
import hashlib
import hmac
import os

BASE_URL = "https://api.binance.com"
API_SECRET = os.environ["BINANCE_API_SECRET"]

def sign(query: str) -> str:
    return hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
```

## Fix safety
Unsafe: the literal becomes `os.environ["BINANCE_API_SECRET"]` (`….encode()` for a bytes
literal; an `os.getenv(NAME, "<secret>")` call becomes `os.environ["NAME"]`) and
`import os` is added, so the program needs the variable set. The name is configurable
with `env-var-names`. In text files the finding is advice only. Either way, revoke the
leaked key pair on Binance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid
from binlint.rules.secret_reports import literal_reports

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class HardcodedSecretKey(Rule):
    code = "BL102"
    name = "hardcoded-secret-key"
    severity = Severity.ERROR
    fix = "unsafe"
    binance_only = False
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import hashlib
            import hmac
            import os

            BASE_URL = "https://api.binance.com"
            API_SECRET = os.environ["BINANCE_API_SECRET"]
            EXPECTED_SIGNATURE = "@HEX@"

            def sign(query: str) -> str:
                return hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
            """
        ),
        Valid(
            """
            from binance.client import Client

            client = Client("your_api_key", "your_api_secret")
            api_secret = "<API_SECRET>"
            SECRET = "@ZEROS@"
            """
        ),
        Valid(
            """
            # A webhook secret of another service: no Binance evidence, no binance in the name.
            import hashlib
            import hmac

            WEBHOOK_SECRET = "@SECRET@"

            def verify(body: bytes, signature: str) -> bool:
                return hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest() == signature
            """
        ),
        # A test vector: a hex key next to the signature it must give.
        Valid(
            """
            import hashlib
            import hmac

            BASE_URL = "https://api.binance.com"

            def test_signature():
                secret = "@HEXSECRET@"
                query = "symbol=BTCUSDT&timestamp=1499827319559"
                assert hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest() == "@HEX@"
            """
        ),
        Valid("BINANCE_API_SECRET=\nBINANCE_API_KEY=\n", filename=".env.example"),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            import os
            from binance.client import Client

            client = Client(os.environ["BINANCE_API_KEY"], "@SECRET@")
            """,
            line=4,
            fixed="""
            import os
            from binance.client import Client

            client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
            """,
        ),
        Invalid(
            """
            import hashlib
            import hmac
            from urllib.parse import urlencode

            BASE_URL = "https://api.binance.com"

            def sign(params: dict) -> str:
                query = urlencode(params)
                return hmac.new(b"@SECRET@", query.encode(), hashlib.sha256).hexdigest()
            """,
            line=9,
            fixed="""
            import os
            import hashlib
            import hmac
            from urllib.parse import urlencode

            BASE_URL = "https://api.binance.com"

            def sign(params: dict) -> str:
                query = urlencode(params)
                return hmac.new(os.environ["BINANCE_API_SECRET"].encode(), query.encode(), hashlib.sha256).hexdigest()
            """,
        ),
        Invalid(
            """
            import ccxt
            from settings import BINANCE_KEY

            exchange = ccxt.binance({
                "apiKey": BINANCE_KEY,
                "secret": "@SECRET@",
            })
            """,
            line=6,
            fixed="""
            import os
            import ccxt
            from settings import BINANCE_KEY

            exchange = ccxt.binance({
                "apiKey": BINANCE_KEY,
                "secret": os.environ["BINANCE_API_SECRET"],
            })
            """,
        ),
        Invalid(
            """
            import os
            from binance.spot import Spot


            class Bot:
                def __init__(self):
                    self.api_key = "@KEY@"
                    self.api_secret = "@SECRET@"
                    self.client = Spot(self.api_key, self.api_secret)
            """,
            line=8,
            fixed="""
            import os
            from binance.spot import Spot


            class Bot:
                def __init__(self):
                    self.api_key = "@KEY@"
                    self.api_secret = os.environ["BINANCE_API_SECRET"]
                    self.client = Spot(self.api_key, self.api_secret)
            """,
        ),
        Invalid(
            """
            import os

            BINANCE_API_SECRET = os.getenv("BINANCE_API_SECRET", "@SECRET@")
            """,
            line=3,
            fixed="""
            import os

            BINANCE_API_SECRET = os.environ["BINANCE_API_SECRET"]
            """,
        ),
        # Futures-testnet secrets are hex: as the secret of a client, hex is a secret.
        Invalid(
            """
            import os
            from binance.um_futures import UMFutures

            client = UMFutures(key=os.environ["BINANCE_API_KEY"], secret="@HEXSECRET@",
                               base_url="https://testnet.binancefuture.com")
            """,
            line=4,
            fixed="""
            import os
            from binance.um_futures import UMFutures

            client = UMFutures(key=os.environ["BINANCE_API_KEY"], secret=os.environ["BINANCE_API_SECRET"],
                               base_url="https://testnet.binancefuture.com")
            """,
        ),
        Invalid("export BINANCE_API_KEY=@KEY@\nexport BINANCE_API_SECRET='@SECRET@'\n", line=2, filename="run.sh"),
        Invalid("# from the API docs\nsecretKey=@DOCSECRET@\n", line=2, filename="notes.txt", severity=Severity.INFO),
        Invalid("binance:\n  api_key: @KEY@\n  api_secret: @SECRET@\n", line=3, filename="settings.yaml"),
        Invalid(
            """
            from binance.client import Client
            print "starting"
            client = Client("@KEY@", "@SECRET@")
            """,
            line=3,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        return literal_reports(analysis, self.code)
