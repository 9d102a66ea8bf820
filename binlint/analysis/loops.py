"""The paths round a loop: which ones make a given kind of call and which ones wait.

`spins(tree, loop, is_call, is_throttle)` walks one loop body statement by statement and
returns the paths back to the loop head (falling off the end of the body, or a
`continue`) that make a call `is_call` accepts and pass no call `is_throttle` accepts.
A path ends at `break`, `return`, `raise`, `sys.exit()`, or an assignment of a constant to
a name the `while` test reads (`running = False`). An exception may leave a `try` body at
its first interesting call, so an `except` branch starts with that call made and the
waits after it skipped.

Each path is kept only as far as it differs in what matters (a call made or not, a wait
passed or not, an `except` branch taken or not), so the walk is linear in the size of
the loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, AbstractSet, Callable, Iterable, Sequence, cast

import libcst as cst

if TYPE_CHECKING:
    from binlint.analysis.walk import TreeIndex

EXITS = frozenset({"sys.exit", "builtins.exit", "builtins.quit", "os._exit", "os.abort"})
_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


@dataclass(frozen=True, slots=True, repr=False)
class Path:
    """One way round the loop: the first interesting call on it, whether it waited, its branches."""

    call: cst.Call | None
    throttled: bool
    via: tuple[cst.CSTNode, ...] = ()  # the `except` handlers, and the `If`/`Else` bodies it went through

    def key(self) -> tuple[bool, bool, bool]:
        return self.call is not None, self.throttled, any(type(step) is cst.ExceptHandler for step in self.via)


@dataclass
class _Outcome:
    falls: list[Path]
    continues: list[Path]
    breaks: list[Path]


def _merge(*groups: Iterable[Path]) -> list[Path]:
    """The paths, one per (call made, waited) pair: the first one found is kept."""
    seen: dict[tuple[bool, bool, bool], Path] = {}
    for group in groups:
        for path in group:
            seen.setdefault(path.key(), path)
    return list(seen.values())


class LoopWalker:
    """Walks loop bodies of one module with a fixed pair of predicates."""

    def __init__(self, tree: "TreeIndex", is_call: Callable[[cst.Call], bool],
                 is_throttle: Callable[[cst.Call], bool], call_name: Callable[[cst.Call], str | None]) -> None:
        self.tree = tree
        self.is_call = is_call
        self.is_throttle = is_throttle
        self.call_name = call_name

    def spins(self, loop: cst.For | cst.While) -> list[Path]:
        """Paths back to the loop head that make an interesting call and do not wait."""
        flags: frozenset[str] = frozenset()
        start = [Path(None, False)]
        if type(loop) is cst.While:
            flags = frozenset(n.value for n in self._names(loop.test))
            start = self._apply(loop.test, start)
        outcome = self._block(loop.body, start, flags)
        return [p for p in _merge(outcome.falls, outcome.continues) if p.call is not None and not p.throttled]

    # --- effects of expressions ------------------------------------------------------

    def _calls(self, node: cst.CSTNode) -> list[cst.Call]:
        calls = self.tree.within(node, cst.Call)
        if not calls:
            return calls
        return [c for c in calls if not self._in_nested_scope(c, node)]

    def _in_nested_scope(self, call: cst.Call, root: cst.CSTNode) -> bool:
        for ancestor in self.tree.ancestors(call):
            if ancestor is root:
                return False
            if type(ancestor) in _NESTED_SCOPES:
                return True
        return False

    def _apply(self, node: cst.CSTNode, paths: list[Path]) -> list[Path]:
        calls = self._calls(node)
        if not calls or not paths:
            return paths
        made = next((c for c in calls if self.is_call(c)), None)
        waits = any(self.is_throttle(c) for c in calls)
        ends = any(self.call_name(c) in EXITS for c in calls)
        if ends:
            return []
        if made is None and not waits:
            return paths
        return _merge(Path(p.call or made, p.throttled or waits, p.via) for p in paths)

    def _names(self, node: cst.CSTNode) -> list[cst.Name]:
        return [n for n in self.tree.within(node, cst.Name)] if self.tree.span(node) else []

    # --- statements --------------------------------------------------------------------

    def _block(self, block: cst.BaseSuite | Sequence[cst.CSTNode], paths: list[Path],
               flags: frozenset[str]) -> _Outcome:
        statements = list(block.body) if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)) \
            else list(block)  # type: ignore[arg-type]
        result = _Outcome([], [], [])
        for statement in statements:
            if not paths:
                break
            outcome = self._statement(statement, paths, flags)
            result.continues = _merge(result.continues, outcome.continues)
            result.breaks = _merge(result.breaks, outcome.breaks)
            paths = outcome.falls
        result.falls = paths
        return result

    def _statement(self, statement: cst.CSTNode, paths: list[Path], flags: frozenset[str]) -> _Outcome:
        kind = type(statement)
        # Dispatch on the exact class; a cast in the branch taken types it.
        if kind in (cst.SimpleStatementLine, cst.SimpleStatementSuite):
            return self._small(cast("cst.SimpleStatementLine | cst.SimpleStatementSuite", statement).body, paths, flags)
        if kind is cst.If:
            return self._if(cast(cst.If, statement), paths, flags)
        if kind in (cst.For, cst.While):
            return self._inner_loop(cast("cst.For | cst.While", statement), paths, flags)
        if kind in (cst.Try, cst.TryStar):
            return self._try(cast("cst.Try | cst.TryStar", statement), paths, flags)
        if kind is cst.With:
            with_statement = cast(cst.With, statement)
            paths = self._apply_all([item.item for item in with_statement.items], paths)
            return self._block(with_statement.body, paths, flags)
        if kind is cst.Match:
            match_statement = cast(cst.Match, statement)
            paths = self._apply(match_statement.subject, paths)
            outcomes = [self._block(case.body, paths, flags) for case in match_statement.cases]
            return _Outcome(_merge(paths, *(o.falls for o in outcomes)), _merge(*(o.continues for o in outcomes)),
                            _merge(*(o.breaks for o in outcomes)))
        return _Outcome(paths, [], [])  # nested def/class: nothing runs here

    def _apply_all(self, nodes: Iterable[cst.CSTNode], paths: list[Path]) -> list[Path]:
        for node in nodes:
            paths = self._apply(node, paths)
        return paths

    def _small(self, statements: Sequence[cst.BaseSmallStatement], paths: list[Path],
               flags: frozenset[str]) -> _Outcome:
        result = _Outcome([], [], [])
        for small in statements:
            if not paths:
                break
            kind = type(small)
            if kind is cst.Continue:
                result.continues = _merge(result.continues, paths)
                paths = []
            elif kind is cst.Break:
                result.breaks = _merge(result.breaks, paths)
                paths = []
            elif kind in (cst.Return, cst.Raise):
                paths = []
            else:
                paths = self._apply(small, paths)
                if kind is cst.Assign and flags and sets_constant(cast(cst.Assign, small), flags):
                    paths = []
        result.falls = paths
        return result

    def _if(self, node: cst.If, paths: list[Path], flags: frozenset[str]) -> _Outcome:
        paths = self._apply(node.test, paths)
        body = self._block(node.body, [Path(p.call, p.throttled, (*p.via, node.body)) for p in paths], flags)
        orelse = node.orelse
        if orelse is None:
            other = _Outcome([Path(p.call, p.throttled, (*p.via, node)) for p in paths], [], [])
        elif type(orelse) is cst.If:
            other = self._if(orelse, paths, flags)
        else:
            other = self._block(orelse.body, [Path(p.call, p.throttled, (*p.via, orelse)) for p in paths], flags)
        return _Outcome(_merge(body.falls, other.falls), _merge(body.continues, other.continues),
                        _merge(body.breaks, other.breaks))

    def _inner_loop(self, node: cst.For | cst.While, paths: list[Path], flags: frozenset[str]) -> _Outcome:
        head = node.iter if isinstance(node, cst.For) else node.test
        paths = self._apply(head, paths)
        inner_flags = frozenset(n.value for n in self._names(node.test)) if type(node) is cst.While else frozenset()
        outcome = self._block(node.body, paths, inner_flags)
        if type(node) is cst.While and always_true(node.test) and not outcome.breaks:
            return _Outcome([], [], [])  # never ends by itself
        return _Outcome(_merge(paths, outcome.falls, outcome.continues, outcome.breaks), [], [])

    def _try(self, node: cst.Try | cst.TryStar, paths: list[Path], flags: frozenset[str]) -> _Outcome:
        body = self._block(node.body, paths, flags)
        # An exception leaves the body at its first interesting call (made, and not waited after).
        entry = self._until_first_call(node.body, paths)
        handled = [self._block(h.body, [Path(p.call, p.throttled, (*p.via, h)) for p in entry], flags)
                   for h in node.handlers]
        falls = body.falls
        if node.orelse is not None:
            orelse = self._block(node.orelse.body, falls, flags)
            falls = orelse.falls
            body = _Outcome(falls, _merge(body.continues, orelse.continues), _merge(body.breaks, orelse.breaks))
        result = _Outcome(_merge(falls, *(h.falls for h in handled)),
                          _merge(body.continues, *(h.continues for h in handled)),
                          _merge(body.breaks, *(h.breaks for h in handled)))
        if node.finalbody is not None:
            result.falls = self._block(node.finalbody.body, result.falls, flags).falls
            result.continues = self._apply(node.finalbody, result.continues)
        return result

    def _until_first_call(self, block: cst.BaseSuite, paths: list[Path]) -> list[Path]:
        for statement in block.body:
            calls = self._calls(statement)
            made = next((c for c in calls if self.is_call(c)), None)
            if made is not None:
                return _merge(Path(p.call or made, p.throttled, p.via) for p in paths)
            paths = self._apply(statement, paths)
        return paths


def sets_constant(assign: cst.Assign, flags: AbstractSet[str]) -> bool:
    """`running = False`: a constant put in a name the `while` test reads (the loop's off switch)."""
    if type(assign.value) not in (cst.Name, cst.Integer, cst.SimpleString) or (
            type(assign.value) is cst.Name and assign.value.value not in ("True", "False", "None")):
        return False
    return any(type(t.target) is cst.Name and t.target.value in flags for t in assign.targets)


def always_true(test: cst.BaseExpression) -> bool:
    """`while True`, `while 1`: a test that never fails."""
    if type(test) is cst.Name:
        return test.value == "True"
    if type(test) is cst.Integer:
        return test.value not in ("0", "0x0")
    return False


def describe_path(path: Path, code: Callable[[cst.CSTNode], str], line: Callable[[cst.CSTNode], int],
                  parent: Callable[[cst.CSTNode], cst.CSTNode | None]) -> str:
    """The branch a path takes, in words: "through `except Exception` on line 12"."""
    for step in reversed(path.via):
        if type(step) is cst.ExceptHandler:
            what = f"except {short_text(code(step.type))}" if step.type is not None else "except"
            return f"through its `{what}` branch on line {line(step)}"
    for step in reversed(path.via):
        if type(step) is cst.If:
            return f"when `{short_text(code(step.test))}` is false (line {line(step)})"
        if type(step) is cst.Else:
            owner = parent(step)
            test = owner.test if type(owner) is cst.If else None
            return f"through the `else` of `if {short_text(code(test))}`" if test is not None else "through an `else`"
        if type(step) is cst.IndentedBlock:
            owner = parent(step)
            if type(owner) is cst.If:
                return f"when `{short_text(code(owner.test))}` holds (line {line(owner)})"
    return "on every pass"


def short_text(text: str, limit: int = 50, ellipsis: str = "...") -> str:
    """`text` on one line, cut to `limit` characters ending in `ellipsis` (for code quoted in messages)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - len(ellipsis)] + ellipsis
