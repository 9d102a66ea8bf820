"""Retry loops: which loops go round again after a failure, and how they wait, grow and stop.

A part of the retry model: `RetryModel` (`analysis/retries.py`) holds one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, cast

import libcst as cst

from binlint.analysis.loops import EXITS, LoopWalker, always_true, describe_path, sets_constant
from binlint.analysis.retry_constructs import RetryConstruct
from binlint.analysis.retry_facts import SLEEPS, TIME_CALLS, WAIT_METHODS
from binlint.analysis.retry_syntax import (
    ERROR_ATTRIBUTES, ERROR_KEYS, ends_in_continue, ends_in_exit, is_exit, param_names, subtree,
)
from binlint.analysis.sdk_facts import ORDER_ID_KEYWORDS
from binlint.analysis.values import bind_arguments, called_function, dotted_text, literal_text

if TYPE_CHECKING:
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.retries import RetryModel
    from binlint.analysis.walk import TreeIndex

_LOOPS = (cst.For, cst.While)
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_BODIES = (cst.IndentedBlock, cst.SimpleStatementSuite, cst.SimpleStatementLine)


class LoopRetries:
    """Loops that run a call again after it failed."""

    def __init__(self, retries: "RetryModel") -> None:
        self.retries = retries
        self.model: ModuleModel = retries.model
        self.tree: TreeIndex = retries.tree
        # per-argument memos
        self._exits_cache: dict[int, list[cst.CSTNode]] = {}
        self._loop_functions_memo: dict[int, tuple[cst.CSTNode, list[cst.FunctionDef]]] = {}
        self._tests_cache: dict[int, list[cst.BaseExpression]] = {}
        self._throttling_functions: dict[int, tuple[cst.FunctionDef, bool]] = {}
        self._loop_retries_memo: dict[tuple[int, int], tuple[cst.For | cst.While, cst.CSTNode, bool]] = {}

    def _loops(self) -> Iterator[RetryConstruct]:
        model = self.model
        loops: list[cst.For | cst.While] = self.tree.of_type(cst.For, cst.While)
        for loop in loops:
            if type(loop) is cst.For:
                iterator = model.value_of(loop.iter)
                name = model.call_name(iterator) if type(iterator) is cst.Call else None
                if name not in ("builtins.range", "itertools.count", "itertools.repeat"):
                    continue
            if not self._exits(loop) or not self.retries._inside(loop, cst.Call):
                continue
            counters = self._counters(loop)
            sleeps = self._loop_sleeps(loop)
            reads = self.retries._any_inside((loop, *self._loop_functions(loop)),
                                             self.retries._retry_after_nodes) is not None
            yield RetryConstruct(
                kind="loop", node=loop, roots=(loop,), function=None,
                waits=bool(sleeps), grows=any(self._sleep_grows(s, loop, counters) for s in sleeps),
                bounded=self._loop_bounded(loop, counters), reads_retry_after=reads,
                rate_limit=self.retries._rate_limit_retried((loop, *self._loop_functions(loop)), loop),
                wait=sleeps[0] if sleeps else None,
                hot_path=self._hot_path(loop) if sleeps else None,
            )

    def _hot_path(self, loop: cst.For | cst.While) -> str | None:
        """An `except` branch that goes back to the loop head without waiting, while others wait."""
        if not self.tree.within(loop, cst.ExceptHandler):
            return None  # no `except` branch in it: no path goes through one
        model = self.model
        walker = LoopWalker(self.tree, lambda call: model.call_name(call) not in SLEEPS, self.throttles,
                            model.call_name)
        for path in walker.spins(loop):
            if any(type(step) is cst.ExceptHandler for step in path.via):
                return describe_path(path, model.code, model.line, self.tree.parent)
        return None

    def throttles(self, call: cst.Call) -> bool:
        """Whether a call waits: a sleep, `event.wait(timeout)`, a rate limiter, or a same-module helper that does."""
        name = self.model.call_name(call)
        if name in SLEEPS:
            return True
        func = call.func
        attr = func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else ""
        lowered = attr.lower()
        if lowered in WAIT_METHODS and (call.args or lowered != "wait"):
            return True
        if "sleep" in lowered or "throttle" in lowered or "rate_limit" in lowered or "ratelimit" in lowered:
            return True
        if lowered in ("acquire", "wait", "consume") and type(func) is cst.Attribute \
                and "limit" in (dotted_text(func.value) or "").lower():
            return True
        if lowered == "get" and type(func) is cst.Attribute and "queue" in (dotted_text(func.value) or "q").lower():
            return True  # `queue.get()` blocks until an item arrives
        function = called_function(self.model, call)
        if function is None:
            return False
        memo: dict[int, tuple[cst.FunctionDef, bool]] = self._throttling_functions
        if id(function) not in memo:
            memo[id(function)] = (function, False)  # a recursive helper: no
            found = any(self.throttles(c) for c in self.retries._inside(function.body, cst.Call) if c is not call)
            memo[id(function)] = (function, found)
        return memo[id(function)][1]

    def _exits(self, loop: cst.For | cst.While) -> list[cst.CSTNode]:
        """Where the loop stops on success: its `break`s, `return`s, and flags its `while` test reads."""
        cache: dict[int, list[cst.CSTNode]] = self._exits_cache
        if id(loop) not in cache:
            cache[id(loop)] = self._find_exits(loop)
        return cache[id(loop)]

    def _find_exits(self, loop: cst.For | cst.While) -> list[cst.CSTNode]:
        found: list[cst.CSTNode] = []
        for node in self.retries._inside(loop, cst.Break):
            if self._owner_loop(node) is loop:
                found.append(node)
        function = self.model.function_of(loop)
        for returned in self.retries._inside(loop, cst.Return):
            if self.model.function_of(returned) is function:
                found.append(returned)
        if type(loop) is cst.While and not always_true(loop.test):
            flags = {n.value for n in subtree(loop.test) if type(n) is cst.Name}
            for assign in self.retries._inside(loop, cst.Assign):
                if any(type(t.target) is cst.Name and t.target.value in flags for t in assign.targets):
                    found.append(assign)
        return found

    def _owner_loop(self, node: cst.CSTNode) -> cst.CSTNode | None:
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) in _LOOPS:
                return ancestor
            if type(ancestor) in _SCOPES:
                return None
        return None

    def _loop_retries(self, loop: cst.For | cst.While, node: cst.CSTNode) -> bool:
        """Whether the loop runs `node` again after it failed: raised, or answered with an error."""
        memo = self._loop_retries_memo
        known = memo.get((id(loop), id(node)))
        if known is None or known[0] is not loop or known[1] is not node:
            known = memo[(id(loop), id(node))] = (loop, node, self._loop_retries_uncached(loop, node))
        return known[2]

    def _loop_retries_uncached(self, loop: cst.For | cst.While, node: cst.CSTNode) -> bool:
        if type(loop) is cst.For and self._uses_target(loop, node):
            return False  # `for i in range(n): place(orders[i])` walks a list, it does not retry
        if self.model.function_of(node) is not self.model.function_of(loop):
            return False  # defined in the loop, not run by it
        exits = self._exits(loop)
        after = [e for e in exits if self.tree.order(e) > self.tree.order(node) or self.tree.contains(e, node)]
        # An exception: an `except` that lets the loop go round, and a way out on success.
        for ancestor in self.tree.ancestors(node):
            if ancestor is loop:
                break
            if not (type(ancestor) is cst.Try or type(ancestor) is cst.TryStar) or not self.tree.contains(ancestor.body, node):
                continue
            handlers = [h for h in ancestor.handlers if not self._ends_loop(h.body, loop)]
            if not handlers:
                continue
            goes_on = any(ends_in_continue(h.body) for h in handlers)
            for exit_node in after:
                if self.tree.contains(ancestor.body, exit_node) or (
                        ancestor.orelse is not None and self.tree.contains(ancestor.orelse, exit_node)):
                    return True
                if not self.tree.contains(ancestor, exit_node) and (goes_on or type(loop) is cst.For):
                    return True
        # An answer: the result is checked, and the loop goes round unless it leaves.
        if not after or self._exits_right_after(node, loop):
            return False
        return self._result_checked(node, loop)

    def _ends_loop(self, block: cst.BaseSuite, loop: cst.For | cst.While) -> bool:
        """Whether a branch ends the loop: `break`/`return`/`raise`, `sys.exit()`, or `running = False`."""
        if ends_in_exit(block):
            return True
        flags = {n.value for n in subtree(loop.test) if type(n) is cst.Name} if type(loop) is cst.While else set()
        for statement in block.body:
            if type(statement) is not cst.SimpleStatementLine:
                continue
            for small in statement.body:
                if type(small) is cst.Assign and flags and sets_constant(small, flags):
                    return True
                if type(small) is cst.Expr and type(small.value) is cst.Call \
                        and self.model.call_name(small.value) in EXITS:
                    return True
        return False

    def _uses_target(self, loop: cst.For, node: cst.CSTNode) -> bool:
        """Whether a call's arguments read the loop's target, other than in a client order id: an id
        made from the attempt number (`newClientOrderId=f"bot-{attempt}"`) is a new id for the same
        order on every attempt, not another order."""
        names = {n.value for n in subtree(loop.target) if type(n) is cst.Name}
        if not names or type(node) is not cst.Call:
            return False
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in ORDER_ID_KEYWORDS:
                continue
            values: list[cst.BaseExpression] = [arg.value]
            if type(arg.value) is cst.Dict:  # `params={"clientOrderId": f"x-{attempt}", ...}`
                values = [e.value for e in arg.value.elements if not (
                    type(e) is cst.DictElement and literal_text(e.key) in ORDER_ID_KEYWORDS)]
            if any(n.value in names for value in values for n in self.tree.within(value, cst.Name)):
                return True
        return False

    def _exits_right_after(self, node: cst.CSTNode, loop: cst.CSTNode) -> bool:
        """Whether every normal path from `node` leaves the loop (`place(); break`)."""
        child: cst.CSTNode = node
        for ancestor in self.tree.ancestors(node):
            if ancestor is loop:
                return False
            if type(ancestor) in _BODIES:
                body: list[cst.CSTNode] = list(cast("cst.IndentedBlock", ancestor).body)
                if child in body:
                    for statement in body[body.index(child) + 1:]:
                        if any(self._owner_loop(c) is loop for c in self.retries._inside(statement, cst.Continue)):
                            return False  # `if r.status_code == 429: continue`: it may go round
                        if is_exit(statement):
                            return True
            child = ancestor
        return False

    def _result_checked(self, node: cst.CSTNode, loop: cst.CSTNode) -> bool:
        """Whether the loop tests the call's result for an error (`if r.status_code == 429: continue`).

        Only error checks count: a loop that polls until a value changes
        (`if order["status"] == "FILLED": break`) repeats on purpose, it does not retry.
        """
        cache = self._tests_cache
        if id(loop) not in cache:
            tests = [n.test for n in self.retries._inside(loop, cst.If) if self._error_check(n.test)]
            if type(loop) is cst.While and self._error_check(loop.test):
                tests.append(loop.test)
            cache[id(loop)] = tests
        tests = cache[id(loop)]
        if any(self.tree.contains(test, node) for test in tests):
            return True
        parent = self.tree.parent(node)
        if type(parent) is cst.Await:
            parent = self.tree.parent(parent)
        target: cst.BaseExpression | None = None
        if type(parent) is cst.Assign and len(parent.targets) == 1:
            target = parent.targets[0].target
        elif isinstance(parent, (cst.AnnAssign, cst.NamedExpr)):
            target = parent.target
        if type(target) is not cst.Name:
            return False
        order = self.tree.order(node)
        return any(
            self.tree.order(test) > order
            and any(type(n) is cst.Name and n.value == target.value for n in subtree(test))
            for test in tests
        )

    def _error_check(self, test: cst.BaseExpression) -> bool:
        """Whether a test looks at an error: a status code, `ok`, an error code, a 429/418."""
        for sub in subtree(test):
            if type(sub) is cst.Attribute and sub.attr.value in ERROR_ATTRIBUTES:
                return True
            if type(sub) is cst.SimpleString and (literal_text(sub) or "") in ERROR_KEYS:
                return True
            if type(sub) is cst.Integer and sub.value.isdigit() and 400 <= int(sub.value) < 600:
                return True
        return False

    def _counters(self, loop: cst.For | cst.While) -> set[str]:
        """Names that change on every attempt: the `for` target, `n += 1`, `delay = delay * 2`."""
        names: set[str] = set()
        if type(loop) is cst.For:
            names.update(n.value for n in subtree(loop.target) if type(n) is cst.Name)
        for node in self.retries._inside(loop, cst.AugAssign):
            if type(node.target) is cst.Name:
                names.add(node.target.value)
        for assign in self.retries._inside(loop, cst.Assign):
            for target in assign.targets:
                if type(target.target) is cst.Name and any(
                    n.value == target.target.value for n in self.tree.within(assign.value, cst.Name)
                ):
                    names.add(target.target.value)
        return names

    def _loop_bounded(self, loop: cst.For | cst.While, counters: set[str]) -> bool:
        if type(loop) is cst.For:
            iterator = self.model.value_of(loop.iter)
            return type(iterator) is cst.Call and self.model.call_name(iterator) == "builtins.range"
        for comparison in self.retries._inside(loop, cst.Comparison):
            for sub in subtree(comparison):
                if type(sub) is cst.Name and sub.value in counters:
                    return True
                if type(sub) is cst.Call and self.model.call_name(sub) in TIME_CALLS:
                    return True
        return False

    def _loop_functions(self, loop: cst.CSTNode) -> list[cst.FunctionDef]:
        """Same-module functions the loop calls (any call, retried or not)."""
        # Asked several times per loop: remembered (the loop is kept in the entry, so its id
        # cannot be reused while the entry lives).
        memo = self._loop_functions_memo
        known = memo.get(id(loop))
        if known is None or known[0] is not loop:
            known = memo[id(loop)] = (loop, self._find_loop_functions(loop))
        return list(known[1])

    def _find_loop_functions(self, loop: cst.CSTNode) -> list[cst.FunctionDef]:
        found = []
        for call in self.retries._inside(loop, cst.Call):
            function = called_function(self.model, call)
            if function is not None and function not in found:
                found.append(function)
        return found

    def _loop_sleeps(self, loop: cst.CSTNode) -> list[cst.Call]:
        sleeps = self.retries._sleeps_in(loop)
        for function in self._loop_functions(loop):
            sleeps.extend(self.retries._sleeps_in(function.body))
        return sleeps

    def _sleep_grows(self, sleep: cst.Call, loop: cst.CSTNode, counters: set[str]) -> bool:
        if not sleep.args:
            return False
        if not self.tree.contains(loop, sleep):  # in a helper the loop calls: follow its parameters
            function = self.model.function_of(sleep)
            if function is None:
                return False
            params = param_names(function)
            for sub in subtree(sleep.args[0].value):
                if type(sub) is cst.BinaryOperation and type(sub.operator) in (cst.Power, cst.LeftShift):
                    return True
                if type(sub) is cst.Name and sub.value in params:
                    for call in self.retries._inside(loop, cst.Call):
                        if called_function(self.model, call) is function:
                            passed = bind_arguments(call, function, plain=True).get(sub.value)
                            if passed is not None and self.retries._grows(passed, loop, counters, 0):
                                return True
            return False
        return self.retries._grows(sleep.args[0].value, loop, counters, 0)
