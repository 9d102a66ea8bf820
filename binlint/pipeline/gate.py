"""Decide on raw bytes whether a file is worth a syntax tree.

Most files are not Binance code. The gate looks for anything a rule could fire on:
the word binance (or the module name of an SDK entry
that lacks it), the API-key header, `recvWindow`, a Binance path prefix, or a
64-character key-shaped run that is not hex. A file it rejects is never parsed, and a
run where every file is rejected never imports libcst.

It is written for speed (it reads every byte of every file): substring tests on a
lower-cased copy and a byte translation instead of case-insensitive regexes, which are
several times slower on large trees.
"""

from __future__ import annotations

import re
import string

from binlint.analysis import sdk_facts

_WORDS = (b"binance", b"x-mbx-apikey", b"recvwindow")
_PATHS = re.compile(rb"/(?:api/v[13]|[sfdepw]api)/")

# Maps every [A-Za-z0-9] byte to b"a" and everything else to b" ".
_ALNUM = bytearray(b" " * 256)
for _byte in (string.ascii_letters + string.digits).encode():
    _ALNUM[_byte] = ord("a")
_ALNUM_TABLE = bytes(_ALNUM)
_RUN = b"a" * 64
_HEX = frozenset(b"0123456789abcdefABCDEF")


def has_key_shaped_run(data: bytes) -> bool:
    """Whether `data` holds a run of exactly 64 [A-Za-z0-9] characters that is not hex."""
    mapped = data.translate(_ALNUM_TABLE)
    start = mapped.find(_RUN)
    while start >= 0:
        end = start + 64
        while end < len(mapped) and mapped[end] == 97:  # 97 == ord("a")
            end += 1
        if end - start == 64 and any(byte not in _HEX for byte in data[start:end]):
            return True
        start = mapped.find(_RUN, end)
    return False


def worth_parsing(data: bytes) -> bool:
    """Whether any rule could fire on these bytes."""
    lower = data.lower()
    if any(word in lower for word in _WORDS) or any(word in lower for word in sdk_facts.REGISTRY.gate_words):
        return True
    if b"api/" in data and _PATHS.search(data):
        return True
    return has_key_shaped_run(data)
