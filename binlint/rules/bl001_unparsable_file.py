"""A file binlint could not read as Python 3.

## What it does
Reports a Python file (or notebook cell) that is not valid Python 3 or cannot be
decoded: a syntax error, Python 2 code, a wrong coding cookie, bytes that are not text.
It points at the line of the syntax error (line 1 when the file cannot be decoded).

## Why is this bad?
binlint cannot see requests, signatures or retries in code it cannot parse, so the
BL2–BL5 rules are blind there. It still runs the text-level secret scan on the file,
so a key in a Python 2 script is found all the same.

## Example
```python
import binance
print "placing order"
```

## Use instead
```python
import binance
print("placing order")
```

## Fix safety
Advice only: binlint does not rewrite code it cannot parse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis


class UnparsableFile(Rule):
    code = "BL001"
    name = "unparsable-file"
    severity = Severity.WARNING
    fix = "advice"
    binance_only = False
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid('from binance.client import Client\nprint("placing order")\n'),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid('import binance\nprint "placing order"\n', line=2),
        Invalid('import binance\n\ndef f(:\n    pass\n', line=3),
        Invalid('import binance\nexec "print 1"\n', line=2),
    )

    def check(self, analysis: Analysis) -> Iterable[Report]:
        """Made by the engine when a parse fails; a parsed module has nothing to report."""
        return ()
