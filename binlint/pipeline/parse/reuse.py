"""Syntax trees parsed before the check, kept for the check of the same text.

Phase one reads a few modules with libcst (the helper modules other modules import, see
`binlint.analysis.helper_index`); the check of the same file then takes that tree instead of
parsing the text again. `--fix` keeps the tree it parsed to check that a fixed text still
parses, for the check of that text. A tree is taken once, only for exactly the text it was parsed from
(after the nesting guard, so what the check reports is unchanged), and at most `LIMIT` are
held at a time, so memory stays bounded however many helper modules a project has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

LIMIT = 32
_KEPT: dict[str, "cst.Module"] = {}


def keep(source: str, module: "cst.Module") -> None:
    """Hold `module`, parsed from `source`, for the check (the oldest dropped past `LIMIT`)."""
    _KEPT.pop(source, None)
    _KEPT[source] = module
    while len(_KEPT) > LIMIT:
        del _KEPT[next(iter(_KEPT))]


def take(source: str) -> "cst.Module | None":
    """The tree kept for exactly `source` (then no longer held), or None."""
    if not _KEPT:
        return None
    return _KEPT.pop(source, None)
