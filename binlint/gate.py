"""Decide on raw bytes whether a file is worth a syntax tree.

Most files are not Binance code. One compiled regex looks for anything a rule could
fire on: the word binance, Binance hosts and path prefixes, the API-key header, a
64-character key-shaped run that is not hex. A file it rejects is never parsed, and
a run where every file is rejected never imports libcst.
"""

from __future__ import annotations

import re

_GATE = re.compile(
    rb"(?i:binance|x-mbx-apikey|recvwindow)"
    rb"|/(?:api/v[13]|sapi|fapi|dapi|eapi|papi|wapi)/"
    rb"|(?<![A-Za-z0-9])(?=[A-Za-z0-9]{0,63}[G-Zg-z])[A-Za-z0-9]{64}(?![A-Za-z0-9])"
)


def worth_parsing(data: bytes) -> bool:
    """Whether any rule could fire on these bytes."""
    return _GATE.search(data) is not None
