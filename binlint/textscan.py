"""The text-level BL1 scan for files that are not parsed: .env, JSON, YAML, TOML, INI,
shell, unparsable Python."""

from __future__ import annotations

from binlint.config import Config
from binlint.rules.base import Report


def scan_text(text: str, config: Config) -> list[tuple[str, Report]]:
    """(rule code, report) for every credential found in `text`."""
    return []
