"""Reaching definitions: which assignments of a name can give one use of it its value.

`url = BASE + "/api/v3/order"; session.post(url)` then `url = BASE + "/api/v3/openOrders";
session.get(url)`: each use of `url` is reached by one assignment, so each request has
its own endpoint. One pass over the statements of a scope (a function, or the module's
top level with its class bodies, which run in order) gives every use of a name bound in
that scope the bindings that reach it:

- an assignment replaces what reached before it (straight-line code);
- after `if`/`elif`/`else`, `match` and `try`, what left any branch reaches (a missing
  `else` leaves the state before the `if` as one branch); after `return`, `raise`,
  `break` and `continue` nothing flows on;
- a loop's head is reached by what reached the loop and by every assignment inside it
  (without iterating to a fixed point: each loop costs its own statements once);
  the code after a loop sees the head's state;
- an `except` handler sees what reached the `try` and every assignment in its body.

No path sensitivity: `if a: x = 1` / `if a: use(x)` sees both the assignment and what was
there before. A parameter's own value is not listed: a use no assignment reaches gets ()
(it holds what the caller passed), and where an assignment reaches on some path, that
is what the use is taken to hold, as the flow-insensitive lookup did. Uses this pass does not record (a name in a nested function, a lambda, a
comprehension, a decorator, or declared `global`/`nonlocal`) get None from `reaching`,
and callers fall back to every binding of the name (what `ModuleModel.bindings` gives).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, Sequence, cast

import libcst as cst

if TYPE_CHECKING:
    from binlint.analysis.module import Binding, ModuleModel, Scope
    from binlint.analysis.walk import TreeIndex

State = dict[str, tuple["Binding", ...]]
# More assignments than this reaching one use (a name set in each of many branches) are
# not listed: the use counts as not followed, and a use's list stays small, so the pass
# stays linear in the size of the scope.
_MAX_REACHING = 8


class _Many(tuple):  # type: ignore[type-arg]
    """Stands for "too many to list" in a state."""


MANY: tuple["Binding", ...] = _Many()
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_JUMPS = (cst.Return, cst.Raise, cst.Break, cst.Continue)
_NO_USES = (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal, cst.Pass)


class ScopeFlow:
    """The bindings that reach each use of a name in one scope, found in one pass."""

    def __init__(self, model: "ModuleModel", scope: "Scope", bindings: dict[str, list["Binding"]]) -> None:
        self.model = model
        self.scope = scope
        self.uses: dict[int, tuple[cst.Name, tuple["Binding", ...]]] = {}
        self.self_referring: set[int] = set()  # ids of bindings whose value reads the name they bind
        self._names = set(bindings) - _declared_elsewhere(model, scope)
        self._by_statement: dict[int, list[tuple[str, "Binding"]]] = {}
        ordered: list[tuple[int, str, "Binding"]] = []
        tree = model.tree
        for name, found in bindings.items():
            if name not in self._names:
                continue
            for binding in found:
                self._by_statement.setdefault(id(binding.statement), []).append((name, binding))
                ordered.append((binding.order, name, binding))
                value = binding.value
                if value is not None and any(n.value == name and _reads(tree, n) for n in tree.within(value, cst.Name)):
                    self.self_referring.add(id(binding))
        ordered.sort(key=lambda item: item[0])
        self._ordered = ordered
        self._orders = [item[0] for item in ordered]
        self._own_names_only = False
        if not self._names:
            return
        # A function with no function, lambda or comprehension inside: every name in it is its own.
        self._own_names_only = type(scope) is cst.FunctionDef and len(tree.within(scope, cst.FunctionDef)) == 1 \
            and not any(tree.within(scope, kind) for kind in (cst.Lambda, *_COMPREHENSIONS))
        if type(scope) is cst.Module:
            self._block(scope.body, {})
        elif type(scope) is cst.FunctionDef:
            self._block(scope.body.body, {})

    # --- statements ---------------------------------------------------------------------

    def _block(self, statements: Sequence[cst.CSTNode], state: State | None) -> State | None:
        for statement in statements:
            state = self._statement(statement, state)
        return state

    def _statement(self, node: cst.CSTNode, state: State | None) -> State | None:
        if type(node) is cst.SimpleStatementLine:
            return self._block(node.body, state)
        if state is None:  # after a return: the code is unreachable, nothing reaches it
            state = {}
        if type(node) is cst.If:
            return self._if(node, state)
        if type(node) is cst.For:
            self._uses(node.iter, state)
            head = self._loop_head(node, state)
            body = dict(head)
            self._define(node, body)
            self._block(node.body.body, body)
            return self._else(node, head)
        if type(node) is cst.While:
            head = self._loop_head(node, state)
            self._expression(node.test, head)
            self._block(node.body.body, dict(head))
            return self._else(node, head)
        if type(node) is cst.Try or type(node) is cst.TryStar:
            return self._try(node, state)
        if type(node) is cst.With:
            state = dict(state)
            for item in node.items:
                self._expression(item.item, state)
                self._define(item, state)
            return self._block(node.body.body, state)
        if type(node) is cst.ClassDef:  # a class body runs where it stands; its names are bound here
            return self._block(node.body.body, state)
        if type(node) is cst.Match:
            self._expression(node.subject, state)
            ends = [self._block(case.body.body, dict(state)) for case in node.cases]
            return _join(self._assigned_in(node), state, *ends)
        if type(node) is cst.FunctionDef:
            return state  # its body is a scope of its own
        return self._small(node, state)

    def _small(self, node: cst.CSTNode, state: State) -> State | None:
        kind = type(node)
        if kind in _NO_USES:
            return state
        if type(node) is cst.Assign:
            self._expression(node.value, state)
            for target in node.targets:
                self._target_uses(target.target, state)
        elif type(node) is cst.AnnAssign:
            if node.value is not None:
                self._expression(node.value, state)
            self._target_uses(node.target, state)
        elif type(node) is cst.AugAssign:
            self._expression(node.value, state)
            self._uses(node.target, state)  # read, then written
        else:
            self._expression(node, state)
        self._define(node, state)
        return None if kind in _JUMPS else state

    def _if(self, node: cst.If, state: State) -> State | None:
        state = dict(state)
        self._expression(node.test, state)
        body = self._block(node.body.body, dict(state))
        orelse = node.orelse
        names = self._assigned_in(node)
        if orelse is None:
            return _join(names, state, body)
        if type(orelse) is cst.If:
            return _join(names, body, self._if(orelse, state))
        return _join(names, body, self._block(orelse.body.body, dict(state)))

    def _try(self, node: cst.Try | cst.TryStar, state: State) -> State | None:
        body = self._block(node.body.body, dict(state))
        handler_entry = self._with_assignments_in(node.body, state)
        ends = [self._block(handler.body.body, dict(handler_entry)) for handler in node.handlers]
        if node.orelse is not None:
            body = self._block(node.orelse.body.body, body)
        names = self._assigned_in(node)
        normal = _join(names, body, *ends)
        if node.finalbody is None:
            return normal
        after = self._block(node.finalbody.body.body, _join(names, normal, handler_entry))
        return after if normal is not None else None

    def _else(self, node: cst.For | cst.While, head: State) -> State | None:
        if node.orelse is None:
            return head
        return self._block(node.orelse.body.body, dict(head))

    def _loop_head(self, node: cst.CSTNode, state: State) -> State:
        """What reaches a loop's head: what reached the loop, and every assignment inside it."""
        return self._with_assignments_in(node, state)

    def _with_assignments_in(self, node: cst.CSTNode, state: State) -> State:
        head = dict(state)
        for _, name, binding in self._inside(node):
            head[name] = _merge(head.get(name, ()), (binding,))
        return head

    def _inside(self, node: cst.CSTNode) -> list[tuple[int, str, "Binding"]]:
        """The bindings of this scope made inside `node`, in source order."""
        span = self.model.tree.span(node)
        if span is None:
            return []
        return self._ordered[bisect_left(self._orders, span[0]):bisect_left(self._orders, span[1])]

    def _assigned_in(self, node: cst.CSTNode) -> set[str]:
        """The names assigned inside `node`: the only ones its branches can leave different."""
        return {name for _, name, _ in self._inside(node)}

    # --- uses and definitions -------------------------------------------------------------------

    def _define(self, node: cst.CSTNode, state: State) -> None:
        """Apply the bindings made by `node` (walrus targets inside it first)."""
        tree = self.model.tree
        if type(node) not in (cst.For, cst.WithItem):
            for walrus in tree.within(node, cst.NamedExpr):
                self._apply(walrus, state)
        self._apply(node, state)

    def _apply(self, node: cst.CSTNode, state: State) -> None:
        made = self._by_statement.get(id(node))
        if made:
            for name, binding in made:
                state[name] = (binding,)

    def _expression(self, node: cst.CSTNode, state: State) -> None:
        """Record the uses in `node`, then apply the walrus assignments made in it."""
        self._uses(node, state)
        for walrus in self.model.tree.within(node, cst.NamedExpr):
            self._apply(walrus, state)

    def _target_uses(self, target: cst.BaseExpression, state: State) -> None:
        """The names read by an assignment target: `params` in `params["k"] = v`, not `x` in `x = v`."""
        kind = type(target)
        if kind is cst.Name:
            return
        if kind in (cst.Tuple, cst.List):
            for element in cast("cst.Tuple | cst.List", target).elements:
                inner = element.value
                if type(inner) is cst.StarredElement:
                    inner = inner.value
                self._target_uses(inner, state)
            return
        self._uses(target, state)

    def _uses(self, node: cst.CSTNode, state: State) -> None:
        model = self.model
        tree = model.tree
        names = self._names
        uses = self.uses
        for name in tree.within(node, cst.Name):
            if name.value not in names:
                continue
            if not _reads(tree, name):
                continue
            if not self._own_names_only and (model.scope_of(name) is not self.scope or
                                             tree.nearest(name, *_COMPREHENSIONS) is not None):
                continue  # a lambda's, or a comprehension's (whose targets are its own)
            reached = state.get(name.value, ())
            if reached is not MANY:
                uses[id(name)] = (name, reached)


