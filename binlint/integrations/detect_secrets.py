"""Binance detectors for detect-secrets.

detect-secrets loads custom plugins only from a file path, so the repository ships the
one-file shim `hooks/detect_secrets_binance.py` that re-exports these classes:

    detect-secrets scan --plugin hooks/detect_secrets_binance.py > .secrets.baseline

A Binance key has no prefix and no checksum, so a value counts only in a Binance
context: a name that says binance (`BINANCE_API_KEY=…`, `binance_secret: …`), the
`X-MBX-APIKEY` header, or a generic key/secret name (`apiKey`, `api_secret`) within the
five lines around a line that mentions binance. The value must be 64 characters of
`[A-Za-z0-9]` and no placeholder, repeated or sequential run: the same rules binlint's
BL101/BL102 use (`binlint.analysis.credentials`). All-hex values count too, since every
pattern here puts the value behind a key or secret name or the API-key header, where
binlint reads hex as a key (futures-testnet keys are 64 lowercase hex characters), not a
digest. Because
detect-secrets does not apply `is_likely_id_string` to regex detectors, these
exclusions run inside the plugin.

`secret_type` strings are frozen: baselines store them, and changing one would make
every audited entry new again.
"""

from __future__ import annotations

import re
from typing import Any, Generator, Iterable, Pattern, Set

from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.util.code_snippet import CodeSnippet

from binlint.analysis.credentials import is_hex_key_candidate, is_key_candidate, mentions_binance

__all__ = ["BinanceApiKeyDetector", "BinanceSecretKeyDetector"]

_VALUE = r"([A-Za-z0-9]{64})(?![A-Za-z0-9])"
_PREFIX = r"binance[-_]?(?:api)?"
_KEY_WORDS = r"(?:api[-_]?key|apikey|key)"
_SECRET_WORDS = r"(?:api[-_]?secret|secret(?:[-_]?key)?)"


def _keep(found: Iterable[str]) -> Generator[str, None, None]:
    """Drop placeholders and repeated or sequential runs."""
    for value in found:
        if is_key_candidate(value) or is_hex_key_candidate(value):
            yield value


class _InBinanceContext:
    """Generic names (`apiKey`, `secret`) count only near a line that mentions binance."""

    denylist: Iterable[Pattern[str]]
    context_denylist: Iterable[Pattern[str]] = ()

    def analyze_line(self, filename: str, line: str, line_number: int = 0, context: CodeSnippet | None = None,
                     **kwargs: Any) -> Set[PotentialSecret]:
        near = context is not None and mentions_binance("\n".join(context.lines))
        found: Set[PotentialSecret] = super().analyze_line(  # type: ignore[misc]
            filename, line, line_number, context, binance_context=near, **kwargs)
        return found

    def analyze_string(self, string: str, binance_context: bool = False, **kwargs: Any) -> Generator[str, None, None]:
        patterns = (*self.denylist, *(self.context_denylist if binance_context else ()))
        seen: set[str] = set()
        for regex in patterns:
            for value in _keep(regex.findall(string)):
                if value not in seen:
                    seen.add(value)
                    yield value


class BinanceApiKeyDetector(_InBinanceContext, RegexBasedDetector):
    """Scans for Binance API keys."""

    secret_type = "Binance API Key"

    denylist = (
        # BINANCE_API_KEY=…, binanceApiKey: "…", binance_key = '…'
        RegexBasedDetector.build_assignment_regex(
            prefix_regex=_PREFIX, secret_keyword_regex=_KEY_WORDS, secret_regex=_VALUE,
        ),
        # headers = {"X-MBX-APIKEY": "…"}, curl -H "X-MBX-APIKEY: …"
        re.compile(r"""x-mbx-apikey['"]?\s*(?::|=|,|=>)\s*['"]?""" + _VALUE, re.IGNORECASE),
    )
    context_denylist = (
        RegexBasedDetector.build_assignment_regex(
            prefix_regex=r"", secret_keyword_regex=r"(?:api[-_]?key|apikey)", secret_regex=_VALUE,
        ),
    )


class BinanceSecretKeyDetector(_InBinanceContext, RegexBasedDetector):
    """Scans for Binance API secrets."""

    secret_type = "Binance Secret Key"

    denylist = (
        # BINANCE_API_SECRET=…, binance_secret_key: "…"
        RegexBasedDetector.build_assignment_regex(
            prefix_regex=_PREFIX, secret_keyword_regex=_SECRET_WORDS, secret_regex=_VALUE,
        ),
    )
    context_denylist = (
        RegexBasedDetector.build_assignment_regex(
            prefix_regex=r"(?:api)?", secret_keyword_regex=r"(?:secret(?:[-_]?key)?)", secret_regex=_VALUE,
        ),
    )
