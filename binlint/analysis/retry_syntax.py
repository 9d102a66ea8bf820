"""Small pure syntax tests the retry model shares: subtrees, keywords, exits, codes.

They look at one node and what it holds, never at the rest of the module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import libcst as cst

from binlint.analysis.walk import children

if TYPE_CHECKING:
    from binlint.analysis.module import ModuleModel

CODE_ATTRIBUTES = frozenset({"code", "status_code", "status", "error_code", "http_status_code", "errorCode"})
ERROR_ATTRIBUTES = frozenset({"status_code", "status", "ok", "code", "error", "is_error", "is_success"})
ERROR_KEYS = frozenset({"code", "error", "msg"})
CONVERSIONS = frozenset({"builtins.str", "builtins.int", "builtins.format", "builtins.repr"})


def subtree(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node` and everything under it (for small expressions; regions use the tree index)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(children(current))


def keyword(call: cst.Call | None, name: str) -> cst.Arg | None:
    if call is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def max_retries(adapter: cst.Call) -> cst.BaseExpression | None:
    arg = keyword(adapter, "max_retries")
    if arg is not None:
        return arg.value
    positional = [a for a in adapter.args if a.keyword is None and not a.star]
    return positional[2].value if len(positional) > 2 else None


def positive(model: "ModuleModel", expr: cst.BaseExpression) -> bool:
    value = model.value_of(expr)
    if isinstance(value, (cst.Integer, cst.Float)):
        try:
            return float(value.value) > 0
        except ValueError:
            return True
    return True


def last_statement(block: cst.BaseSuite) -> cst.CSTNode | None:
    body = list(block.body)
    return body[-1] if body else None


def is_exit(statement: cst.CSTNode) -> bool:
    """A statement that always leaves: `break`, `return`, `raise` (also `if ...: return / else: raise`)."""
    if type(statement) in (cst.Break, cst.Return, cst.Raise):
        return True
    if type(statement) is cst.SimpleStatementLine:
        return any(type(s) in (cst.Break, cst.Return, cst.Raise) for s in statement.body)
    if type(statement) is cst.If and statement.orelse is not None:
        other = statement.orelse.body if type(statement.orelse) is cst.Else else None
        if other is None:
            return ends_in_exit(statement.body) and is_exit(statement.orelse)
        return ends_in_exit(statement.body) and ends_in_exit(other)
    return False


def codes_in(nodes: list[cst.CSTNode]) -> set[int]:
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


def ends_in_exit(block: cst.BaseSuite) -> bool:
    last = last_statement(block)
    return last is not None and is_exit(last)


def ends_in_continue(block: cst.BaseSuite) -> bool:
    last = last_statement(block)
    if type(last) is cst.SimpleStatementLine:
        return any(type(s) is cst.Continue for s in last.body)
    return type(last) is cst.Continue


def param_names(function: cst.FunctionDef) -> set[str]:
    params = function.params
    return {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
