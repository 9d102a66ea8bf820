"""The text-level BL1 scan for files that are not parsed: .env, JSON, YAML, TOML, INI,
shell, unparsable Python, non-Python notebook cells.

A 64-character key-shaped value fires when the name in front of it says Binance key or
secret (`BINANCE_API_KEY=…`, `binance_secret: …`, `"apiKey": "…"` in a file that
mentions binance), or when a key/secret pair sits in a file that mentions binance
(`Client("…", "…")` in a Python 2 script). A PEM private key or a private-key
passphrase fires BL103 in a file that mentions binance. One finding per value; the
placeholder, hex and documentation-sample rules are those of the Python rules
(`analysis/credentials.py`). Findings are advice: a text file is never rewritten.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from binlint.analysis.binance import mentions_testnet_host
from binlint.analysis.credentials import (
    ENV_KINDS, KEY_TOKEN, KIND_LABELS, Kind, classify_name, doc_sample, doc_sample_kind, is_hex_key_candidate,
    is_key_candidate, is_passphrase_candidate, mentions_binance, name_tokens, pem_blocks,
)
from binlint.config import Config
from binlint.model import Applicability, Severity, redact_value
from binlint.rules.base import Report

if TYPE_CHECKING:
    from collections.abc import Iterator

_CODES: dict[str, str] = {"key": "BL101", "secret": "BL102", "private_key": "BL103", "passphrase": "BL103"}
# The name in front of a value: `NAME=`, `name: `, `"name": "`, `name = '`, `--name `.
_NAME_BEFORE = re.compile(
    r"""(?:(?P<name>[A-Za-z_][\w.-]*)["'\]]?\s*(?:=>|:=|=|:)|(?P<flag>--?[A-Za-z][\w-]*)\s|^\s*(?P<bare>[A-Za-z_][\w.-]*)\s)"""
    r"""\s*(?:[rRbBuU]?["'])?\s*$"""
)
# Names of 64-character values that are no credential (`listenKey`, `clientOrderId`, ...).
_NOT_CREDENTIAL_TOKENS = frozenset({
    "listen", "order", "signature", "sig", "hash", "digest", "tx", "txid", "address", "addr", "id", "uuid",
    "nonce", "checksum", "sha", "sha256", "session", "request", "trace", "commit", "etag", "integrity",
})
# `NAME = value` on one line, for passphrases (any text, not only key-shaped).
_ASSIGNMENT = re.compile(
    r"""(?P<name>[A-Za-z_][\w.-]*)["'\]]?[ \t]*(?:=>|:=|=|:)[ \t]*["']?(?P<value>[^\s"'#,;}]+)"""
)


def scan_text(text: str, config: Config) -> list[tuple[str, Report]]:
    """(rule code, report) for every credential found in `text`."""
    if len(text) < 64 and "PRIVATE KEY" not in text and "pass" not in text.lower():
        return []
    file_says_binance = mentions_binance(text) or "x-mbx-apikey" in text.lower()
    found: list[tuple[int, str, Report]] = []
    blocks = pem_blocks(text) if file_says_binance else []
    for start, end in blocks:
        value = text[start:end]
        found.append((start, "BL103", _report(text, start, start + len("-----BEGIN"), value, "private_key", None,
                                             config)))

    seen: set[str] = set()
    unnamed: list[re.Match[str]] = []
    named_kinds: set[str] = set()
    for match in KEY_TOKEN.finditer(text):
        value = match.group()
        if value in seen or any(start <= match.start() < end for start, end in blocks):
            continue
        sample = doc_sample_kind(value)
        hex_key = sample is None and is_hex_key_candidate(value)
        if not (sample or hex_key or is_key_candidate(value)):
            continue
        name = _name_before(text, match.start())
        kind = classify_name(name) if name else None
        if hex_key and kind not in ("key", "secret"):
            continue  # hex is a digest unless a key or secret name holds it
        if sample is not None and kind not in ("key", "secret"):
            kind = sample  # Binance's public sample: known by its value, in any file
        if kind is not None and (file_says_binance or mentions_binance(name or "") or sample is not None):
            seen.add(value)
            named_kinds.add(kind)
            found.append((match.start(), _CODES[kind], _report(text, match.start(), match.end(), value, kind, name,
                                                             config)))
        elif not (name and _NOT_CREDENTIAL_TOKENS.intersection(name_tokens(name))):
            unnamed.append(match)

    if file_says_binance:
        pending = []
        for match in unnamed:
            if match.group() not in seen:
                seen.add(match.group())
                pending.append(match)
        halves = named_kinds & {"key", "secret"}
        if len(halves) == 1:
            pending = pending[:1]  # the other half of a named key or secret
        elif halves or len(pending) < 2:
            pending = []  # a named pair is complete; one lone value is no pair
        if pending:
            for match, kind in zip(pending, _pair_kinds(len(pending), named_kinds)):
                found.append((match.start(), _CODES[kind], _report(text, match.start(), match.end(), match.group(),
                                                                 kind, None, config)))
        found.extend(_passphrases(text, config, seen))
    found.sort(key=lambda item: item[0])
    return [(code, report) for _, code, report in found]


def _pair_kinds(count: int, named: set[str]) -> "Iterator[Kind]":
    """Kinds for unnamed values of a pair: what the named ones lack, else key, secret, key..."""
    if "key" in named and "secret" not in named:
        first: Kind = "secret"
    else:
        first = "key"
    second: Kind = "secret" if first == "key" else "key"
    for index in range(count):
        yield first if index % 2 == 0 else second


def _passphrases(text: str, config: Config, seen: set[str]) -> list[tuple[int, str, Report]]:
    if "pass" not in text.lower():
        return []
    found = []
    for match in _ASSIGNMENT.finditer(text):
        name, value = match.group("name"), match.group("value")
        if classify_name(name) != "passphrase" or value in seen or not is_passphrase_candidate(value):
            continue
        seen.add(value)
        start = match.start("value")
        found.append((start, "BL103", _report(text, start, match.end("value"), value, "passphrase", name, config)))
    return found


def _name_before(text: str, start: int) -> str | None:
    """The name a value at `start` is given on its line (`NAME=`, `name: `, `--name `, `Name `)."""
    prefix = text[text.rfind("\n", 0, start) + 1: start]
    match = _NAME_BEFORE.search(prefix[-200:])
    if match is None:
        return None
    return match.group("name") or match.group("bare") or (match.group("flag") or "").lstrip("-") or None


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _report(text: str, start: int, end: int, value: str, kind: Kind, name: str | None, config: Config) -> Report:
    line, column = _position(text, start)
    end_line, end_column = _position(text, end)
    label = "private key (a PEM block)" if kind == "private_key" else KIND_LABELS[kind]
    if kind in ("key", "secret") and is_hex_key_candidate(value) and mentions_testnet_host(text):
        label = f"testnet-style {label}"  # futures-testnet keys are 64 lowercase hex characters
    shown = "" if kind == "private_key" else f" `{redact_value(value)}`"
    holder = f"`{name}` holds" if name else "This file holds"
    sample = kind in ("key", "secret") and doc_sample(value)
    var = config.env_var(ENV_KINDS[kind])
    if sample:
        message = (f"{holder} Binance's documentation sample {label}{shown}: a public example, not a live key, "
                   "but real credentials will follow it here.")
    else:
        pair = " next to its other half" if name is None and kind in ("key", "secret") else ""
        message = (f"{holder} a Binance {label}{shown} in plain text{pair}. If this file was ever committed, the "
                   "key is in version-control history: revoke it on Binance and create a new one.")
    fix_text = (f"Keep the file out of git (list it in `.gitignore`; commit a `.env.example` with empty values) "
                f"and supply the value at run time as {var}.")
    return Report(
        None, message, fix_text, Applicability.ADVICE, (),
        severity=Severity.INFO if sample else None, secrets=(value,), span=(line, column, end_line, end_column),
    )
