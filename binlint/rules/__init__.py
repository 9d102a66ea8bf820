"""The rule registry: every `blNNN_*.py` module in this package holds one rule."""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache

from binlint.rules.base import Invalid, Report, Rule, Valid

__all__ = ["Invalid", "Report", "Rule", "Valid", "all_rules", "get_rule", "selected"]

_MODULE = re.compile(r"^bl\d{3}_\w+$")


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, ordered by code."""
    found: list[type[Rule]] = []
    for info in pkgutil.iter_modules(__path__):
        if not _MODULE.match(info.name):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.__module__ == module.__name__:
                found.append(value)
    return tuple(sorted(found, key=lambda rule: rule.code))


def get_rule(code: str) -> type[Rule] | None:
    code = code.strip().upper()
    return next((rule for rule in all_rules() if rule.code == code), None)


def _match_length(code: str, prefixes: tuple[str, ...]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


def is_selected(code: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """Ruff's rule: the more specific of --select and --ignore wins; a tie goes to ignore."""
    chosen = _match_length(code, select)
    return chosen >= 0 and chosen > _match_length(code, ignore)


def selected(select: tuple[str, ...], ignore: tuple[str, ...]) -> tuple[type[Rule], ...]:
    return tuple(rule for rule in all_rules() if is_selected(rule.code, select, ignore))
