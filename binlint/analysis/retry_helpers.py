"""Retry helpers a module defines: functions that run a callable they are given again on failure.

Three forms, found by what the code does, never by name:

- "call": `def retry(fn, *args)` (or a method `self.retry(self._sell, qty)`) that calls its
  parameter `fn` inside a retry loop or recursion;
- "decorator": `def retry(fn)` that returns a wrapper calling `fn` that way (`@retry`);
- "factory": `def retry(times=3, delay=1)` that returns such a decorator (`@retry(5)`).

`summarize(analysis)` is a pure function of one module. Its result is plain data (names,
line numbers, booleans, words), so it can be cached and applied to call sites in other
modules; `RetryModel` applies it within the module. The stop/wait semantics are those of
the loop or recursion inside the helper: whether it waits, whether the wait grows, whether
attempts are bounded, whether it reads `Retry-After`, and what failures it retries on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import libcst as cst

if TYPE_CHECKING:
    from binlint.analysis import Analysis

Form = Literal["call", "decorator", "factory"]


@dataclass(frozen=True, slots=True)
class RetryHelper:
    """What one retry helper does, as plain data."""

    name: str  # "retry", or "Bot.retry" for a method
    line: int  # where it is defined
    form: Form
    parameter: str  # the parameter that receives the callable
    position: int  # its position among the positional parameters (`self` not counted)
    waits: bool
    grows: bool
    bounded: bool
    reads_retry_after: bool
    failure: str  # "unknown" (may retry after an order was placed), "not-placed", "other"
    failure_words: str  # "its `except Exception` on line 12"

    def problems(self) -> list[str]:
        found = []
        if not self.waits:
            found.append("retries at once with no delay")
        elif not (self.grows or self.reads_retry_after):
            found.append("waits the same delay on every attempt")
        if not self.bounded:
            found.append("has no bound on attempts")
        return found

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RetryHelper":
        return cls(**data)


def summarize(analysis: "Analysis") -> tuple[RetryHelper, ...]:
    """The retry helpers defined in the module `analysis` describes."""
    model = analysis.model
    tree = model.tree
    retries = analysis.retries
    found: dict[str, RetryHelper] = {}
    for call in model.calls():
        func = call.func
        if type(func) is not cst.Name:
            continue
        inner = model.function_of(call)
        holder = inner
        while holder is not None and func.value not in _positional(holder):
            holder = _enclosing_function(analysis, holder)
        if holder is None or any(b.value is not None for b in model.bindings(func)):
            continue
        constructs = [c for c in retries.base_enclosing(call) if c.kind in ("loop", "recursion")]
        if not constructs:
            continue
        construct = constructs[-1]
        top = holder
        outer = _enclosing_function(analysis, top)
        while outer is not None:
            top, outer = outer, _enclosing_function(analysis, outer)
        if top is holder:
            form: Form = "decorator" if inner is not holder else "call"
        elif _enclosing_function(analysis, holder) is top:
            form = "factory"
        else:
            continue
        if form != "call" and not _returns_function(analysis, top):
            continue
        klass = model.class_of(top)
        name = f"{klass.name.value}.{top.name.value}" if klass is not None and tree.parent(
            tree.parent(top) or top) is klass else top.name.value
        if name in found:
            continue
        triggers = retries.triggers(construct, call)
        outcome = "unknown" if any(t.outcome == "unknown" for t in triggers) else "not-placed" if all(
            t.outcome == "not-placed" for t in triggers) else "other"
        words = next((t.words for t in triggers if t.outcome == outcome), triggers[0].words)
        parameters = _positional(holder)
        found[name] = RetryHelper(
            name=name, line=model.line(top), form=form, parameter=func.value,
            position=parameters.index(func.value), waits=construct.waits, grows=construct.grows,
            bounded=construct.bounded, reads_retry_after=construct.reads_retry_after, failure=outcome,
            failure_words=words,
        )
    return tuple(found.values())


def _positional(function: cst.FunctionDef) -> list[str]:
    """Positional parameter names, `self`/`cls` left out for methods."""
    params = function.params
    names = [p.name.value for p in (*params.posonly_params, *params.params)]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


def _enclosing_function(analysis: "Analysis", function: cst.FunctionDef) -> cst.FunctionDef | None:
    parent = analysis.model.tree.parent(function)
    return analysis.model.function_of(parent) if parent is not None else None


def _returns_function(analysis: "Analysis", function: cst.FunctionDef) -> bool:
    """Whether a decorator (factory) returns a function it defines."""
    model = analysis.model
    nested = {f.name.value for f in model.tree.within(function.body, cst.FunctionDef)}
    for node in model.tree.within(function.body, cst.Return):
        if type(node.value) is cst.Name and node.value.value in nested:
            return True
    return False
