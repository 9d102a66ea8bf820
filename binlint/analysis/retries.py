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
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Iterator, Sequence

import libcst as cst

from binlint.analysis import orders
from binlint.analysis.loops import EXITS, LoopWalker, describe_path
from binlint.analysis.values import called_function, dotted_text, literal_text, module_index
from binlint.analysis.walk import N, children

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.retry_helpers import RetryHelper

SLEEPS = frozenset(
    {"time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep", "eventlet.sleep",
     "eventlet.greenthread.sleep"}
)
TENACITY_DECORATORS = frozenset({"tenacity.retry"})
TENACITY_RETRYING = frozenset(
    {"tenacity.Retrying", "tenacity.AsyncRetrying", "tenacity.asyncio.AsyncRetrying", "tenacity.TornadoRetrying"}
)
BACKOFF_DECORATORS = frozenset({"backoff.on_exception", "backoff.on_predicate"})
RETRYING_DECORATORS = frozenset({"retrying.retry"})
URLLIB3_RETRY = frozenset(
    {"urllib3.Retry", "urllib3.util.Retry", "urllib3.util.retry.Retry", "requests.adapters.Retry",
     "requests.packages.urllib3.util.retry.Retry", "requests.packages.urllib3.Retry",
     "requests.packages.urllib3.util.Retry"}
)
HTTP_ADAPTERS = frozenset({"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"})

# tenacity wait strategies, by name.
GROWING_WAITS = frozenset(
    {"wait_exponential", "wait_random_exponential", "wait_full_jitter", "wait_exponential_jitter",
     "wait_incrementing", "wait_chain"}
)
CONSTANT_WAITS = frozenset({"wait_fixed", "wait_random", "wait_none", "wait_combine"})
# backoff wait generators.
BACKOFF_GROWING = frozenset({"backoff.expo", "backoff.fibo"})
BACKOFF_CONSTANT = frozenset({"backoff.constant"})
BACKOFF_RUNTIME = frozenset({"backoff.runtime"})
# retrying's keyword arguments.
RETRYING_WAITS = frozenset(
    {"wait_fixed", "wait_random_min", "wait_random_max", "wait_exponential_multiplier", "wait_exponential_max",
     "wait_incrementing_start", "wait_incrementing_increment", "wait_func"}
)
RETRYING_GROWING = frozenset(
    {"wait_exponential_multiplier", "wait_exponential_max", "wait_incrementing_increment", "wait_func"}
)
RETRYING_STOPS = frozenset({"stop_max_attempt_number", "stop_max_delay", "stop_func"})

# What tells a rate-limit answer apart: status codes, and the SDKs' exception classes.
RATE_LIMIT_STATUS = frozenset({"429", "418"})
RATE_LIMIT_NAMES = frozenset(
    {"TooManyRequestsError", "RateLimitBanError", "DDoSProtection", "RateLimitExceeded", "TOO_MANY_REQUESTS",
     "TooManyRequests"}
)
RETRY_AFTER_NAMES = frozenset({"retry_after", "retryAfter", "RETRY_AFTER"})
# Calls that block until time passes or something arrives: `event.wait(5)`, `queue.get()`, `ws.recv()`.
_WAIT_METHODS = frozenset({"wait", "wait_for", "join", "recv", "receive", "get_message", "select", "input",
                           "run_forever", "serve_forever", "idle"})
_TIME_CALLS = frozenset({"time.time", "time.monotonic", "time.perf_counter", "datetime.datetime.now"})
_LOOPS = (cst.For, cst.While)
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_MAX_REACH = 4


