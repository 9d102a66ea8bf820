"""Retries made by libraries (tenacity, backoff, retrying) and by recursion.

A part of the retry model: `RetryModel` (`analysis/retries.py`) holds one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import libcst as cst

from binlint.analysis.retry_constructs import RetryConstruct
from binlint.analysis.retry_facts import (
    BACKOFF_CONSTANT, BACKOFF_DECORATORS, BACKOFF_RUNTIME, CONSTANT_WAITS, GROWING_WAITS, RETRYING_DECORATORS,
    RETRYING_GROWING, RETRYING_STOPS, RETRYING_WAITS, TENACITY_DECORATORS, TENACITY_RETRYING,
)
from binlint.analysis.retry_syntax import keyword, subtree
from binlint.analysis.values import bind_arguments, called_function, module_index

if TYPE_CHECKING:
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.retries import RetryModel
    from binlint.analysis.walk import TreeIndex


class LibraryRetries:
    """Decorators, `Retrying` objects and recursive calls that run a function again."""

    def __init__(self, retries: "RetryModel") -> None:
        self.retries = retries
        self.model: ModuleModel = retries.model
        self.tree: TreeIndex = retries.tree

    def _decorated(self) -> Iterator[RetryConstruct]:
        model = self.model
        for function in self.tree.of_type(cst.FunctionDef):
            for decorator in function.decorators:
                expr = decorator.decorator
                call = expr if type(expr) is cst.Call else None
                name = model.qualname(call.func if call is not None else expr)
                construct = self._library_construct(name, call, decorator, function)
                if construct is not None:
                    yield construct

    def _library_construct(self, name: str | None, call: cst.Call | None, node: cst.CSTNode,
                           function: cst.FunctionDef | None,
                           roots: tuple[cst.CSTNode, ...] | None = None) -> RetryConstruct | None:
        """A tenacity / backoff / retrying construct from its call (None for a bare `@retry`)."""
        if name in TENACITY_DECORATORS or name in TENACITY_RETRYING:
            kind = "tenacity"
            waits, grows, bounded, wait = self._tenacity(call)
        elif name in BACKOFF_DECORATORS:
            kind = "backoff"
            waits, grows, bounded, wait = self._backoff(call)
        elif name in RETRYING_DECORATORS:
            kind = "retrying"
            waits, grows, bounded, wait = self._retrying(call)
        else:
            return None
        if roots is None:
            assert function is not None
            roots = (function.body,)
        scanned = (*roots, *((call,) if call is not None else ()))
        custom = self._custom_wait_functions(call)
        reads = self.retries._any_inside((*scanned, *custom), self.retries._retry_after_nodes) is not None
        if function is not None:
            reads = reads or self.retries._any_inside(
                [f.body for f in self._functions_called_from(function)], self.retries._retry_after_nodes) is not None
        return RetryConstruct(
            kind=kind, node=node, roots=roots, function=function, waits=waits, grows=grows,
            bounded=bounded, reads_retry_after=reads, rate_limit=self.retries._rate_limit_retried(scanned, None),
            wait=wait,
        )

    def _tenacity(self, call: cst.Call | None) -> tuple[bool, bool, bool, cst.CSTNode | None]:
        wait = keyword(call, "wait") if call is not None else None
        stop = keyword(call, "stop") if call is not None else None
        bounded = stop is not None and not self._only(stop.value, {"stop_never"})
        if wait is None:
            return False, False, bounded, None
        names = self._strategy_names(wait.value)
        if names & GROWING_WAITS:
            return True, True, bounded, wait
        if names and names <= CONSTANT_WAITS:
            return not names <= {"wait_none"}, False, bounded, wait
        return True, True, bounded, wait  # a custom strategy: given the benefit of the doubt

    def _backoff(self, call: cst.Call | None) -> tuple[bool, bool, bool, cst.CSTNode | None]:
        if call is None:
            return False, False, False, None
        wait = keyword(call, "wait_gen")
        wait_expr = wait.value if wait is not None else (call.args[0].value if call.args and not call.args[0].keyword
                                                          else None)
        limits = [a for a in (keyword(call, "max_tries"), keyword(call, "max_time"))
                  if a is not None and not (type(a.value) is cst.Name and a.value.value == "None")]
        bounded = bool(limits)
        if wait_expr is None:
            return False, False, bounded, None
        name = self.model.qualname(wait_expr)
        if name in BACKOFF_CONSTANT or name in BACKOFF_RUNTIME:
            return True, False, bounded, wait_expr
        return True, True, bounded, wait_expr  # expo, fibo, or a custom generator

    def _retrying(self, call: cst.Call | None) -> tuple[bool, bool, bool, cst.CSTNode | None]:
        keywords = {a.keyword.value: a for a in (call.args if call is not None else ()) if a.keyword is not None}
        waits = [keywords[k] for k in keywords if k in RETRYING_WAITS]
        grows = any(k in RETRYING_GROWING for k in keywords)
        bounded = any(k in RETRYING_STOPS for k in keywords)
        return bool(waits), grows, bounded, waits[0] if waits else None

    def _strategy_names(self, expr: cst.BaseExpression) -> set[str]:
        """The tenacity strategy names an expression uses (`wait_fixed(1) + wait_random(0, 1)`)."""
        if type(expr) in (cst.Name, cst.Attribute):
            return {self._strategy_name(self.model.qualname(expr))}
        names = set()
        for sub in subtree(expr):
            if type(sub) is cst.Call:
                qualified = self.model.call_name(sub)
                if qualified is None or not qualified.startswith("builtins."):
                    names.add(self._strategy_name(qualified))
        return names

    @staticmethod
    def _strategy_name(qualified: str | None) -> str:
        if qualified is not None and qualified.startswith("tenacity."):
            return qualified.rsplit(".", 1)[1]
        return "<custom>"

    def _only(self, expr: cst.BaseExpression, allowed: set[str]) -> bool:
        names = self._strategy_names(expr)
        return bool(names) and names <= allowed

    def _custom_wait_functions(self, call: cst.Call | None) -> list[cst.CSTNode]:
        """Same-module functions named in a construct's arguments (a custom `wait` or `value`)."""
        if call is None:
            return []
        index = module_index(self.model)
        found: list[cst.CSTNode] = []
        for arg in call.args:
            for sub in subtree(arg.value):
                if type(sub) is cst.Name and sub.value in index.module_functions:
                    found.append(index.module_functions[sub.value])
        return found

    def _functions_called_from(self, function: cst.FunctionDef) -> list[cst.FunctionDef]:
        found = []
        for call in self.retries._inside(function.body, cst.Call):
            callee = called_function(self.model, call)
            if callee is not None and callee is not function and callee not in found:
                found.append(callee)
        return found

    # --- tenacity's Retrying objects ---------------------------------------------------------

    def _retrying_object(self, expr: cst.BaseExpression) -> tuple[str, cst.Call] | None:
        """`Retrying(...)`, `tenacity.retry(...)` or `backoff.on_exception(...)`, directly or by name."""
        value = self.model.value_of(expr)
        if type(value) is cst.Call:
            name = self.model.call_name(value)
            if name in TENACITY_RETRYING or name in TENACITY_DECORATORS or name in BACKOFF_DECORATORS \
                    or name in RETRYING_DECORATORS:
                return name, value
        return None

    def _retrying_loops(self) -> Iterator[RetryConstruct]:
        """`for attempt in Retrying(...): with attempt: ...` (and `async for` with AsyncRetrying)."""
        for loop in self.tree.of_type(cst.For):
            found = self._retrying_object(loop.iter)
            if found is None or found[0] not in TENACITY_RETRYING:
                continue
            name, call = found
            construct = self._library_construct(name, call, loop, self.model.function_of(loop),
                                                 roots=(loop.body,))
            if construct is not None:
                construct.function = None
                yield construct

    def _retrying_calls(self) -> Iterator[RetryConstruct]:
        """`Retrying(...)(place, ...)`, `retryer(place)`, `retry(...)(place)`: the function passed."""
        for call in self.model.calls():
            func = call.func
            if type(func) is cst.Attribute and func.attr.value in ("call", "__call__"):
                func = func.value
            found = self._retrying_object(func)
            if found is None or found[1] is call or not call.args:
                continue
            target = call.args[0].value
            function = module_index(self.model).module_functions.get(target.value) \
                if type(target) is cst.Name else None
            if function is None and type(target) is cst.Attribute and type(target.value) is cst.Name \
                    and target.value.value == "self":
                klass = self.model.class_of(call)
                function = module_index(self.model).methods.get((id(klass), target.attr.value)) if klass else None
            if function is None:
                continue
            construct = self._library_construct(found[0], found[1], call, function)
            if construct is not None:
                yield construct

    # --- recursion -----------------------------------------------------------------------------

    def _recursions(self) -> Iterator[RetryConstruct]:
        for call in self.model.calls():
            function = called_function(self.model, call)
            if function is None or not self.tree.contains(function, call):
                continue
            if not self._retry_branch(call, function):
                continue
            counters = self._recursion_counters(call, function)
            sleeps = self.retries._sleeps_in(function.body)
            bounded = any(
                type(sub) is cst.Name and sub.value in counters
                for comparison in self.retries._inside(function.body, cst.Comparison) for sub in subtree(comparison)
            )
            yield RetryConstruct(
                kind="recursion", node=call, roots=(function.body,), function=function, waits=bool(sleeps),
                grows=any(s.args and self.retries._grows(s.args[0].value, function, counters, 0) for s in sleeps),
                bounded=bounded,
                reads_retry_after=self.retries._any_inside(
                    (function.body,), self.retries._retry_after_nodes) is not None,
                rate_limit=self.retries._rate_limit_retried((function.body,), function),
                wait=sleeps[0] if sleeps else None,
            )

    def _retry_branch(self, call: cst.Call, function: cst.FunctionDef) -> bool:
        """Whether a recursive call retries: from an `except`, or after a status or rate-limit check."""
        for ancestor in self.tree.ancestors(call):
            if ancestor is function:
                return False
            if type(ancestor) is cst.ExceptHandler:
                return True
            if type(ancestor) is cst.If:
                for sub in subtree(ancestor.test):
                    if type(sub) is cst.Attribute and sub.attr.value in ("status_code", "status", "code"):
                        return True
                    if sub in self.retries._rate_limit_nodes:
                        return True
        return False

    def _recursion_counters(self, call: cst.Call, function: cst.FunctionDef) -> set[str]:
        """Parameters the recursive call passes changed (`attempt + 1`, `retries - 1`, `delay * 2`)."""
        found = set()
        for name, passed in bind_arguments(call, function, plain=True).items():
            if type(passed) is cst.BinaryOperation and any(
                type(n) is cst.Name and n.value == name for n in subtree(passed)
            ):
                found.add(name)
        return found
