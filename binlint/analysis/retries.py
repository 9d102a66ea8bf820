"""Retry and backoff constructs: what each runs again, whether it waits, grows, stops.

`RetryModel(analysis)` (as `analysis.retries`) finds, resolved through imports:

- retry loops: `for attempt in range(n)` / `itertools.count()` and `while` loops that go
  round again after a failed call (an `except` that lets the loop continue, or a
  checked result with `continue`) and leave on success (`break`, `return`, a flag in
  the `while` test);
- recursion: a function that calls itself from an `except` or after a status check;
- tenacity (`@retry`, `Retrying`/`AsyncRetrying` incl. `for attempt in Retrying(...):
  with attempt:`, `Retrying(...)(fn)`), backoff (`@on_exception`, `@on_predicate`),
  retrying (`@retry(stop_max_attempt_number=...)`);
- urllib3 `Retry` mounted on a session (`HTTPAdapter(max_retries=Retry(...))` +
  `session.mount(...)`), kept apart as `HttpRetry`: it retries by HTTP method.

For each `RetryConstruct`: the subtrees it runs again (`roots`), the same-module
functions those call (followed a few levels), whether it waits, whether the wait grows
(`2 ** attempt`, `delay *= 2`, `wait_exponential`, `backoff.expo`), whether attempts are
bounded, whether it reads `Retry-After`, and where it handles 429/418. `enclosing(node)`
gives the constructs that run a call again; `created_inside(construct, expr)` says
whether a value (a client order id) is made anew on every attempt.

The model is split by seam: the retry loops (`retry_loops.py`), the libraries and recursion
(`retry_libraries.py`) and the failures that trigger a retry (`retry_triggers.py`) are
parts it holds; the facts are `retry_facts.py`, the values it hands out `retry_constructs.py`.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cached_property
from typing import TYPE_CHECKING, Iterator, Sequence

import libcst as cst

from binlint.analysis.retry_constructs import HttpRetry, RetryConstruct, Trigger
from binlint.analysis.retry_facts import (
    HTTP_ADAPTERS, MAX_REACH, RATE_LIMIT_STATUS, RETRY_AFTER_NAMES, RETRY_LIBRARIES, SLEEPS, URLLIB3_RETRY,
    rate_limit_names,
)
from binlint.analysis.retry_libraries import LibraryRetries
from binlint.analysis.retry_loops import LoopRetries
from binlint.analysis.retry_syntax import CONVERSIONS, ends_in_exit, keyword, max_retries, positive, subtree
from binlint.analysis.retry_triggers import TriggerRetries
from binlint.analysis.values import bind_arguments, called_function, dotted_text, literal_text, module_index
from binlint.analysis.walk import N

__all__ = ["HttpRetry", "RetryConstruct", "RetryModel", "Trigger"]

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.retry_helpers import RetryHelper


class RetryModel:
    """The retry constructs of one module."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.model: ModuleModel = analysis.model
        self.tree = analysis.model.tree
        # per-argument memos (the views are cached properties)
        self._enclosing_memo: dict[int, tuple[cst.CSTNode, list[RetryConstruct]]] = {}
        self._orders_cache: dict[int, tuple[list[cst.CSTNode], list[int]]] = {}
        self._reach_cache: dict[int, list[cst.FunctionDef]] = {}
        self._site_cache: dict[int, dict[int, list[cst.Call]]] = {}
        # the parts: loops, libraries and recursion, what triggers a retry
        self._loop_part = LoopRetries(self)
        self._library_part = LibraryRetries(self)
        self._trigger_part = TriggerRetries(self)

    # --- public API --------------------------------------------------------------------

    @cached_property
    def constructs(self) -> list[RetryConstruct]:
        """Every retry construct, in source order."""
        found = list(self._base_constructs)
        found.extend(self._helper_constructs())
        found.extend(self._imported_helper_constructs())
        found.sort(key=lambda k: self.tree.order(k.node))
        return found

    @cached_property
    def _base_constructs(self) -> list[RetryConstruct]:
        """Loops, recursion and retry libraries: everything but the module's own retry helpers."""
        found: list[RetryConstruct] = []
        found.extend(self._loop_part._loops())
        if self._uses_retry_library:
            found.extend(self._library_part._decorated())
            found.extend(self._library_part._retrying_loops())
            found.extend(self._library_part._retrying_calls())
        found.extend(self._library_part._recursions())
        return found

    def base_enclosing(self, node: cst.CSTNode) -> list[RetryConstruct]:
        """The loops, recursions and library constructs that run `node` again (no helpers), in order."""
        found = [c for c in self._base_constructs if self._retries(c, node)]
        found.sort(key=lambda k: self.tree.order(k.node))
        return found

    @cached_property
    def helpers(self) -> tuple["RetryHelper", ...]:
        """The retry helpers this module defines (`analysis.retry_helpers.summarize`)."""
        if not any(c.kind in ("loop", "recursion") for c in self._base_constructs):
            return ()
        from binlint.analysis.retry_helpers import summarize

        return summarize(self.analysis)

    def _helper_constructs(self) -> Iterator[RetryConstruct]:
        """Functions passed to, or decorated by, one of this module's retry helpers."""
        helpers = {h.name: h for h in self.helpers}
        if not helpers:
            return
        model = self.model
        index = module_index(model)
        for call in model.calls():
            callee = called_function(model, call)
            if callee is None:
                continue
            klass = model.class_of(callee)
            is_method = klass is not None and index.methods.get((id(klass), callee.name.value)) is callee
            name = f"{klass.name.value}.{callee.name.value}" if is_method and klass is not None else callee.name.value
            helper = helpers.get(name)
            if helper is None or helper.form != "call":
                continue
            passed = bind_arguments(call, callee, plain=True).get(helper.parameter)
            target = self._callable_target(call, passed)
            if target is None:
                continue
            yield self._helper_construct(helper, call, target)
        for function in self.tree.of_type(cst.FunctionDef):
            for decorator in function.decorators:
                expr = decorator.decorator
                head = expr.func if type(expr) is cst.Call else expr
                if type(head) is not cst.Name:
                    continue
                helper = helpers.get(head.value)
                if helper is None or helper.form != ("factory" if type(expr) is cst.Call else "decorator") \
                        or index.module_functions.get(head.value) is None:
                    continue
                yield self._helper_construct(helper, decorator, function)

    def _imported_helper_constructs(self) -> Iterator[RetryConstruct]:
        """Functions passed to, or decorated by, a retry helper of another module of the project
        (`from utils import retry`; `retry(place, qty)`, `@retry_on_error`, `@utils.retry(5)`)."""
        from binlint.analysis.helper_index import imported_retry_helpers

        helpers = imported_retry_helpers(self.model.project)
        if not helpers:
            return
        model = self.model
        for call in model.calls():
            helper = helpers.get(model.call_name(call) or "")
            if helper is None or helper.form != "call":
                continue
            passed = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == helper.parameter),
                          None)
            positional = [a for a in call.args if a.keyword is None]
            if passed is None and len(positional) > helper.position and not any(
                    a.star for a in positional[: helper.position + 1]):
                passed = positional[helper.position].value
            target = self._callable_target(call, passed)
            if target is not None:
                yield self._helper_construct(helper, call, target)
        for function in self.tree.of_type(cst.FunctionDef):
            for decorator in function.decorators:
                expr = decorator.decorator
                head = expr.func if type(expr) is cst.Call else expr
                if type(head) not in (cst.Name, cst.Attribute):
                    continue
                helper = helpers.get(model.qualname(head) or "")
                if helper is not None and helper.form == ("factory" if type(expr) is cst.Call else "decorator"):
                    yield self._helper_construct(helper, decorator, function)

    def _callable_target(self, call: cst.Call, passed: cst.BaseExpression | None) -> cst.CSTNode | None:
        """The same-module function (or lambda) a retry helper is given: `self._sell`, `place`, `partial(place, q)`."""
        model = self.model
        if type(passed) is cst.Call and model.call_name(passed) == "functools.partial" and passed.args:
            passed = passed.args[0].value
        if type(passed) is cst.Lambda:
            return passed
        if type(passed) is cst.Name:
            return module_index(model).module_functions.get(passed.value)
        if type(passed) is cst.Attribute and type(passed.value) is cst.Name and passed.value.value in ("self", "cls"):
            klass = model.class_of(call)
            return module_index(model).methods.get((id(klass), passed.attr.value)) if klass is not None else None
        return None

    def _helper_construct(self, helper: "RetryHelper", node: cst.CSTNode, target: cst.CSTNode) -> RetryConstruct:
        function = target if type(target) is cst.FunctionDef else None
        root = target.body if isinstance(target, (cst.FunctionDef, cst.Lambda)) else target
        return RetryConstruct(
            kind="helper", node=node, roots=(root,), function=function, waits=helper.waits, grows=helper.grows,
            bounded=helper.bounded, reads_retry_after=helper.reads_retry_after, rate_limit=None, wait=None,
            helper=helper,
        )

    @cached_property
    def _uses_retry_library(self) -> bool:
        return any(name.split(".", 1)[0] in RETRY_LIBRARIES for name in self.model.imports.values())

    def enclosing(self, node: cst.CSTNode) -> list[RetryConstruct]:
        """The constructs that run `node` again when an attempt fails, outermost first."""
        if not self.constructs:
            return []
        # Several rules ask about the same order calls: remembered (the node is kept in the
        # entry, so its id cannot be reused while the entry lives).
        memo = self._enclosing_memo
        known = memo.get(id(node))
        if known is None or known[0] is not node:
            known = memo[id(node)] = (node, self._enclosing(node))
        return list(known[1])

    def _enclosing(self, node: cst.CSTNode) -> list[RetryConstruct]:
        by_root, by_function = self._index
        found: list[RetryConstruct] = []
        for ancestor in self.tree.ancestors(node):
            for construct in by_root.get(id(ancestor), ()):
                if construct not in found and self._retries(construct, node):
                    found.append(construct)
            for construct in by_function.get(id(ancestor), ()):
                if construct not in found:
                    found.append(construct)
        found.sort(key=lambda k: self.tree.order(k.node))
        return found

    @cached_property
    def _index(self) -> tuple[dict[int, list[RetryConstruct]], dict[int, list[RetryConstruct]]]:
        """Constructs by the root they run again, and by the same-module functions they reach."""
        by_root: dict[int, list[RetryConstruct]] = {}
        by_function: dict[int, list[RetryConstruct]] = {}
        for construct in self.constructs:
            for root in construct.roots:
                by_root.setdefault(id(root), []).append(construct)
            for function in self._reach(construct):
                by_function.setdefault(id(function), []).append(construct)
        return by_root, by_function

    def created_inside(self, construct: RetryConstruct, value: cst.BaseExpression | None,
                       depth: int = 0) -> cst.CSTNode | None:
        """Where `value` is made anew on each attempt of `construct` (None: made once, or unknown)."""
        if value is None or depth > 4:
            return None
        model = self.model
        if type(value) is cst.Await:
            value = value.expression
        if type(value) is cst.Name:
            bindings = model.bindings(value)
            if bindings:
                for binding in bindings:
                    if self._in_scope(construct, binding.statement):
                        return binding.statement
                return None
            function = model.function_of(value)
            if function is None or function is construct.function:
                return None  # a parameter of the retried function: the caller made it once
            for site in self._sites_of(construct, function):
                passed = bind_arguments(site, function, plain=True).get(value.value)
                found = self.created_inside(construct, passed, depth + 1)
                if found is not None:
                    return found
            return None
        if type(value) in (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString):
            return None
        if type(value) is cst.Attribute and dotted_text(value) is not None:
            return None  # `self.cid`, `config.cid`: set elsewhere
        for sub in subtree(value):
            if type(sub) is cst.Call and model.call_name(sub) not in CONVERSIONS:
                return value if self._in_scope(construct, value) else None
            if type(sub) is cst.Name and sub is not value:
                found = self.created_inside(construct, sub, depth + 1)
                if found is not None:  # `f"bot-{attempt}"` written in the retried code is made where it stands
                    return value if self._in_scope(construct, value) else found
        return None

    @cached_property
    def http_retries(self) -> list[HttpRetry]:
        """urllib3 `Retry` objects, with the adapter and session they are mounted on."""
        model = self.model
        found: list[HttpRetry] = []
        if not any(name.split(".", 1)[0] in ("urllib3", "requests") for name in model.imports.values()):
            return found
        calls = model.calls()
        adapters = [c for c in calls if model.call_name(c) in HTTP_ADAPTERS]
        mounts = [c for c in calls if type(c.func) is cst.Attribute and c.func.attr.value == "mount"
                  and len(c.args) >= 2]
        for call in calls:
            if model.call_name(call) not in URLLIB3_RETRY:
                continue
            methods = keyword(call, "allowed_methods") or keyword(call, "method_whitelist")
            factor = keyword(call, "backoff_factor")
            adapter = next((a for a in adapters if self._is(max_retries(a), call)), None)
            mount = next((m for m in mounts if adapter is not None and self._is(m.args[1].value, adapter)), None)
            prefix = literal_text(mount.args[0].value) if mount is not None else None
            session = mount.func.value if mount is not None else None  # type: ignore[attr-defined]
            found.append(HttpRetry(
                call, self._allows_post(methods), methods, factor is not None and positive(model, factor.value),
                adapter, mount, session, prefix,
            ))
        return found

    def same_object(self, a: cst.BaseExpression | None, b: cst.BaseExpression | None) -> bool:
        """Whether two expressions name the same session or client (`s` and `s`, `self.s` and `self.s`)."""
        if a is None or b is None:
            return False
        if a is b:
            return True
        text = dotted_text(a)
        if text is None or text != dotted_text(b):
            return False
        if type(a) is cst.Name and type(b) is cst.Name:
            found_a, found_b = self.model.bindings(a), self.model.bindings(b)
            if found_a or found_b:
                return found_a is found_b
            return self.model.scope_of(a) is self.model.scope_of(b)
        index = module_index(self.model)
        return index.owner(a, text) == index.owner(b, text)

    def triggers(self, construct: RetryConstruct, node: cst.CSTNode) -> list[Trigger]:
        """The failures after which `construct` runs `node` again (never empty: unknown means any)."""
        return self._trigger_part.triggers(construct, node)

    def throttles(self, call: cst.Call) -> bool:
        """Whether a call waits: a sleep, `event.wait(timeout)`, a rate limiter, or a same-module helper that does."""
        return self._loop_part.throttles(call)

    def decorated(self, function: cst.FunctionDef) -> bool:
        """Whether a retry library's decorator (tenacity, backoff, retrying, stamina, ...) wraps `function`."""
        for decorator in function.decorators:
            target = decorator.decorator
            if type(target) is cst.Call:
                target = target.func
            name = self.model.qualname(target) or ""
            if name.split(".", 1)[0] in RETRY_LIBRARIES:
                return True
        return False

    # --- what a construct runs again -----------------------------------------------------

    def _retries(self, construct: RetryConstruct, node: cst.CSTNode) -> bool:
        if any(self.tree.contains(root, node) for root in construct.roots):
            if construct.kind == "loop":
                return self._loop_part._loop_retries(construct.node, node)  # type: ignore[arg-type]
            if construct.kind == "recursion":
                return not self.tree.contains(construct.node, node)
            return True
        return any(self.tree.contains(f, node) for f in self._reach(construct))

    def in_retried_code(self, construct: RetryConstruct, node: cst.CSTNode) -> bool:
        """Whether `node` runs as part of an attempt (the retried code or a function it calls)."""
        return self._in_scope(construct, node)

    def _in_scope(self, construct: RetryConstruct, node: cst.CSTNode) -> bool:
        """Whether `node` runs on every attempt (anywhere in the retried code)."""
        return any(self.tree.contains(root, node) for root in construct.roots) or any(
            self.tree.contains(f.body, node) for f in self._reach(construct)
        )

    def _reach(self, construct: RetryConstruct) -> list[cst.FunctionDef]:
        """Functions of this module the retried code calls, a few levels deep."""
        cache: dict[int, list[cst.FunctionDef]] = self._reach_cache
        key = id(construct)
        if key in cache:
            return cache[key]
        reached: dict[int, cst.FunctionDef] = {}
        sites: dict[int, list[cst.Call]] = {}
        frontier: list[cst.CSTNode] = list(construct.roots)
        for _ in range(MAX_REACH):
            next_frontier: list[cst.CSTNode] = []
            for region in frontier:
                for call in self._inside(region, cst.Call):
                    function = called_function(self.model, call)
                    if function is None or function is construct.function:
                        continue
                    if construct.kind == "loop" and region is construct.node \
                            and not self._loop_part._loop_retries(construct.node, call):  # type: ignore[arg-type]
                        continue
                    sites.setdefault(id(function), []).append(call)
                    if id(function) not in reached \
                            and not any(self.tree.contains(r, function) for r in construct.roots):
                        reached[id(function)] = function
                        next_frontier.append(function.body)
            frontier = next_frontier
            if not frontier:
                break
        cache[key] = list(reached.values())
        self._site_cache[key] = sites
        return cache[key]

    def _sites_of(self, construct: RetryConstruct, function: cst.FunctionDef) -> list[cst.Call]:
        self._reach(construct)
        sites: dict[int, list[cst.Call]] = self._site_cache[id(construct)]
        return sites.get(id(function), [])

    # --- node lists -------------------------------------------------------------------------

    def _inside(self, root: cst.CSTNode, node_type: type[N]) -> list[N]:
        """The nodes of one type within `root`, in source order (a slice of the tree's list)."""
        return self.tree.within(root, node_type)

    def _any_inside(self, roots: Sequence[cst.CSTNode], nodes: list[cst.CSTNode]) -> cst.CSTNode | None:
        return next(self._inside_any(roots, nodes), None)

    def _inside_any(self, roots: Sequence[cst.CSTNode], nodes: list[cst.CSTNode]) -> Iterator[cst.CSTNode]:
        """The nodes of `nodes` (a list of this model's, in source order) that lie in one of `roots`, in order."""
        cache = self._orders_cache
        if id(nodes) not in cache:
            cache[id(nodes)] = (nodes, [self.tree.order(n) for n in nodes])
        orders = cache[id(nodes)][1]
        picked: set[int] = set()
        for root in roots:
            span = self.tree.span(root)
            if span is not None:
                picked.update(range(bisect_left(orders, span[0]), bisect_left(orders, span[1])))
        return (nodes[index] for index in sorted(picked))

    @cached_property
    def _retry_after_nodes(self) -> list[cst.CSTNode]:
        """Places that read Retry-After: the header name, or a `retry_after` value."""
        tree = self.tree
        strings: list[cst.SimpleString | cst.FormattedStringText] = [
            *tree.of_type(cst.SimpleString), *tree.of_type(cst.FormattedStringText)]
        found: list[cst.CSTNode] = [
            node for node in strings
            if "retry-after" in node.value.lower() or "retry_after" in node.value.lower()
        ]
        found.extend(node for node in tree.of_type(cst.Name) if node.value in RETRY_AFTER_NAMES)
        found.extend(node for node in tree.of_type(cst.Attribute) if node.attr.value in RETRY_AFTER_NAMES)
        found.sort(key=tree.order)
        return found

    @cached_property
    def _rate_limit_nodes(self) -> list[cst.CSTNode]:
        """Places that tell a 429/418 apart: the status codes compared, the SDKs' exception classes."""
        tree = self.tree
        found: list[cst.CSTNode] = [
            node for node in tree.of_type(cst.Integer)
            if node.value in RATE_LIMIT_STATUS and tree.nearest(node, cst.Comparison) is not None
        ]
        names = rate_limit_names()
        found.extend(node for node in tree.of_type(cst.Name)
                     if node.value in names and type(tree.parent(node)) is not cst.Attribute)
        found.extend(node for node in tree.of_type(cst.Attribute) if node.attr.value in names)
        found.sort(key=tree.order)
        return found

    def _sleeps_in(self, root: cst.CSTNode) -> list[cst.Call]:
        return [c for c in self._inside(root, cst.Call) if self.model.call_name(c) in SLEEPS]

    # --- asked by the loops and the libraries ------------------------------------------------

    def _grows(self, expr: cst.BaseExpression, region: cst.CSTNode, counters: set[str], depth: int) -> bool:
        """Whether an expression grows from one attempt to the next."""
        if depth > 3:
            return False
        for sub in subtree(expr):
            if type(sub) is cst.BinaryOperation and type(sub.operator) in (cst.Power, cst.LeftShift):
                return True
            if type(sub) is cst.Name:
                if sub.value in counters:
                    return True
                for binding in self.model.bindings(sub):
                    if binding.value is not None and self.tree.contains(region, binding.statement) \
                            and self._grows(binding.value, region, counters, depth + 1):
                        return True
            if type(sub) is cst.Call:
                function = called_function(self.model, sub)
                if function is not None and any(
                    type(n) is cst.BinaryOperation and type(n.operator) is cst.Power
                    for n in self._inside(function, cst.BinaryOperation)
                ):
                    return True
        return False

    def _rate_limit_retried(self, roots: Sequence[cst.CSTNode], loop: cst.CSTNode | None) -> cst.CSTNode | None:
        """A 429/418 check after which the code goes round again (not one that gives up)."""
        for node in self._inside_any(roots, self._rate_limit_nodes):
            if loop is None:
                return node  # a library retries on the exception or predicate this check feeds
            branch = self._branch_of(node)
            if branch is not None and not ends_in_exit(branch):
                return node
        return None

    def _branch_of(self, node: cst.CSTNode) -> cst.BaseSuite | None:
        """The body run when the 429/418 check holds: an `if`'s body or an `except`'s body."""
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) is cst.If and self.tree.contains(ancestor.test, node):
                return ancestor.body
            if type(ancestor) is cst.ExceptHandler and ancestor.type is not None \
                    and self.tree.contains(ancestor.type, node):
                return ancestor.body
            if isinstance(ancestor, cst.BaseStatement):
                return None
        return None

    # --- urllib3 ---------------------------------------------------------------------------------

    def _is(self, expr: cst.BaseExpression | None, call: cst.Call) -> bool:
        return expr is not None and (expr is call or self.model.value_of(expr) is call)

    def _allows_post(self, arg: cst.Arg | None) -> bool:
        if arg is None:
            return False
        value = self.model.value_of(arg.value)
        if type(value) is cst.Name and value.value in ("None", "False"):
            return True
        return any(
            (literal_text(sub) or "").strip().upper() == "POST"
            for sub in subtree(value) if isinstance(sub, (cst.SimpleString, cst.ConcatenatedString))
        )
