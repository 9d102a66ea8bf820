"""Code that withdraws funds, so its API key needs withdrawal permission.

## What it does
Reports a call to an SDK `withdraw` method (python-binance, the connectors, the modular
`Wallet` SDK, ccxt `withdraw` and `sapi_post_capital_withdraw_apply`, unicorn) or a
request to a withdrawal endpoint (`POST /sapi/v1/capital/withdraw/apply`,
`/sapi/v1/localentity/withdraw/apply`).

## Why is this bad?
It is not wrong in itself, which is why it is `info`. But a key that can withdraw turns
any leak (a committed `.env`, a log line, a compromised server) into lost funds, not just
unwanted trades. Binance keeps withdrawal permission off by default and allows it only
with an IP allow-list; most bots never need it.

## Example
```python
from binance.client import Client

client = Client(api_key, api_secret)
client.withdraw(coin="USDT", address=cold_wallet, amount=100, network="TRX")
```

## Use instead
```python
# Trading bot: no withdrawals; the key has "Enable Withdrawals" off.
from binance.client import Client

client = Client(api_key, api_secret)
client.order_market_sell(symbol="BTCUSDT", quantity="0.01", newClientOrderId=cid)
```

## Fix safety
Advice only: if you do need withdrawals, use a separate key with withdrawal permission,
an IP allow-list and Binance's address whitelist, and keep trading keys without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class WithdrawalCall(Rule):
    code = "BL506"
    name = "withdrawal-call"
    severity = Severity.INFO
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            from binance.client import Client

            client = Client(api_key, api_secret)
            history = client.get_withdraw_history(coin="USDT")
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            from binance.client import Client

            client = Client(api_key, api_secret)
            client.withdraw(coin="USDT", address=cold_wallet, amount=100, network="TRX")
            """,
            line=4,
        ),
        Invalid(
            """
            import ccxt

            exchange = ccxt.binance({"apiKey": key, "secret": secret})
            exchange.sapi_post_capital_withdraw_apply({"coin": "USDT", "address": address, "amount": "10"})
            """,
            line=4,
        ),
        Invalid(
            """
            import requests

            def withdraw(query, headers):
                return requests.post("https://api.binance.com/sapi/v1/capital/withdraw/apply?" + query,
                                     headers=headers, timeout=10)
            """,
            line=4,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        model = analysis.model
        for order in analysis.orders.calls:
            if order.kind != "withdrawal":
                continue
            yield Report(
                order.call,
                f"{order.describe(model)} withdraws funds: the API key it uses must have "
                "withdrawal permission, which turns any leak of that key into lost funds.",
                "Keep withdrawal permission off on trading keys; if this code must withdraw, give it a separate "
                "key restricted to an IP allow-list and whitelisted addresses.",
            )