@dataclass(eq=False)
class RetryConstruct:
    """One way the code runs something again after a failure."""

    kind: str  # "loop", "recursion", "tenacity", "retrying", "backoff"
    node: cst.CSTNode  # where findings point: the loop, the decorator, the Retrying call, the recursive call
    roots: tuple[cst.CSTNode, ...]  # the code that runs again on each attempt
    function: cst.FunctionDef | None  # the function called again (decorators, recursion)
    waits: bool
    grows: bool
    bounded: bool
    reads_retry_after: bool
    rate_limit: cst.CSTNode | None  # where it handles 429/418 and goes round again
    wait: cst.CSTNode | None  # the sleep call or `wait=` argument
    hot_path: str | None = None  # a failure branch that goes round again at once while others wait
    helper: "RetryHelper | None" = None  # the module's own retry helper that runs it (kind "helper")

    def describe(self, model: "ModuleModel") -> str:
        """How messages name it: "the `while True` loop on line 7", "`@retry(...)` on `buy`"."""
        node = self.node
        defined = f" (the retry helper `{self.helper.name}` on line {self.helper.line})" if self.helper else ""
        if type(node) is cst.Decorator:
            return f"`@{_short(model.code(node.decorator))}` on `{self.function.name.value if self.function else '?'}`" \
                + defined
        if self.kind == "helper":
            return f"`{_short(model.code(node))}` on line {model.line(node)}{defined}"
        if self.kind == "loop" and isinstance(node, (cst.For, cst.While)):
            if isinstance(node, cst.For):
                head = f"for {model.code(node.target)} in {model.code(node.iter)}"
            else:
                head = f"while {model.code(node.test)}"
            return f"the `{_short(head, 50)}` loop on line {model.line(node)}"
        if type(node) is cst.For:
            return f"`for {model.code(node.target)} in {_short(model.code(node.iter))}` on line {model.line(node)}"
        if self.kind == "recursion":
            return f"the recursive call `{_short(model.code(node))}` on line {model.line(node)}"
        return f"`{_short(model.code(node))}` on line {model.line(node)}"

    @property
    def backs_off(self) -> bool:
        """A bounded retry that waits a growing delay or the server's Retry-After."""
        return not self.problems()

    def problems(self) -> list[str]:
        """What keeps this construct from being a backoff, in words for messages."""
        found = []
        if not self.waits:
            found.append("retries at once with no delay")
        elif self.hot_path is not None:
            found.append(f"retries at once with no delay {self.hot_path} (other paths wait)")
        elif not (self.grows or self.reads_retry_after):
            found.append("waits the same delay on every attempt")
        if not self.bounded:
            found.append("has no bound on attempts")
        if self.rate_limit is not None and not self.reads_retry_after:
            found.append("handles 429/418 without waiting for the `Retry-After` header")
        return found


@dataclass(frozen=True, slots=True)
class Trigger:
    """A failure after which a construct runs its code again, and what it says about an order."""

    outcome: str  # "unknown" (may have been placed), "not-placed", or "other" (binlint cannot tell)
    node: cst.CSTNode | None  # the `except` handler, the status test, the `retry=` argument
    words: str  # for messages: "its `except Exception` on line 12"


@dataclass(frozen=True, eq=False)
class HttpRetry:
    """A urllib3 `Retry(...)`, and the session it is mounted on (when it is)."""

    retry: cst.Call
    allows_post: bool  # `allowed_methods` holds POST or is None, or `method_whitelist=False`
    methods_arg: cst.Arg | None
    backoff: bool  # `backoff_factor` > 0
    adapter: cst.Call | None
    mount: cst.Call | None
    session: cst.BaseExpression | None
    prefix: str | None  # the URL prefix it is mounted for


