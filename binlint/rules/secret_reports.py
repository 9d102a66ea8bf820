"""The report BL101–BL103 make for a hard-coded credential: one message, one fix, in one place.

Not a rule module (the registry loads only `blNNN_*.py`); the three rules differ only in
which literals of `analysis.secrets` they read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from binlint.analysis.credentials import ENV_KINDS, KIND_LABELS
from binlint.model import Applicability, Severity, redact_value
from binlint.rules.base import Report, insert_import, replace_node

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.secrets import SecretLiteral

_ROTATE = {
    "key": "revoke this API key on Binance and rotate to a new one",
    "secret": "revoke this key pair on Binance and rotate to a new one",
    "private_key": "revoke the API key registered with it on Binance and rotate to a new key pair",
    "passphrase": "revoke the key it protects on Binance and rotate to a new key pair and passphrase",
}


def literal_reports(analysis: "Analysis", code: str) -> Iterator[Report]:
    """A Report for every literal of `code` (BL101, BL102 or BL103) in the module."""
    for literal in analysis.secrets.literals_for(code):
        yield literal_report(analysis, literal)


def literal_report(analysis: "Analysis", literal: "SecretLiteral") -> Report:
    model = analysis.model
    label = "private key (a PEM block)" if literal.pem else KIND_LABELS[literal.kind]
    if literal.hex_shaped and analysis.secrets.testnet_in_play:
        label = f"testnet-style {label}"  # futures-testnet keys are 64 lowercase hex characters
    shown = "" if literal.pem else f" `{redact_value(literal.value)}`"
    line = model.line(literal.node)
    if literal.slot is None and literal.doc_sample:
        where = "is written here"
    elif literal.slot is None:
        where = "sits in this module, which is Binance code"
    else:
        where = literal.slot.description
        slot_line = model.line(literal.slot.node)
        if slot_line != line:
            where += f" on line {slot_line}"
        if literal.via is not None:
            where += f" through `{model.code(literal.via)}`"
    sample = literal.doc_sample
    if sample:
        message = (f"Binance's documentation sample {label}{shown} {where}. It is the public example from "
                   "Binance's API docs, not a live key, but credentials belong in the environment, not the code.")
    else:
        message = (f"Hard-coded Binance {label}{shown} {where}. Once committed it stays in version-control "
                   f"history: {_ROTATE[literal.kind]}.")
    pair = analysis.secrets.pair_literal(literal)
    if pair is not None and not sample:
        other = KIND_LABELS[pair.kind]
        message += f" Its {other} is hard-coded too (line {model.line(pair.node)}): the whole key pair leaked."

    getenv = literal.slot.getenv if literal.slot is not None and literal.replaced is literal.slot.getenv else None
    var = literal.slot.env_var if literal.slot is not None and literal.slot.env_var \
        else analysis.config.env_var(ENV_KINDS[literal.kind])
    replacement = f'os.environ["{var}"]'
    if literal.is_bytes and getenv is None:
        replacement += ".encode()"
    if getenv is not None:
        fix_text = (f"Drop the default and read `os.environ[\"{var}\"]`, so a missing variable fails loudly; "
                    f"then {_ROTATE[literal.kind]}.")
    else:
        fix_text = (f"Read it from the environment with `{replacement}` and set {var} outside the code"
                    f"{'' if sample else f'; then {_ROTATE[literal.kind]}'}.")
    edits = (replace_node(analysis, literal.replaced, replacement), *insert_import(analysis, "os"))
    return Report(
        literal.node, message, fix_text, Applicability.UNSAFE, edits,
        severity=Severity.INFO if sample else None, secrets=(literal.value,),
    )
