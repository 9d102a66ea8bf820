"""The values every stage passes along: severities, edits, fixes and findings.

Redaction lives here, so that no reporter can print a key: a finding's message and
fix text are scrubbed when the finding is made.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from typing import Iterable


class Severity(enum.IntEnum):
    """How serious a finding is; higher is worse."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


class Applicability(str, enum.Enum):
    """Whether `--fix` may apply a fix on its own."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    ADVICE = "advice"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text from (line, column) up to (end_line, end_column) with `content`.

    Lines and columns are 1-based; the end is exclusive. An insertion has start == end.
    In a notebook the positions are relative to the finding's cell.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(frozen=True, slots=True)
class Fix:
    """What to write instead, and the edits that write it where the rule can."""

    text: str
    applicability: Applicability = Applicability.ADVICE
    edits: tuple[Edit, ...] = ()

    def wanted(self, unsafe: bool) -> bool:
        """Whether `--fix` (with `unsafe`: `--unsafe-fixes`) applies these edits."""
        if not self.edits:
            return False
        return self.applicability is Applicability.SAFE or (unsafe and self.applicability is Applicability.UNSAFE)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place. Message and fix text are redacted on creation."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: Severity
    message: str
    fix: Fix
    cell: int | None = None
    # Hash of the normalised offending code, for baselines (never the code itself).
    fingerprint: str = ""
    # Values that must never be printed; used for scrubbing, never serialised.
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        message = scrub(self.message, self.secrets)
        fix_text = scrub(self.fix.text, self.secrets)
        if message != self.message:
            object.__setattr__(self, "message", message)
        if fix_text != self.fix.text:
            object.__setattr__(self, "fix", replace(self.fix, text=fix_text))

    def with_changes(self, **changes: object) -> "Finding":
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell if self.cell is not None else -1, self.line, self.column, self.code)


# --- redaction -------------------------------------------------------------------

_PEM_BLOCK = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*?)PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*?PRIVATE KEY-----|$)",
    re.DOTALL,
)
# A run of key-like characters long enough to be a credential: 32+ base62 characters
# holding both a letter and a digit, or 40+ base64 characters (PEM bodies, RSA/Ed25519).
# (`=` may end a token, as base64 padding, and may come right before one: `key=AbCd...`.)
_KEYLIKE = re.compile(r"(?<![A-Za-z0-9+/_-])([A-Za-z0-9+/_-]{32,}={0,2})(?![A-Za-z0-9+/=_-])")
KEYLIKE = _KEYLIKE  # for redacting in place (the full text format keeps carets under redacted lines)


def redact_value(value: str) -> str:
    """The printable form of a secret: at most its first 4 and last 2 characters."""
    if "PRIVATE KEY" in value:
        return "-----BEGIN PRIVATE KEY-----…(redacted)"
    if len(value) <= 8:
        return "…" * min(len(value), 3) if value else ""
    return f"{value[:4]}…{value[-2:]}"


def _looks_like_credential(token: str) -> bool:
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    return has_digit and has_alpha


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace every secret, PEM private key and key-shaped token in `text`."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, redact_value(secret))
    if "PRIVATE KEY-----" in text:
        text = _PEM_BLOCK.sub(lambda m: f"-----BEGIN {m.group(1)}PRIVATE KEY-----…(redacted)", text)

    def mask(match: re.Match[str]) -> str:
        token = match.group(1)
        return redact_value(token) if _looks_like_credential(token) else token

    return _KEYLIKE.sub(mask, text)


# A path as binlint's own messages print it: up to a space, a quote or a `: ` that follows.
_PATH = re.compile(r"""[^\s'"`]*/[^\s'"`]*?(?=:\s|[\s'"`]|:?$)""")


def scrub_message(text: str) -> str:
    """`scrub` for binlint's own error and warning messages: they quote values from config
    files and exceptions (which may be keys) but also name files, and a path whose folder
    exists is a path, not a key, so it stays readable."""
    import os

    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        path = match.group()
        folder = os.path.dirname(path.rstrip("/"))
        if not folder or not os.path.isdir(folder):
            return path
        kept.append(path)
        return f"\x00{len(kept) - 1}\x00"

    held = _PATH.sub(hold, text)
    return re.sub("\x00([0-9]+)\x00", lambda m: kept[int(m.group(1))], scrub(held))
