"""The rule codes that exist, and the check that a code or prefix given by the user names one.

Codes come from the rule modules' names (`bl302_….py` holds BL302), so checking an option
imports no rule (and so not libcst). A code or prefix that matches no rule is refused: a
`--select BL9` that selects nothing would let every file pass the gate.
"""

from __future__ import annotations

import difflib
import importlib.util
import pkgutil
import re
from functools import lru_cache

_MODULE = re.compile(r"^bl(\d{3})_\w+$")


@lru_cache(maxsize=1)
def rule_codes() -> tuple[str, ...]:
    """Every rule code, sorted (read from the rule modules' names, none imported)."""
    spec = importlib.util.find_spec("binlint.rules")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    codes = {f"BL{m.group(1)}" for info in pkgutil.iter_modules(locations) if (m := _MODULE.match(info.name))}
    return tuple(sorted(codes))


def known_codes() -> tuple[str, ...]:
    """The codes of the rule registry when it is loaded already (it is the truth, and may hold
    rules registered at run time), else those of the rule modules."""
    import sys

    registry = sys.modules.get("binlint.rules")
    all_rules = getattr(registry, "all_rules", None)
    if all_rules is not None:
        return tuple(rule.code for rule in all_rules())
    return rule_codes()


def matches_a_rule(code: str) -> bool:
    return any(rule.startswith(code) for rule in known_codes())


def suggestions(code: str, limit: int = 3) -> list[str]:
    """The codes or prefixes nearest to `code`: same length, most alike, then numerically closest."""
    codes = known_codes()
    candidates = sorted({rule[:len(code)] for rule in codes if len(rule) >= len(code)} or set(codes))
    digits = re.sub(r"\D", "", code)
    number = int(digits) if digits else 0

    def distance(candidate: str) -> tuple[float, int, str]:
        ratio = difflib.SequenceMatcher(None, code, candidate).ratio()
        other = re.sub(r"\D", "", candidate)
        return (-round(ratio, 3), abs(int(other or 0) - number), candidate)

    return sorted(candidates, key=distance)[:limit]


def unknown(code: str) -> str | None:
    """Why `code` (upper case, `BL` + up to 3 digits) names no rule, with the nearest codes; None when it does."""
    if matches_a_rule(code):
        return None
    near = suggestions(code)
    hint = f"; did you mean {', '.join(near[:-1]) + ' or ' + near[-1] if len(near) > 1 else near[0]}?" if near else ""
    return f"{code!r} matches no rule{hint} (`binlint rules` lists every code)"