def _reads(tree: "TreeIndex", name: cst.Name) -> bool:
    """Whether a Name node reads a variable (not `x.name`, `f(name=...)`, `(name := ...)`)."""
    parent = tree.parent(name)
    kind = type(parent)
    if kind is cst.Attribute:
        return cast(cst.Attribute, parent).attr is not name
    if kind is cst.Arg:
        return cast(cst.Arg, parent).keyword is not name
    if kind is cst.NamedExpr:
        return cast(cst.NamedExpr, parent).target is not name
    return True


def _merge(left: tuple["Binding", ...], right: tuple["Binding", ...]) -> tuple["Binding", ...]:
    if left is MANY or right is MANY:
        return MANY
    if not left:
        return right
    if not right or left is right or left == right:
        return left
    seen = {id(b): b for b in left}
    for binding in right:
        seen.setdefault(id(binding), binding)
    if len(seen) > _MAX_REACHING:
        return MANY
    return tuple(sorted(seen.values(), key=lambda b: b.order))


def _join(names: set[str], *states: State | None) -> State | None:
    """What reaches the point where branches meet (None: no branch gets there). The branches
    started from one state and differ only in `names`, the names assigned in them."""
    live = [s for s in states if s is not None]
    if not live:
        return None
    result = dict(live[0])
    for other in live[1:]:
        for name in names:
            result[name] = _merge(result.get(name, ()), other.get(name, ()))
    return result


def _declared_elsewhere(model: "ModuleModel", scope: "Scope") -> set[str]:
    """Names a `global`/`nonlocal` statement hands to another scope: their uses are left out."""
    found: set[str] = set()
    declarations: list[cst.Global | cst.Nonlocal] = model.tree.of_type(cst.Global, cst.Nonlocal)
    for node in declarations:
        if type(scope) is cst.Module or model.scope_of(node) is scope:
            found.update(item.name.value for item in node.names)
    return found
