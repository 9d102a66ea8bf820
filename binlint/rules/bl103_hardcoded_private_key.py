"""A Binance RSA/Ed25519 private key, or its passphrase, is written into the source.

## What it does
Reports a PEM private key literal (`-----BEGIN ... PRIVATE KEY-----` with a key body)
that is passed to a Binance SDK's `private_key` (python-binance, binance-connector,
`ConfigurationRestAPI`), used as ccxt's `secret`, bound to a name that says private key,
or that sits anywhere in a module that is Binance code. Also reports a passphrase literal
passed as `private_key_pass` / `private_key_passphrase` or bound to such a name. Text
files that mention binance (`.env`, YAML, ...) get the same check from the text scan.

## Why is this bad?
With an RSA or Ed25519 API key the private key *is* the credential: whoever holds it can
sign requests for the account. A committed key stays in version-control history, so
delete the API key on Binance and register a new key pair. A passphrase next to the code
that loads the encrypted key protects nothing.

## Example
```python
from binance.client import Client

client = Client(API_KEY, private_key="@PEM@", private_key_pass="hunter22")
```

## Use instead
```python
import os

from binance.client import Client

client = Client(
    API_KEY,
    private_key=os.environ["BINANCE_PRIVATE_KEY"],
    private_key_pass=os.environ["BINANCE_PRIVATE_KEY_PASS"],
)
```

## Fix safety
Unsafe: the literal becomes `os.environ["BINANCE_PRIVATE_KEY"]` (or
`os.environ["BINANCE_PRIVATE_KEY_PASS"]`) and `import os` is added, so the program needs
the variable set; names are configurable with `env-var-names`. In text files the finding
is advice only. Either way, replace the leaked key pair on Binance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid
from binlint.rules.secret_reports import literal_reports

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class HardcodedPrivateKey(Rule):
    code = "BL103"
    name = "hardcoded-private-key"
    severity = Severity.ERROR
    fix = "unsafe"
    binance_only = False
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            import os
            from pathlib import Path

            from binance.client import Client

            client = Client(
                os.environ["BINANCE_API_KEY"],
                private_key=Path("binance-key.pem").read_text(),
                private_key_pass=os.environ["BINANCE_PRIVATE_KEY_PASS"],
            )
            """
        ),
        Valid(
            """
            from binance.client import Client

            EXAMPLE = "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----"
            PUBLIC = "-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAlR3ZK3AvN0QVpGZ+CELBZ2XDn8PTMhZtyQmCUmLKrk8=\\n-----END PUBLIC KEY-----"
            client = Client(API_KEY, private_key=KEY_PATH, private_key_pass=None)
            other = Client(API_KEY, private_key=KEY_PATH, private_key_pass="")
            """
        ),
        Valid(
            """
            # A TLS test fixture in code that never talks to Binance.
            SERVER_KEY = "@PEM@"
            """
        ),
        Valid(
            """
            # Labels and field names are not passphrases.
            from binance.client import Client

            LABELS = {"passphrase": "private-key passphrase", "api_key": "API key"}
            FORM = {"passphrase": "BL103"}
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            from binance.client import Client

            client = Client(API_KEY, private_key="@PEM@")
            """,
            line=3,
            fixed="""
            import os
            from binance.client import Client

            client = Client(API_KEY, private_key=os.environ["BINANCE_PRIVATE_KEY"])
            """,
        ),
        Invalid(
            """
            import os

            from binance.client import Client

            client = Client(
                os.environ["BINANCE_API_KEY"],
                private_key=open("binance-key.pem").read(),
                private_key_pass="correct-horse-battery",
            )
            """,
            line=8,
            fixed="""
            import os

            from binance.client import Client

            client = Client(
                os.environ["BINANCE_API_KEY"],
                private_key=open("binance-key.pem").read(),
                private_key_pass=os.environ["BINANCE_PRIVATE_KEY_PASS"],
            )
            """,
        ),
        Invalid(
            """
            import base64

            import requests
            from cryptography.hazmat.primitives.serialization import load_pem_private_key

            KEY_MATERIAL = b"@PEM@"
            signer = load_pem_private_key(KEY_MATERIAL, password=None)
            requests.get("https://api.binance.com/api/v3/account", timeout=10)
            """,
            line=6,
            fixed="""
            import os
            import base64

            import requests
            from cryptography.hazmat.primitives.serialization import load_pem_private_key

            KEY_MATERIAL = os.environ["BINANCE_PRIVATE_KEY"].encode()
            signer = load_pem_private_key(KEY_MATERIAL, password=None)
            requests.get("https://api.binance.com/api/v3/account", timeout=10)
            """,
        ),
        Invalid(
            """
            from binance_common.configuration import ConfigurationRestAPI

            config = ConfigurationRestAPI(api_key=API_KEY, private_key=KEY_FILE, private_key_passphrase="s3cr3t-Phrase")
            """,
            line=3,
            fixed="""
            import os
            from binance_common.configuration import ConfigurationRestAPI

            config = ConfigurationRestAPI(api_key=API_KEY, private_key=KEY_FILE, private_key_passphrase=os.environ["BINANCE_PRIVATE_KEY_PASS"])
            """,
        ),
        Invalid('BINANCE_API_KEY=@KEY@\nBINANCE_PRIVATE_KEY="@PEM@"\n', line=2, filename=".env.production"),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        return literal_reports(analysis, self.code)