class RetryModel:
    """The retry constructs of one module."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.model: ModuleModel = analysis.model
        self.tree = analysis.model.tree

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
        found.extend(self._loops())
        if self._uses_retry_library:
            found.extend(self._decorated())
            found.extend(self._retrying_loops())
            found.extend(self._retrying_calls())
        found.extend(self._recursions())
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
            passed = _bound_arguments(call, callee).get(helper.parameter)
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
        return any(name.split(".", 1)[0] in ("tenacity", "backoff", "retrying") for name in self.model.imports.values())

    def enclosing(self, node: cst.CSTNode) -> list[RetryConstruct]:
        """The constructs that run `node` again when an attempt fails, outermost first."""
        if not self.constructs:
            return []
        # Several rules ask about the same order calls: remembered (the node is kept in the
        # entry, so its id cannot be reused while the entry lives).
        memo = self.__dict__.setdefault("_enclosing_memo", {})
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
                passed = _bound_arguments(site, function).get(value.value)
                found = self.created_inside(construct, passed, depth + 1)
                if found is not None:
                    return found
            return None
        if type(value) in (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString):
            return None
        if type(value) is cst.Attribute and dotted_text(value) is not None:
            return None  # `self.cid`, `config.cid`: set elsewhere
        for sub in _subtree(value):
            if type(sub) is cst.Call and model.call_name(sub) not in _CONVERSIONS:
                return value if self._in_scope(construct, value) else None
            if type(sub) is cst.Name and sub is not value:
                found = self.created_inside(construct, sub, depth + 1)
                if found is not None:
                    return found
        return None

    def triggers(self, construct: RetryConstruct, node: cst.CSTNode) -> list[Trigger]:
        """The failures after which `construct` runs `node` again (never empty: unknown means any)."""
        found: list[Trigger] = []
        model = self.model
        if construct.kind in ("loop", "recursion"):
            anchor = construct.node if construct.kind == "recursion" else self._anchor(construct, node)
            stop = construct.node if construct.kind == "loop" else construct.function
            for ancestor in self.tree.ancestors(anchor):
                if ancestor is stop:
                    break
                if type(ancestor) is cst.ExceptHandler and construct.kind == "recursion":
                    found.append(self._handler_trigger(ancestor))
                    break
                if isinstance(ancestor, (cst.Try, cst.TryStar)) and construct.kind == "loop" \
                        and self.tree.contains(ancestor.body, anchor):
                    found.extend(self._handler_trigger(h) for h in ancestor.handlers
                                 if not self._ends_loop(h.body, construct.node))  # type: ignore[arg-type]
                if type(ancestor) is cst.If and construct.kind == "recursion":
                    found.append(self._test_trigger(ancestor.test))
                    break
            if not found and construct.kind == "loop":
                tests = [n.test for n in self._inside(construct.node, cst.If) if self._error_check(n.test)]
                found.extend(self._test_trigger(test) for test in tests)
        elif construct.kind == "helper" and construct.helper is not None:
            helper = construct.helper
            found.append(Trigger(helper.failure, construct.node, f"{helper.failure_words} in `{helper.name}`"))
        elif construct.kind == "tenacity":
            call = self._construct_call(construct)
            retry = _keyword(call, "retry")
            if retry is None:
                found.append(Trigger("unknown", construct.node, "any exception (tenacity's default)"))
            else:
                found.append(self._predicate_trigger(retry.value))
        elif construct.kind == "backoff":
            call = self._construct_call(construct)
            if call is not None and model.call_name(call) == "backoff.on_exception":
                exception = _keyword(call, "exception")
                positional = [a for a in call.args if a.keyword is None and not a.star]
                value = exception.value if exception is not None else (
                    positional[1].value if len(positional) > 1 else None)
                if value is not None:
                    found.append(self._types_trigger(value, value))
        elif construct.kind == "retrying":
            call = self._construct_call(construct)
            predicate = _keyword(call, "retry_on_exception")
            if predicate is None:
                found.append(Trigger("unknown", construct.node, "any exception (retrying's default)"))
            else:
                found.append(self._predicate_trigger(predicate.value))
        return found or [Trigger("other", None, "a failure")]

    def _anchor(self, construct: RetryConstruct, node: cst.CSTNode) -> cst.CSTNode:
        """`node`, or the call in the retried code that leads to the function holding it."""
        for _ in range(_MAX_REACH + 1):
            if any(self.tree.contains(root, node) for root in construct.roots):
                return node
            function = self.model.function_of(node)
            sites = self._sites_of(construct, function) if function is not None else []
            if not sites:
                return node
            node = sites[0]
        return node

    def _construct_call(self, construct: RetryConstruct) -> cst.Call | None:
        node = construct.node
        if type(node) is cst.Decorator:
            return node.decorator if type(node.decorator) is cst.Call else None
        if type(node) is cst.For:
            value = self.model.value_of(node.iter)
            return value if type(value) is cst.Call else None
        if type(node) is cst.Call:
            found = self._retrying_object(node.func.value if type(node.func) is cst.Attribute
                                          and node.func.attr.value in ("call", "__call__") else node.func)
            return found[1] if found is not None else None
        return None

    def _handler_trigger(self, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> Trigger:
        model = self.model
        if handler.type is None:
            return Trigger("unknown", handler, f"a bare `except` on line {model.line(handler)}")
        trigger = self._types_trigger(handler.type, handler)
        if trigger.outcome == "unknown":
            codes = self._tested_codes(handler.body)
            if codes is not None:
                return Trigger(orders.codes_outcome(codes), handler, trigger.words + " (after a code test)")
        return trigger

    def _types_trigger(self, expr: cst.BaseExpression, node: cst.CSTNode) -> Trigger:
        elements = [e.value for e in expr.elements] if type(expr) is cst.Tuple else [expr]
        outcomes = [orders.exception_outcome(self.model.qualname(e) or dotted_text(e)) for e in elements]
        outcome = "unknown" if "unknown" in outcomes else "not-placed" if all(
            o == "not-placed" for o in outcomes) else "other"
        if type(node) is cst.ExceptHandler:
            words = f"its `except {_short(self.model.code(expr), 50)}` on line {self.model.line(node)}"
        else:
            words = f"`{_short(self.model.code(expr), 50)}`"
        return Trigger(outcome, node, words)

    def _test_trigger(self, test: cst.BaseExpression) -> Trigger:
        codes = _codes_in(list(_subtree(test)))
        words = f"`{_short(self.model.code(test), 50)}` (line {self.model.line(test)})"
        if any(200 <= c < 300 for c in codes) or not codes:
            return Trigger("unknown", test, words)  # "not OK": any failure, 5xx included
        negated = any(type(n) is cst.Comparison and any(type(t.operator) in (cst.NotEqual, cst.NotIn)
                                                        for t in n.comparisons) for n in _subtree(test))
        return Trigger("unknown" if negated else orders.codes_outcome(codes), test, words)

    def _predicate_trigger(self, expr: cst.BaseExpression) -> Trigger:
        """tenacity's `retry=` / retrying's `retry_on_exception=`: exception types, or a predicate function."""
        model = self.model
        words = f"`{_short(model.code(expr), 50)}`"
        outcomes: list[str] = []
        for sub in _subtree(expr):
            if type(sub) is not cst.Call:
                continue
            name = (model.call_name(sub) or "").rsplit(".", 1)[-1]
            if name == "retry_if_exception_type":
                outcomes.extend(self._types_trigger(a.value, a.value).outcome for a in sub.args if not a.keyword) \
                    if sub.args else outcomes.append("unknown")
            elif name in ("retry_if_not_exception_type", "retry_any", "retry_always"):
                outcomes.append("unknown")
            elif name == "retry_if_exception" and sub.args:
                outcomes.append(self._function_trigger(sub.args[0].value))
        if type(expr) is cst.Name and not outcomes:
            outcomes.append(self._function_trigger(expr))
        outcome = "unknown" if "unknown" in outcomes else "not-placed" if outcomes and all(
            o == "not-placed" for o in outcomes) else "other"
        return Trigger(outcome, expr, words)

    def _function_trigger(self, expr: cst.BaseExpression) -> str:
        """A same-module predicate (`def not_placed(error)`): what its checks select."""
        function = module_index(self.model).module_functions.get(expr.value) if type(expr) is cst.Name else None
        if function is None:
            return "other"
        codes = self._tested_codes(function.body)
        names = [orders.exception_outcome(self.model.qualname(a.value) or dotted_text(a.value))
                 for call in self._inside(function.body, cst.Call)
                 if self.model.call_name(call) == "builtins.isinstance" and len(call.args) == 2
                 for a in ([call.args[1]] if type(call.args[1].value) is not cst.Tuple else [
                     cst.Arg(e.value) for e in call.args[1].value.elements])]
        if codes:
            return orders.codes_outcome(codes)
        if names:
            return "unknown" if "unknown" in names else "not-placed" if all(n == "not-placed" for n in names) \
                else "other"
        return "other"

    def _tested_codes(self, block: cst.CSTNode) -> set[int] | None:
        """The codes a block compares an error's code or status with (None: no such test)."""
        found: set[int] | None = None
        for comparison in self._inside(block, cst.Comparison):
            subs = list(_subtree(comparison))
            if not any((type(n) is cst.Attribute and n.attr.value in _CODE_ATTRIBUTES)
                       or (type(n) is cst.SimpleString and literal_text(n) in ("code", "status")) for n in subs):
                continue
            found = found if found is not None else set()
            found.update(_codes_in(subs))
        return found

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
            methods = _keyword(call, "allowed_methods") or _keyword(call, "method_whitelist")
            factor = _keyword(call, "backoff_factor")
            adapter = next((a for a in adapters if self._is(_max_retries(a), call)), None)
            mount = next((m for m in mounts if adapter is not None and self._is(m.args[1].value, adapter)), None)
            prefix = literal_text(mount.args[0].value) if mount is not None else None
            session = mount.func.value if mount is not None else None  # type: ignore[attr-defined]
            found.append(HttpRetry(
                call, self._allows_post(methods), methods, factor is not None and _positive(model, factor.value),
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

    # --- what a construct runs again -----------------------------------------------------

    def _retries(self, construct: RetryConstruct, node: cst.CSTNode) -> bool:
        if any(self.tree.contains(root, node) for root in construct.roots):
            if construct.kind == "loop":
                return self._loop_retries(construct.node, node)  # type: ignore[arg-type]
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
        cache: dict[int, list[cst.FunctionDef]] = self.__dict__.setdefault("_reach_cache", {})
        key = id(construct)
        if key in cache:
            return cache[key]
        reached: dict[int, cst.FunctionDef] = {}
        sites: dict[int, list[cst.Call]] = {}
        frontier: list[cst.CSTNode] = list(construct.roots)
        for _ in range(_MAX_REACH):
            next_frontier: list[cst.CSTNode] = []
            for region in frontier:
                for call in self._inside(region, cst.Call):
                    function = called_function(self.model, call)
                    if function is None or function is construct.function:
                        continue
                    if construct.kind == "loop" and region is construct.node \
                            and not self._loop_retries(construct.node, call):  # type: ignore[arg-type]
                        continue
                    sites.setdefault(id(function), []).append(call)
                    if id(function) not in reached and not any(self.tree.contains(r, function) for r in construct.roots):
                        reached[id(function)] = function
                        next_frontier.append(function.body)
            frontier = next_frontier
            if not frontier:
                break
        cache[key] = list(reached.values())
        self.__dict__.setdefault("_site_cache", {})[key] = sites
        return cache[key]

    def _sites_of(self, construct: RetryConstruct, function: cst.FunctionDef) -> list[cst.Call]:
        self._reach(construct)
        sites: dict[int, list[cst.Call]] = self.__dict__["_site_cache"][id(construct)]
        return sites.get(id(function), [])

    # --- node lists -------------------------------------------------------------------------

    def _inside(self, root: cst.CSTNode, node_type: type[N]) -> list[N]:
        """The nodes of one type within `root`, in source order (a slice of the tree's list)."""
        return self.tree.within(root, node_type)

    def _any_inside(self, roots: Sequence[cst.CSTNode], nodes: list[cst.CSTNode]) -> cst.CSTNode | None:
        return next(self._inside_any(roots, nodes), None)

    def _inside_any(self, roots: Sequence[cst.CSTNode], nodes: list[cst.CSTNode]) -> Iterator[cst.CSTNode]:
        """The nodes of `nodes` (a list of this model's, in source order) that lie in one of `roots`, in order."""
        cache = self.__dict__.setdefault("_orders_cache", {})
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
        found.extend(node for node in tree.of_type(cst.Name)
                     if node.value in RATE_LIMIT_NAMES and type(tree.parent(node)) is not cst.Attribute)
        found.extend(node for node in tree.of_type(cst.Attribute) if node.attr.value in RATE_LIMIT_NAMES)
        found.sort(key=tree.order)
        return found

    def _sleeps_in(self, root: cst.CSTNode) -> list[cst.Call]:
        return [c for c in self._inside(root, cst.Call) if self.model.call_name(c) in SLEEPS]

    # --- loops -----------------------------------------------------------------------------

    def _loops(self) -> Iterator[RetryConstruct]:
        model = self.model
        loops: list[cst.For | cst.While] = self.tree.of_type(cst.For, cst.While)
        for loop in loops:
            if type(loop) is cst.For:
                iterator = model.value_of(loop.iter)
                name = model.call_name(iterator) if type(iterator) is cst.Call else None
                if name not in ("builtins.range", "itertools.count", "itertools.repeat"):
                    continue
            if not self._exits(loop) or not self._inside(loop, cst.Call):
                continue
            counters = self._counters(loop)
            sleeps = self._loop_sleeps(loop)
            reads = self._any_inside((loop, *self._loop_functions(loop)), self._retry_after_nodes) is not None
            yield RetryConstruct(
                kind="loop", node=loop, roots=(loop,), function=None,
                waits=bool(sleeps), grows=any(self._sleep_grows(s, loop, counters) for s in sleeps),
                bounded=self._loop_bounded(loop, counters), reads_retry_after=reads,
                rate_limit=self._rate_limit_retried((loop, *self._loop_functions(loop)), loop),
                wait=sleeps[0] if sleeps else None,
                hot_path=self._hot_path(loop) if sleeps else None,
            )

    def _hot_path(self, loop: cst.For | cst.While) -> str | None:
        """An `except` branch that goes back to the loop head without waiting, while others wait."""
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
        if lowered in _WAIT_METHODS and (call.args or lowered != "wait"):
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
        memo: dict[int, tuple[cst.FunctionDef, bool]] = self.__dict__.setdefault("_throttling_functions", {})
        if id(function) not in memo:
            memo[id(function)] = (function, False)  # a recursive helper: no
            found = any(self.throttles(c) for c in self._inside(function.body, cst.Call) if c is not call)
            memo[id(function)] = (function, found)
        return memo[id(function)][1]

    def _exits(self, loop: cst.For | cst.While) -> list[cst.CSTNode]:
        """Where the loop stops on success: its `break`s, `return`s, and flags its `while` test reads."""
        cache: dict[int, list[cst.CSTNode]] = self.__dict__.setdefault("_exits_cache", {})
        if id(loop) not in cache:
            cache[id(loop)] = self._find_exits(loop)
        return cache[id(loop)]

    def _find_exits(self, loop: cst.For | cst.While) -> list[cst.CSTNode]:
        found: list[cst.CSTNode] = []
        for node in self._inside(loop, cst.Break):
            if self._owner_loop(node) is loop:
                found.append(node)
        function = self.model.function_of(loop)
        for returned in self._inside(loop, cst.Return):
            if self.model.function_of(returned) is function:
                found.append(returned)
        if type(loop) is cst.While and not _always_true(loop.test):
            flags = {n.value for n in _subtree(loop.test) if type(n) is cst.Name}
            for assign in self._inside(loop, cst.Assign):
                if any(type(t.target) is cst.Name and t.target.value in flags for t in assign.targets):
                    found.append(assign)
        return found

    def _owner_loop(self, node: cst.CSTNode) -> cst.CSTNode | None:
        for ancestor in self.tree.ancestors(node):
            if isinstance(ancestor, _LOOPS):
                return ancestor
            if isinstance(ancestor, _SCOPES):
                return None
        return None

    def _loop_retries(self, loop: cst.For | cst.While, node: cst.CSTNode) -> bool:
        """Whether the loop runs `node` again after it failed: raised, or answered with an error."""
        memo: dict[tuple[int, int], tuple[cst.For | cst.While, cst.CSTNode, bool]] = self.__dict__.setdefault(
            "_loop_retries_memo", {})
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
            if not isinstance(ancestor, (cst.Try, cst.TryStar)) or not self.tree.contains(ancestor.body, node):
                continue
            handlers = [h for h in ancestor.handlers if not self._ends_loop(h.body, loop)]
            if not handlers:
                continue
            goes_on = any(_ends_in_continue(h.body) for h in handlers)
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
        if _ends_in_exit(block):
            return True
        flags = {n.value for n in _subtree(loop.test) if type(n) is cst.Name} if type(loop) is cst.While else set()
        for statement in block.body:
            if type(statement) is not cst.SimpleStatementLine:
                continue
            for small in statement.body:
                if type(small) is cst.Assign and flags and _sets_constant(small, flags):
                    return True
                if type(small) is cst.Expr and type(small.value) is cst.Call \
                        and self.model.call_name(small.value) in EXITS:
                    return True
        return False

    def _uses_target(self, loop: cst.For, node: cst.CSTNode) -> bool:
        names = {n.value for n in _subtree(loop.target) if type(n) is cst.Name}
        if not names or type(node) is not cst.Call:
            return False
        return any(type(n) is cst.Name and n.value in names for arg in node.args for n in _subtree(arg.value))

    def _exits_right_after(self, node: cst.CSTNode, loop: cst.CSTNode) -> bool:
        """Whether every normal path from `node` leaves the loop (`place(); break`)."""
        child: cst.CSTNode = node
        for ancestor in self.tree.ancestors(node):
            if ancestor is loop:
                return False
            if isinstance(ancestor, (cst.IndentedBlock, cst.SimpleStatementSuite, cst.SimpleStatementLine)):
                body = list(ancestor.body)
                if child in body:
                    for statement in body[body.index(child) + 1:]:
                        if any(self._owner_loop(c) is loop for c in self._inside(statement, cst.Continue)):
                            return False  # `if r.status_code == 429: continue`: it may go round
                        if _is_exit(statement):
                            return True
            child = ancestor
        return False

    def _result_checked(self, node: cst.CSTNode, loop: cst.CSTNode) -> bool:
        """Whether the loop tests the call's result for an error (`if r.status_code == 429: continue`).

        Only error checks count: a loop that polls until a value changes
        (`if order["status"] == "FILLED": break`) repeats on purpose, it does not retry.
        """
        cache = self.__dict__.setdefault("_tests_cache", {})
        if id(loop) not in cache:
            tests = [n.test for n in self._inside(loop, cst.If) if self._error_check(n.test)]
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
            and any(type(n) is cst.Name and n.value == target.value for n in _subtree(test))
            for test in tests
        )

    def _error_check(self, test: cst.BaseExpression) -> bool:
        """Whether a test looks at an error: a status code, `ok`, an error code, a 429/418."""
        for sub in _subtree(test):
            if type(sub) is cst.Attribute and sub.attr.value in _ERROR_ATTRIBUTES:
                return True
            if type(sub) is cst.SimpleString and (literal_text(sub) or "") in _ERROR_KEYS:
                return True
            if type(sub) is cst.Integer and sub.value.isdigit() and 400 <= int(sub.value) < 600:
                return True
        return False

    def _counters(self, loop: cst.For | cst.While) -> set[str]:
        """Names that change on every attempt: the `for` target, `n += 1`, `delay = delay * 2`."""
        names: set[str] = set()
        if type(loop) is cst.For:
            names.update(n.value for n in _subtree(loop.target) if type(n) is cst.Name)
        for node in self._inside(loop, cst.AugAssign):
            if type(node.target) is cst.Name:
                names.add(node.target.value)
        for assign in self._inside(loop, cst.Assign):
            for target in assign.targets:
                if type(target.target) is cst.Name and any(
                    type(n) is cst.Name and n.value == target.target.value for n in _subtree(assign.value)
                ):
                    names.add(target.target.value)
        return names

    def _loop_bounded(self, loop: cst.For | cst.While, counters: set[str]) -> bool:
        if type(loop) is cst.For:
            iterator = self.model.value_of(loop.iter)
            return type(iterator) is cst.Call and self.model.call_name(iterator) == "builtins.range"
        for comparison in self._inside(loop, cst.Comparison):
            for sub in _subtree(comparison):
                if type(sub) is cst.Name and sub.value in counters:
                    return True
                if type(sub) is cst.Call and self.model.call_name(sub) in _TIME_CALLS:
                    return True
        return False

    def _loop_functions(self, loop: cst.CSTNode) -> list[cst.FunctionDef]:
        """Same-module functions the loop calls (any call, retried or not)."""
        # Asked several times per loop: remembered (the loop is kept in the entry, so its id
        # cannot be reused while the entry lives).
        memo = self.__dict__.setdefault("_loop_functions_memo", {})
        known = memo.get(id(loop))
        if known is None or known[0] is not loop:
            known = memo[id(loop)] = (loop, self._find_loop_functions(loop))
        return list(known[1])

    def _find_loop_functions(self, loop: cst.CSTNode) -> list[cst.FunctionDef]:
        found = []
        for call in self._inside(loop, cst.Call):
            function = called_function(self.model, call)
            if function is not None and function not in found:
                found.append(function)
        return found

    def _loop_sleeps(self, loop: cst.CSTNode) -> list[cst.Call]:
        sleeps = self._sleeps_in(loop)
        for function in self._loop_functions(loop):
            sleeps.extend(self._sleeps_in(function.body))
        return sleeps

    def _sleep_grows(self, sleep: cst.Call, loop: cst.CSTNode, counters: set[str]) -> bool:
        if not sleep.args:
            return False
        if not self.tree.contains(loop, sleep):  # in a helper the loop calls: follow its parameters
            function = self.model.function_of(sleep)
            if function is None:
                return False
            params = _param_names(function)
            for sub in _subtree(sleep.args[0].value):
                if type(sub) is cst.BinaryOperation and type(sub.operator) in (cst.Power, cst.LeftShift):
                    return True
                if type(sub) is cst.Name and sub.value in params:
                    for call in self._inside(loop, cst.Call):
                        if called_function(self.model, call) is function:
                            passed = _bound_arguments(call, function).get(sub.value)
                            if passed is not None and self._grows(passed, loop, counters, 0):
                                return True
            return False
        return self._grows(sleep.args[0].value, loop, counters, 0)

    def _grows(self, expr: cst.BaseExpression, region: cst.CSTNode, counters: set[str], depth: int) -> bool:
        """Whether an expression grows from one attempt to the next."""
        if depth > 3:
            return False
        for sub in _subtree(expr):
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
            if branch is not None and not _ends_in_exit(branch):
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

    # --- decorators: tenacity, backoff, retrying ---------------------------------------------

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
        reads = self._any_inside((*scanned, *custom), self._retry_after_nodes) is not None
        if function is not None:
            reads = reads or self._any_inside(
                [f.body for f in self._functions_called_from(function)], self._retry_after_nodes) is not None
        return RetryConstruct(
            kind=kind, node=node, roots=roots, function=function, waits=waits, grows=grows,
            bounded=bounded, reads_retry_after=reads, rate_limit=self._rate_limit_retried(scanned, None),
            wait=wait,
        )

    def _tenacity(self, call: cst.Call | None) -> tuple[bool, bool, bool, cst.CSTNode | None]:
        wait = _keyword(call, "wait") if call is not None else None
        stop = _keyword(call, "stop") if call is not None else None
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
        wait = _keyword(call, "wait_gen")
        wait_expr = wait.value if wait is not None else (call.args[0].value if call.args and not call.args[0].keyword
                                                          else None)
        limits = [a for a in (_keyword(call, "max_tries"), _keyword(call, "max_time"))
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
        for sub in _subtree(expr):
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
            for sub in _subtree(arg.value):
                if type(sub) is cst.Name and sub.value in index.module_functions:
                    found.append(index.module_functions[sub.value])
        return found

    def _functions_called_from(self, function: cst.FunctionDef) -> list[cst.FunctionDef]:
        found = []
        for call in self._inside(function.body, cst.Call):
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
            sleeps = self._sleeps_in(function.body)
            bounded = any(
                type(sub) is cst.Name and sub.value in counters
                for comparison in self._inside(function.body, cst.Comparison) for sub in _subtree(comparison)
            )
            yield RetryConstruct(
                kind="recursion", node=call, roots=(function.body,), function=function, waits=bool(sleeps),
                grows=any(s.args and self._grows(s.args[0].value, function, counters, 0) for s in sleeps),
                bounded=bounded,
                reads_retry_after=self._any_inside((function.body,), self._retry_after_nodes) is not None,
                rate_limit=self._rate_limit_retried((function.body,), function), wait=sleeps[0] if sleeps else None,
            )

    def _retry_branch(self, call: cst.Call, function: cst.FunctionDef) -> bool:
        """Whether a recursive call retries: from an `except`, or after a status or rate-limit check."""
        for ancestor in self.tree.ancestors(call):
            if ancestor is function:
                return False
            if type(ancestor) is cst.ExceptHandler:
                return True
            if type(ancestor) is cst.If:
                for sub in _subtree(ancestor.test):
                    if type(sub) is cst.Attribute and sub.attr.value in ("status_code", "status", "code"):
                        return True
                    if sub in self._rate_limit_nodes:
                        return True
        return False

    def _recursion_counters(self, call: cst.Call, function: cst.FunctionDef) -> set[str]:
        """Parameters the recursive call passes changed (`attempt + 1`, `retries - 1`, `delay * 2`)."""
        found = set()
        for name, passed in _bound_arguments(call, function).items():
            if type(passed) is cst.BinaryOperation and any(
                type(n) is cst.Name and n.value == name for n in _subtree(passed)
            ):
                found.add(name)
        return found

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
            for sub in _subtree(value) if isinstance(sub, (cst.SimpleString, cst.ConcatenatedString))
        )


# --- small pure helpers ---------------------------------------------------------------------------

_CODE_ATTRIBUTES = frozenset({"code", "status_code", "status", "error_code", "http_status_code", "errorCode"})
_ERROR_ATTRIBUTES = frozenset({"status_code", "status", "ok", "code", "error", "is_error", "is_success"})
_ERROR_KEYS = frozenset({"code", "error", "msg"})
_CONVERSIONS = frozenset({"builtins.str", "builtins.int", "builtins.format", "builtins.repr"})


def _subtree(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node` and everything under it (for small expressions; regions use the tree index)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(children(current))


def _keyword(call: cst.Call | None, name: str) -> cst.Arg | None:
    if call is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def _max_retries(adapter: cst.Call) -> cst.BaseExpression | None:
    arg = _keyword(adapter, "max_retries")
    if arg is not None:
        return arg.value
    positional = [a for a in adapter.args if a.keyword is None and not a.star]
    return positional[2].value if len(positional) > 2 else None


def _positive(model: "ModuleModel", expr: cst.BaseExpression) -> bool:
    value = model.value_of(expr)
    if isinstance(value, (cst.Integer, cst.Float)):
        try:
            return float(value.value) > 0
        except ValueError:
            return True
    return True


def _always_true(test: cst.BaseExpression) -> bool:
    if type(test) is cst.Name:
        return test.value == "True"
    if type(test) is cst.Integer:
        return test.value not in ("0", "0x0")
    return False


def _last_statement(block: cst.BaseSuite) -> cst.CSTNode | None:
    body = list(block.body)
    return body[-1] if body else None


def _is_exit(statement: cst.CSTNode) -> bool:
    """A statement that always leaves: `break`, `return`, `raise` (also `if ...: return / else: raise`)."""
    if type(statement) in (cst.Break, cst.Return, cst.Raise):
        return True
    if type(statement) is cst.SimpleStatementLine:
        return any(type(s) in (cst.Break, cst.Return, cst.Raise) for s in statement.body)
    if type(statement) is cst.If and statement.orelse is not None:
        other = statement.orelse.body if type(statement.orelse) is cst.Else else None
        if other is None:
            return _ends_in_exit(statement.body) and _is_exit(statement.orelse)
        return _ends_in_exit(statement.body) and _ends_in_exit(other)
    return False


def _codes_in(nodes: list[cst.CSTNode]) -> set[int]:
    """The integer constants among `nodes` (a subtree's nodes), `-1021` read as one number."""
    negated = {id(n.expression) for n in nodes if type(n) is cst.UnaryOperation and type(n.operator) is cst.Minus}
    found: set[int] = set()
    for node in nodes:
        sign = 1
        if type(node) is cst.UnaryOperation and id(node.expression) in negated:
            node, sign = node.expression, -1
        elif id(node) in negated:
            continue
        if type(node) is cst.Integer:
            try:
                found.add(sign * int(node.value, 0))
            except ValueError:
                pass
    return found


def _sets_constant(assign: cst.Assign, flags: set[str]) -> bool:
    """`running = False`: a constant put in a name the `while` test reads."""
    value = assign.value
    if type(value) not in (cst.Name, cst.Integer, cst.SimpleString) or (
            type(value) is cst.Name and value.value not in ("True", "False", "None")):
        return False
    return any(type(t.target) is cst.Name and t.target.value in flags for t in assign.targets)


def _ends_in_exit(block: cst.BaseSuite) -> bool:
    last = _last_statement(block)
    return last is not None and _is_exit(last)


def _ends_in_continue(block: cst.BaseSuite) -> bool:
    last = _last_statement(block)
    if type(last) is cst.SimpleStatementLine:
        return any(type(s) is cst.Continue for s in last.body)
    return type(last) is cst.Continue


def _param_names(function: cst.FunctionDef) -> set[str]:
    params = function.params
    return {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}


def _bound_arguments(call: cst.Call, function: cst.FunctionDef) -> dict[str, cst.BaseExpression]:
    """Parameter name -> the expression `call` passes for it (`self` skipped for methods)."""
    params = function.params
    positional = [p.name.value for p in (*params.posonly_params, *params.params)]
    if positional and positional[0] in ("self", "cls") and type(call.func) is cst.Attribute:
        positional = positional[1:]
    names = set(positional) | {p.name.value for p in params.kwonly_params}
    bound: dict[str, cst.BaseExpression] = {}
    index = 0
    for arg in call.args:
        if arg.star:
            break
        if arg.keyword is not None:
            if arg.keyword.value in names:
                bound[arg.keyword.value] = arg.value
        elif index < len(positional):
            bound[positional[index]] = arg.value
            index += 1
    return bound


def _short(code: str, limit: int = 60) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 3] + "..."
