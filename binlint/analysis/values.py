"""What text an expression evaluates to, as far as the source tells.

Literals, implicit concatenation, f-strings, `+`, `%`, `.format`, `urljoin`, module
and class constants and `self.attr` set in `__init__` are followed; the parts that
cannot be known become holes, so `f"{BASE}/api/v3/order?{query}"` resolves to
`https://api.binance.com/api/v3/order?` followed by a hole.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from binlint.analysis.module import ModuleModel

HOLE = "\ufffc"  # stands for a part whose text is unknown
_MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class StrValue:
    """A string known in part: `text` with HOLE where a part is unknown."""

    text: str
    exact: bool

    @property
    def known_prefix(self) -> str:
        return self.text.split(HOLE, 1)[0]

    def __add__(self, other: "StrValue") -> "StrValue":
        return StrValue(self.text + other.text, self.exact and other.exact)


_UNKNOWN = StrValue(HOLE, False)


def literal_text(node: cst.BaseExpression) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal, else None."""
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except Exception:  # malformed escapes in odd sources
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left = literal_text(node.left)
        right = literal_text(node.right)
        return left + right if left is not None and right is not None else None
    return None


def string_value(model: ModuleModel, expr: cst.BaseExpression, depth: int = 0) -> StrValue | None:
    """The text `expr` evaluates to, with holes; None when it is not a string at all."""
    if depth > _MAX_DEPTH:
        return _UNKNOWN
    text = literal_text(expr)
    if text is not None:
        return StrValue(text, True)
    if isinstance(expr, cst.SimpleString):
        return None  # bytes literal
    if isinstance(expr, cst.FormattedString):
        return _fstring(model, expr, depth)
    if isinstance(expr, cst.ConcatenatedString):
        left = string_value(model, expr.left, depth + 1)  # type: ignore[arg-type]
        right = string_value(model, expr.right, depth + 1)  # type: ignore[arg-type]
        return (left or _UNKNOWN) + (right or _UNKNOWN)
    if isinstance(expr, (cst.Name, cst.Attribute)):
        resolved = model.value_of(expr)
        if resolved is not expr:
            return string_value(model, resolved, depth + 1)
        return None
    if isinstance(expr, cst.BinaryOperation):
        if isinstance(expr.operator, cst.Add):
            left = string_value(model, expr.left, depth + 1)
            right = string_value(model, expr.right, depth + 1)
            if left is None and right is None:
                return None
            return (left or _UNKNOWN) + (right or _UNKNOWN)
        if isinstance(expr.operator, cst.Modulo):
            template = string_value(model, expr.left, depth + 1)
            if template is not None:
                return _percent(template)
        return None
    if isinstance(expr, cst.Call):
        return _call(model, expr, depth)
    return None


def _fstring(model: ModuleModel, node: cst.FormattedString, depth: int) -> StrValue:
    result = StrValue("", True)
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            result = result + StrValue(part.value, True)
        elif isinstance(part, cst.FormattedStringExpression):
            inner = None
            if part.format_spec is None and part.conversion is None:
                inner = string_value(model, part.expression, depth + 1)
            result = result + (inner or _UNKNOWN)
    return result


def _percent(template: StrValue) -> StrValue:
    import re

    return StrValue(re.sub(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]", HOLE, template.text), False)


def _call(model: ModuleModel, call: cst.Call, depth: int) -> StrValue | None:
    func = call.func
    # "...".format(...)
    if isinstance(func, cst.Attribute) and func.attr.value == "format":
        template = string_value(model, func.value, depth + 1)
        if template is not None:
            import re

            return StrValue(re.sub(r"\{[^{}]*\}", HOLE, template.text), False)
        return None
    name = model.call_name(call)
    if name in ("urllib.parse.urljoin", "urlparse.urljoin", "requests.compat.urljoin") and len(call.args) >= 2:
        base = string_value(model, call.args[0].value, depth + 1) or _UNKNOWN
        tail = string_value(model, call.args[1].value, depth + 1) or _UNKNOWN
        if tail.text.startswith(("http://", "https://")):
            return tail
        if tail.text.startswith("/") and base.exact:
            from urllib.parse import urlsplit

            parts = urlsplit(base.text)
            return StrValue(f"{parts.scheme}://{parts.netloc}{tail.text}", tail.exact)
        return base + tail
    if name == "builtins.str" and len(call.args) == 1:
        return string_value(model, call.args[0].value, depth + 1)
    if isinstance(func, cst.Attribute) and func.attr.value in ("strip", "rstrip", "lstrip", "lower", "upper"):
        inner = string_value(model, func.value, depth + 1)
        if inner is not None and not call.args:
            method = getattr(str, func.attr.value)
            return StrValue(method(inner.text), inner.exact)
        return inner
    return None
