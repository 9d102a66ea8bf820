"""Which failures make a retry construct go again, and what each says about an order (`Trigger`).

A part of the retry model: `RetryModel` (`analysis/retries.py`) holds one and answers
`triggers()` with it. `except` handlers, status tests, tenacity's `retry=`, backoff's
exception, retrying's predicate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from binlint.analysis import orders
from binlint.analysis.retry_constructs import RetryConstruct, Trigger
from binlint.analysis.retry_facts import MAX_REACH, PREDICATE_KEYWORDS
from binlint.analysis.retry_syntax import CODE_ATTRIBUTES, codes_in, keyword, subtree
from binlint.analysis.values import dotted_text, literal_text, module_index

if TYPE_CHECKING:
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.retries import RetryModel
    from binlint.analysis.walk import TreeIndex


class TriggerRetries:
    """The failures after which a retry construct runs its code again."""

    def __init__(self, retries: "RetryModel") -> None:
        self.retries = retries
        self.model: ModuleModel = retries.model
        self.tree: TreeIndex = retries.tree

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
                if (type(ancestor) is cst.Try or type(ancestor) is cst.TryStar) and construct.kind == "loop" \
                        and self.tree.contains(ancestor.body, anchor):
                    ends_loop = self.retries._loop_part._ends_loop
                    found.extend(self._handler_trigger(h) for h in ancestor.handlers
                                 if not ends_loop(h.body, construct.node))  # type: ignore[arg-type]
                if type(ancestor) is cst.If and construct.kind == "recursion":
                    found.append(self._test_trigger(ancestor.test))
                    break
            if not found and construct.kind == "loop":
                loop_part = self.retries._loop_part
                tests = [n for n in self.retries._inside(construct.node, cst.If) if loop_part._error_check(n.test)]
                # `if r.status_code != 429: return r.json()` goes again when its test is false: on a 429.
                found.extend(self._test_trigger(n.test, exits=loop_part._ends_loop(n.body, construct.node))  # type: ignore[arg-type]
                             for n in tests)
        elif construct.kind == "helper" and construct.helper is not None:
            helper = construct.helper
            found.append(Trigger(helper.failure, construct.node, f"{helper.failure_words} in `{helper.name}`"))
        elif construct.kind in PREDICATE_KEYWORDS:  # tenacity's `retry=`, retrying's `retry_on_exception=`
            predicate = keyword(self._construct_call(construct), PREDICATE_KEYWORDS[construct.kind])
            if predicate is None:
                found.append(Trigger("unknown", construct.node, f"any exception ({construct.kind}'s default)"))
            else:
                found.append(self._predicate_trigger(predicate.value))
        elif construct.kind == "backoff":
            call = self._construct_call(construct)
            if call is not None and model.call_name(call) == "backoff.on_exception":
                exception = keyword(call, "exception")
                positional = [a for a in call.args if a.keyword is None and not a.star]
                value = exception.value if exception is not None else (
                    positional[1].value if len(positional) > 1 else None)
                if value is not None:
                    found.append(self._types_trigger(value, value))
        return found or [Trigger("other", None, "a failure")]

    def _anchor(self, construct: RetryConstruct, node: cst.CSTNode) -> cst.CSTNode:
        """`node`, or the call in the retried code that leads to the function holding it."""
        for _ in range(MAX_REACH + 1):
            if any(self.tree.contains(root, node) for root in construct.roots):
                return node
            function = self.model.function_of(node)
            sites = self.retries._sites_of(construct, function) if function is not None else []
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
            found = self.retries._library_part._retrying_object(node.func.value if type(node.func) is cst.Attribute
                                          and node.func.attr.value in ("call", "__call__") else node.func)
            return found[1] if found is not None else None
        return None

    def _handler_trigger(self, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> Trigger:
        model = self.model
        if handler.type is None:
            return Trigger("unknown", handler, lambda: f"a bare `except` on line {model.line(handler)}")
        trigger = self._types_trigger(handler.type, handler)
        if trigger.outcome == "unknown":
            codes = self._tested_codes(handler.body)
            if codes is not None:
                return Trigger(orders.codes_outcome(codes), handler, lambda: trigger.words + " (after a code test)")
        return trigger

    def _types_trigger(self, expr: cst.BaseExpression, node: cst.CSTNode) -> Trigger:
        elements = [e.value for e in expr.elements] if type(expr) is cst.Tuple else [expr]
        outcomes = [orders.exception_outcome(self.model.qualname(e) or dotted_text(e)) for e in elements]
        outcome = "unknown" if "unknown" in outcomes else "not-placed" if all(
            o == "not-placed" for o in outcomes) else "other"
        model = self.model
        if type(node) is cst.ExceptHandler:
            return Trigger(outcome, node, lambda: f"its `except {model.short(expr, 50)}` on line {model.line(node)}")
        return Trigger(outcome, node, lambda: f"`{model.short(expr, 50)}`")

    def _test_trigger(self, test: cst.BaseExpression, exits: bool = False) -> Trigger:
        """What a status test says of the failures that run the code again: those that pass it, or with
        `exits` (its branch leaves the loop) those that fail it."""
        codes = codes_in(list(subtree(test)))
        model = self.model
        broad = any(200 <= c < 300 for c in codes) or not codes  # "not OK": any failure, 5xx included
        flipped = exits and not broad

        def words() -> str:
            said = f"`{model.short(test, 50)}` (line {model.line(test)})"
            return f"{said} is false" if flipped else said

        if broad:
            return Trigger("unknown", test, words)
        negated = any(type(n) is cst.Comparison and any(type(t.operator) in (cst.NotEqual, cst.NotIn)
                                                        for t in n.comparisons) for n in subtree(test))
        return Trigger("unknown" if negated != flipped else orders.codes_outcome(codes), test, words)

    def _predicate_trigger(self, expr: cst.BaseExpression) -> Trigger:
        """tenacity's `retry=` / retrying's `retry_on_exception=`: exception types, or a predicate function."""
        model = self.model
        outcomes: list[str] = []
        for sub in subtree(expr):
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
        return Trigger(outcome, expr, lambda: f"`{model.short(expr, 50)}`")

    def _function_trigger(self, expr: cst.BaseExpression) -> str:
        """A same-module predicate (`def not_placed(error)`): what its checks select."""
        function = module_index(self.model).module_functions.get(expr.value) if type(expr) is cst.Name else None
        if function is None:
            return "other"
        codes = self._tested_codes(function.body)
        names = [orders.exception_outcome(self.model.qualname(a.value) or dotted_text(a.value))
                 for call in self.retries._inside(function.body, cst.Call)
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
        for comparison in self.retries._inside(block, cst.Comparison):
            subs = list(subtree(comparison))
            if not any((type(n) is cst.Attribute and n.attr.value in CODE_ATTRIBUTES)
                       or (type(n) is cst.SimpleString and literal_text(n) in ("code", "status")) for n in subs):
                continue
            found = found if found is not None else set()
            found.update(codes_in(subs))
        return found
