"""Clock values: what unit a `timestamp` expression holds, and numeric constants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from binlint.analysis.values import Env, bind_arguments, called_function, returned_values
from binlint.analysis.signing.common import MAX_DEPTH
from binlint.constructors import plain_init

if TYPE_CHECKING:
    from binlint.analysis.module import ModuleModel


_TIME_WRAPPERS = frozenset({"builtins.int", "builtins.round", "math.floor", "math.ceil", "math.trunc"})


@plain_init
@dataclass(frozen=True, slots=True)
class TimeValue:
    """What clock value an expression holds: `unit` is "ms" (right), "ms-float", "s", "s-float" or "ns"."""

    unit: str
    node: cst.BaseExpression  # the expression that makes the value (where a fix goes)
    clock: cst.BaseExpression  # the clock call itself (`time.time()`)


def time_value(model: "ModuleModel", expr: cst.BaseExpression, env: Env | None = None,
               depth: int = 0) -> TimeValue | None:
    """The clock value `expr` holds, following names, `str(...)` and same-module helpers; None when it
    does not come from a clock."""
    if depth > MAX_DEPTH:
        return None
    if type(expr) is cst.Name and env is not None:
        passed = env.lookup(model, expr)
        if passed is not None:
            return time_value(model, passed[0], passed[1], depth + 1)
    if type(expr) in (cst.Name, cst.Attribute):
        resolved = model.value_of(expr)
        if resolved is not expr:
            return time_value(model, resolved, env, depth + 1)
        from binlint.analysis.values import param_default

        default = param_default(model, expr)
        return time_value(model, default, env, depth + 1) if default is not None else None
    if type(expr) is cst.Call:
        name = model.call_name(expr) or ""
        func = expr.func
        if name == "time.time":
            return TimeValue("s-float", expr, expr)
        if name == "time.time_ns":
            return TimeValue("ns", expr, expr)
        if type(func) is cst.Attribute and func.attr.value == "timestamp" and not expr.args and (
                "datetime" in model.code(func.value) or (model.qualname(func.value) or "").startswith("datetime")
                or type(func.value) is cst.Call):
            return TimeValue("s-float", expr, expr)
        if name in _TIME_WRAPPERS and expr.args:
            inner = time_value(model, expr.args[0].value, env, depth + 1)
            if inner is None:
                return None
            unit = {"s-float": "s", "ms-float": "ms"}.get(inner.unit, inner.unit)
            if len(expr.args) > 1 and name == "builtins.round":
                unit = inner.unit  # round(x, 3) keeps the fraction
            return TimeValue(unit, expr, inner.clock)
        if name == "builtins.str" and len(expr.args) == 1:
            return time_value(model, expr.args[0].value, env, depth + 1)
        helper = called_function(model, expr)
        if helper is not None:
            inner_env = Env(helper, bind_arguments(expr, helper), env)
            values = returned_values(model, helper)
            if len(values) == 1:
                return time_value(model, values[0], inner_env, depth + 1)
        return None
    if type(expr) is cst.BinaryOperation:
        left = time_value(model, expr.left, env, depth + 1)
        right = time_value(model, expr.right, env, depth + 1)
        inner = left or right
        if inner is None:
            return None
        other = expr.right if left is not None else expr.left
        factor = _number(other)
        operator = expr.operator
        if type(operator) is cst.Multiply and factor is not None:
            if inner.unit in ("s", "s-float") and factor == 1000:
                unit = "ms" if inner.unit == "s" and isinstance(factor, int) else "ms-float"
                return TimeValue(unit, expr, inner.clock)
            return TimeValue(inner.unit, expr, inner.clock)
        if type(operator) in (cst.FloorDivide, cst.Divide) and factor is not None and left is not None:
            if inner.unit == "ns" and factor == 1_000_000:
                return TimeValue("ms" if type(operator) is cst.FloorDivide else "ms-float", expr, inner.clock)
            if inner.unit == "ns" and factor == 1_000_000_000:
                return TimeValue("s" if type(operator) is cst.FloorDivide else "s-float", expr, inner.clock)
            return TimeValue(inner.unit, expr, inner.clock)
        if type(operator) in (cst.Add, cst.Subtract):
            return TimeValue(inner.unit, expr, inner.clock)  # an offset keeps the unit
        return None
    return None


def _number(expr: cst.BaseExpression) -> float | int | None:
    """The value of a numeric literal or a product/power of them (`1000`, `1e3`, `10 ** 6`)."""
    if type(expr) is cst.Integer:
        return int(expr.evaluated_value)
    if type(expr) is cst.Float:
        value = float(expr.evaluated_value)
        return int(value) if value.is_integer() else value
    if type(expr) is cst.UnaryOperation and type(expr.operator) is cst.Minus:
        inner = _number(expr.expression)
        return -inner if inner is not None else None
    if type(expr) is cst.BinaryOperation:
        left, right = _number(expr.left), _number(expr.right)
        if left is None or right is None:
            return None
        if type(expr.operator) is cst.Multiply:
            return left * right
        if type(expr.operator) is cst.Power and abs(right) < 20:
            return left ** right
        if type(expr.operator) is cst.Add:
            return left + right
        if type(expr.operator) is cst.Subtract:
            return left - right
    return None


def number_value(model: "ModuleModel", expr: cst.BaseExpression) -> tuple[float | int, cst.BaseExpression] | None:
    """A numeric constant and the expression that writes it (through names: `RECV = 70000`)."""
    for _ in range(MAX_DEPTH):
        value = _number(expr)
        if value is not None:
            return value, expr
        if type(expr) in (cst.Name, cst.Attribute):
            resolved = model.value_of(expr)
            if resolved is expr:
                return None
            expr = resolved
            continue
        return None
    return None
