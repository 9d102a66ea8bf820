"""Syntax trees parsed before the check, kept for the check of the same text.

Phase one reads a few modules with libcst (the helper modules other modules import, see
`binlint.analysis.helper_index`); the check of the same file then takes that tree instead of
parsing the text again. `--fix` keeps the tree it parsed to check that a fixed text still
parses, for the check of that text; and while `--fix` runs, the check holds the tree of the file
it checked last (`hold`), so that the fixer builds the tree of the fixed text from it, re-parsing
only the lines its edits touched (`binlint.pipeline.parse.incremental.splice_edits`). A tree is
taken once, only for exactly the text it was parsed from, and after the nesting guard passed that
text (so what the check reports is unchanged): the guard runs over the whole text, except for a
spliced tree, whose re-parsed lines passed it at their depth and whose other lines passed it in
the check before. At most `LIMIT` are held at a time, so memory stays bounded however many
helper modules a project has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import libcst as cst

    from binlint.pipeline.parse.incremental import PlacedLine

LIMIT = 32
_KEPT: dict[str, "cst.Module"] = {}
_GUARDED: set[str] = set()  # sources whose whole text need not pass the nesting guard again


def keep(source: str, module: "cst.Module", guarded: bool = False) -> None:
    """Hold `module`, parsed from `source`, for the check (the oldest dropped past `LIMIT`).

    `guarded`: the text is known to pass the nesting guard without running it on the whole text
    (a tree spliced by `--fix`: the lines it re-parsed passed it at their depth, the rest of
    the text passed it in the check before)."""
    _KEPT.pop(source, None)
    _KEPT[source] = module
    if guarded:
        _GUARDED.add(source)
    else:
        _GUARDED.discard(source)
    while len(_KEPT) > LIMIT:
        _GUARDED.discard(dropped := next(iter(_KEPT)))
        del _KEPT[dropped]


def take(source: str) -> "cst.Module | None":
    """The tree kept for exactly `source` (then no longer held), or None."""
    if not _KEPT:
        return None
    _GUARDED.discard(source)
    return _KEPT.pop(source, None)


def take_guarded(source: str) -> "cst.Module | None":
    """The tree kept for exactly `source` when it was kept as `guarded` (then no longer held), or None."""
    if source not in _GUARDED:
        return None
    return take(source)


_HOLDING = False
_HELD: list[tuple[str, "cst.Module", "Sequence[PlacedLine]"]] = []  # the tree of the file checked last, while holding


def holding(on: bool) -> None:
    """Whether the check holds the tree of the file it checked last (`--fix` turns it on); off, the
    tree held is dropped."""
    global _HOLDING
    _HOLDING = on
    if not on:
        _HELD.clear()


def is_holding() -> bool:
    return _HOLDING


def hold(source: str, module: "cst.Module", lines: "Sequence[PlacedLine]" = ()) -> None:
    """Hold `module`, parsed from `source`, when holding: only one, the one held before is dropped.
    `lines`: where the check placed simple statement lines (`incremental.placed_lines`)."""
    _HELD.clear()
    if _HOLDING:
        _HELD.append((source, module, lines))


def release_held() -> None:
    """Drop the tree held (a check starts: the tree of the file before is not needed any more)."""
    _HELD.clear()


def held(source: str) -> "tuple[cst.Module, Sequence[PlacedLine]] | None":
    """The tree held for exactly `source` and the lines placed in it (then no longer held), or None."""
    if _HELD and _HELD[0][0] == source:
        _, module, lines = _HELD.pop()
        return module, lines
    return None
