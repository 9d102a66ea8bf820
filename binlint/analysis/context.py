"""Where a call runs: repeatedly or unattended, or once, by a person who sees the result.

`run_context(analysis, node)` answers for one node:

- "repeated": inside a loop; in a web or websocket handler, a scheduled job, a callback
  or thread target (a decorated function, or one passed as an argument); in a method of a
  class (a bot object lives as long as the bot); or in a function one of these calls;
- "once": at a script's top level, in its `__main__` block, in a CLI command, or in a
  function called only from such places;
- "unknown": a function this module never calls (a library function).

Callers are followed within the module, a few levels up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import libcst as cst

from binlint.analysis.values import called_function, dotted_text

if TYPE_CHECKING:
    from binlint.analysis import Analysis

# Decorators that make a function a command run once from the command line.
CLI_DECORATORS = ("command", "main", "group")
_DEPTH = 4


@dataclass(frozen=True, slots=True)
class RunContext:
    kind: Literal["repeated", "once", "unknown"]
    words: str  # "inside the `while True` loop on line 12", "at the script's top level"


def run_context(analysis: "Analysis", node: cst.CSTNode) -> RunContext:
    return _context(analysis, node, 0, set())


def _context(analysis: "Analysis", node: cst.CSTNode, depth: int, seen: set[int]) -> RunContext:
    model = analysis.model
    tree = model.tree
    function = model.function_of(node)
    for ancestor in tree.ancestors(node):
        if ancestor is function:
            break
        if type(ancestor) in (cst.For, cst.While):
            head = "for" if type(ancestor) is cst.For else "while"
            return RunContext("repeated", f"inside the `{head}` loop on line {model.line(ancestor)}")
        if type(ancestor) is cst.Lambda:
            return RunContext("repeated", "in a lambda (a callback)")
    if function is None:
        if _in_main_block(analysis, node):
            return RunContext("once", "in the script's `__main__` block")
        return RunContext("once", "at the script's top level")
    name = function.name.value
    decorators = [dotted_text(d.decorator.func if type(d.decorator) is cst.Call else d.decorator) or ""
                  for d in function.decorators]
    if any(text.rsplit(".", 1)[-1] in CLI_DECORATORS for text in decorators):
        return RunContext("once", f"in `{name}`, a command-line command")
    for text in decorators:
        last = text.rsplit(".", 1)[-1]
        if last not in ("staticmethod", "classmethod", "property", "wraps", "lru_cache", "cache",
                        "cached_property", "abstractmethod", "override"):
            return RunContext("repeated", f"in `{name}`, run by `@{text}`")
    passed = analysis.call_graph.passed_as_value.get(id(function))
    if passed is not None:
        return RunContext("repeated", f"in `{name}`, passed to `{passed}` (a callback, job or thread target)")
    klass = model.class_of(function)
    if klass is not None:
        return RunContext("repeated", f"in `{klass.name.value}.{name}`, a method of a long-lived object")
    if model.function_of(function) is not None:
        return RunContext("repeated", f"in `{name}`, a nested function (a callback)")
    if depth >= _DEPTH or id(function) in seen:
        return RunContext("unknown", f"in `{name}`")
    seen.add(id(function))
    sites = analysis.call_graph.call_sites.get(id(function), [])
    if not sites:
        return RunContext("unknown", f"in `{name}`")
    outer = [_context(analysis, site, depth + 1, seen) for site in sites]
    for found in outer:
        if found.kind == "repeated":
            return RunContext("repeated", f"in `{name}`, called {found.words}")
    if all(found.kind == "once" for found in outer):
        return RunContext("once", f"in `{name}`, called {outer[0].words}")
    return RunContext("unknown", f"in `{name}`")


def _in_main_block(analysis: "Analysis", node: cst.CSTNode) -> bool:
    for ancestor in analysis.model.tree.ancestors(node):
        if type(ancestor) is cst.If and "__main__" in analysis.model.code(ancestor.test) \
                and "__name__" in analysis.model.code(ancestor.test):
            return True
    return False


class CallGraph:
    """Who calls each function of the module, and which functions are passed as values: made
    once per module, on first use (`Analysis.call_graph`)."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis

    @cached_property
    def call_sites(self) -> dict[int, list[cst.Call]]:
        """The calls of each function of the module, by the function's id."""
        found: dict[int, list[cst.Call]] = {}
        model = self.analysis.model
        for call in model.calls():
            function = called_function(model, call)
            if function is not None:
                found.setdefault(id(function), []).append(call)
        return found

    @cached_property
    def passed_as_value(self) -> dict[int, str]:
        return _passed_as_value(self.analysis)


def _passed_as_value(analysis: "Analysis") -> dict[int, str]:
    """Functions passed as an argument (`Thread(target=run)`, `schedule.every(5).do(job)`, `on_message=cb`)."""
    cache: dict[int, str] = {}
    model = analysis.model
    from binlint.analysis.values import module_index

    index = module_index(model)
    for arg in model.tree.of_type(cst.Arg):
        value = arg.value
        function = None
        if type(value) is cst.Name:
            function = index.module_functions.get(value.value)
        elif type(value) is cst.Attribute and type(value.value) is cst.Name and value.value.value in ("self", "cls"):
            klass = model.class_of(arg)
            function = index.methods.get((id(klass), value.attr.value)) if klass is not None else None
        if function is None:
            continue
        call = model.tree.parent(arg)
        label = dotted_text(call.func) if type(call) is cst.Call else None
        cache.setdefault(id(function), f"{label or 'a call'}(...)")
    return cache
