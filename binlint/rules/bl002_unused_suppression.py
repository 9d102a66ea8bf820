"""A suppression comment that suppresses nothing.

## What it does
With `--warn-unused-ignores` (or `warn-unused-ignores = true` in the config),
reports a `# binlint: ignore[...]` or `# noqa: BL...` comment that silenced no
finding on its line.

## Why is this bad?
A stale suppression hides the next real problem on that line: the code changed, the
finding went away, and the comment stayed behind to silence whatever comes next.

## Example
```python
import requests

BASE = "https://api.binance.com"  # binlint: ignore[BL501]
requests.get(BASE + "/api/v3/time", timeout=10)
```

## Use instead
```python
import requests

BASE = "https://api.binance.com"
requests.get(BASE + "/api/v3/time", timeout=10)
```

## Fix safety
Advice only: remove the comment, or name the code it is meant to silence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from binlint.model import Severity
from binlint.rules.base import Report, Rule

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class UnusedSuppression(Rule):
    code = "BL002"
    name = "unused-suppression"
    severity = Severity.WARNING
    fix = "advice"
    binance_only = False

    def check(self, analysis: Analysis) -> Iterable[Report]:
        """Made by the engine when `--warn-unused-ignores` is on."""
        return ()
