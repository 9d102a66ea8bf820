"""A price or quantity sent as `str()` or an f-string of a float, which can come out as `1e-05`.

## What it does
Reports `price`, `quantity`, `quoteOrderQty` or `stopPrice` (also `quote_order_qty`,
`stop_price` of the modular SDKs) set to `str(x)`, `repr(x)` or an f-string `f"{x}"` of
a float: in an SDK call's keyword argument, a parameter dict (`{"quantity": ...}`,
`params["quantity"] = ...`, `dict(quantity=...)`) or a query string
(`f"...&quantity={x}"`). A value counts as a float when the code shows it: a float
literal, `float(...)`, a division, `round(x, n)`, arithmetic with a float, or a `float`
annotation. Fixed-point formatting (`f"{x:.8f}"`, `format(x, "f")`) and `Decimal` are fine.

It also reports a computed float passed as it is (arithmetic, `float(...)`, a division,
`round(x, n)`, an element of a list or dict that holds such values) where the SDK turns
it into text with `str()` (python-binance, the connectors, the modular SDKs,
unicorn-binance-rest-api) or where it goes into the parameters of a hand-built request,
which `urlencode` turns into text the same way. A float literal counts only when it
prints with an exponent (`0.00001`); ccxt formats amounts to the market's precision
itself and is never reported.

## Why is this bad?
Python prints small and large floats in scientific notation: `str(0.00001) == '1e-05'`,
`str(1.9e-07) == '1.9e-07'`. Binance accepts only plain decimals
(`^([0-9]{1,20})(\\.[0-9]{1,20})?$`) and rejects the order with `-1100 Illegal
characters found in parameter 'quantity'`, typically only for the few symbols or
balances small enough to trigger it, long after the code shipped.

## Example
```python
from binance.client import Client

client = Client(api_key, api_secret)
qty = balance * 0.1
client.order_market_sell(symbol="SHIBUSDT", quantity=str(qty))
```

## Use instead
```python
from decimal import Decimal

from binance.client import Client

client = Client(api_key, api_secret)
qty = balance * 0.1
client.order_market_sell(symbol="SHIBUSDT", quantity=format(Decimal(str(qty)), "f"))
```

Better still, round down to the symbol's `LOT_SIZE` step size before formatting.

## Fix safety
Advice only: the right number of decimals is the symbol's step size (`LOT_SIZE`) or
tick size (`PRICE_FILTER`), which binlint does not know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

import libcst as cst

from binlint.analysis import orders
from binlint.analysis.values import dict_shape, literal_text, mutations_of
from binlint.model import Severity
from binlint.rules.base import Invalid, Report, Rule, Valid

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel

_TO_TEXT = frozenset({"builtins.str", "builtins.repr"})
_FLOAT_CALLS = frozenset({"builtins.float", "math.sqrt", "math.fsum", "statistics.mean", "math.log10", "math.pow"})
_KEEP_TYPE = frozenset({"builtins.abs", "builtins.min", "builtins.max"})
_MAX_DEPTH = 5


class FloatFormattedQuantity(Rule):
    code = "BL504"
    name = "float-formatted-quantity"
    severity = Severity.WARNING
    fix = "advice"
    VALID: ClassVar[tuple[Valid, ...]] = (
        Valid(
            """
            from binance.client import Client

            client = Client(api_key, api_secret)
            qty = free / 3
            client.order_market_sell(symbol="BTCUSDT", quantity=f"{qty:.8f}")
            client.order_limit_buy(symbol="BTCUSDT", quantity=format(qty, "f"), price="30000.00")
            """
        ),
        Valid(
            """
            from decimal import Decimal
            from binance.client import Client

            client = Client(api_key, api_secret)
            qty = Decimal(free) / 3
            client.order_market_sell(symbol="BTCUSDT", quantity=str(qty))
            client.order_market_buy(symbol="BTCUSDT", quantity=str(count))
            """
        ),
        # Literals that print without an exponent, and ccxt's own precision formatting.
        Valid(
            """
            import ccxt
            from binance.client import Client

            client = Client(api_key, api_secret)
            client.order_limit_buy(symbol="BTCUSDT", quantity=0.001, price=30000.5)
            exchange = ccxt.binance()
            exchange.create_order("BTC/USDT", "market", "buy", usdt / price)
            """
        ),
    )
    INVALID: ClassVar[tuple[Invalid, ...]] = (
        Invalid(
            """
            from binance.client import Client

            client = Client(api_key, api_secret)
            qty = balance * 0.1
            client.order_market_sell(symbol="SHIBUSDT", quantity=str(qty))
            """,
            line=5,
        ),
        # A computed float passed as it is: python-binance sends it as str(value).
        Invalid(
            """
            from binance.client import Client

            client = Client(api_key, api_secret)
            volume = {}
            for coin in coins:
                volume[coin] = balances[coin] / prices[coin]
            client.create_order(symbol=coin + "USDT", side="BUY", type="MARKET", quantity=volume[coin])
            """,
            line=7,
        ),
        # The same in a hand-signed order: urlencode writes str(value).
        Invalid(
            """
            import hashlib, hmac, time
            from urllib.parse import urlencode
            import requests

            def buy(usdt, price, key, secret):
                params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": usdt / price,
                          "timestamp": int(time.time() * 1000)}
                query = urlencode(params)
                signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
                return requests.post("https://api.binance.com/api/v3/order", params={**params, "signature": signature},
                                     headers={"X-MBX-APIKEY": key}, timeout=10)
            """,
            line=6,
        ),
        Invalid(
            """
            import requests

            def sell(amount: float, price: float, sign):
                params = {"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "quantity": f"{amount}"}
                params["price"] = str(round(price, 2))
                return requests.post("https://api.binance.com/api/v3/order", data=sign(params), timeout=10)
            """,
            line=4,
            count=2,
        ),
        Invalid(
            """
            import requests

            def query(symbol, usdt):
                qty = usdt / 30000
                return f"symbol={symbol}&side=BUY&type=MARKET&quantity={qty}"

            requests.post("https://api.binance.com/api/v3/order?" + query("BTCUSDT", 50), timeout=10)
            """,
            line=5,
        ),
    )

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        model = analysis.model
        reported: set[int] = set()
        for field, value, sender in _sent_as_is(analysis):
            if id(value) in reported or not _formats_badly(model, value):
                continue
            reported.add(id(value))
            shown = model.code(value) if len(model.code(value)) <= 40 else "the value"
            yield Report(
                value,
                f"`{field}` gets `{shown}`, a float that {sender} turns into text with `str()`: small or large "
                "values come out in scientific notation (`str(0.00001) == '1e-05'`), which Binance rejects with "
                "-1100.",
                f"Send fixed-point text: `format(Decimal(str({_short(model.code(value))})), \"f\")`, best after "
                "rounding down to the symbol's step size (`LOT_SIZE`) or tick size (`PRICE_FILTER`).",
            )
        for field, set_value in _field_values(analysis):
            found = _float_text(model, set_value)
            if found is None or id(found) in reported:
                continue
            reported.add(id(found))
            shown = model.code(found) if len(model.code(found)) <= 40 else "the value"
            yield Report(
                found,
                f"`{field}` is sent as `{shown}`, text made from a float: small or large values come out in "
                "scientific notation (`str(0.00001) == '1e-05'`), which Binance rejects with -1100.",
                f"Format it fixed-point to the symbol's step size, e.g. `f\"{{{_operand(model, found)}:.8f}}\"`, or "
                "use `Decimal` and `format(value, \"f\")`.",
            )


def _sent_as_is(analysis: "Analysis") -> Iterator[tuple[str, cst.BaseExpression, str]]:
    """(field, value, who formats it) for values passed to an SDK or a request without formatting."""
    model = analysis.model
    for sdk_call in analysis.sdk.calls:
        if not orders.formats_with_str(sdk_call.sdk):
            continue
        for arg in sdk_call.call.args:
            if arg.keyword is not None and arg.keyword.value in orders.DECIMAL_PARAMS:
                yield arg.keyword.value, arg.value, sdk_call.sdk
    seen: set[int] = set()
    for site in analysis.requests.binance_sites:
        for container in (site.params, site.data):
            shape = dict_shape(model, container) if container is not None else None
            if shape is None or id(shape.node) in seen:
                continue
            seen.add(id(shape.node))
            for item in shape.items:
                if item.key in orders.DECIMAL_PARAMS:
                    yield item.key, item.value, "the request's `urlencode`"
                elif item.key is None and type(item.node) is cst.StarredDictElement:
                    continue
            if type(container) is cst.Dict:  # `{**params, "signature": s}`: the dict it spreads
                for element in container.elements:
                    if type(element) is cst.StarredDictElement:
                        inner = dict_shape(model, element.value)
                        if inner is not None and id(inner.node) not in seen:
                            seen.add(id(inner.node))
                            for item in inner.items:
                                if item.key in orders.DECIMAL_PARAMS:
                                    yield item.key, item.value, "the request's `urlencode`"


def _formats_badly(model: "ModuleModel", expr: cst.BaseExpression) -> bool:
    """Whether `str(expr)` can come out in scientific notation: a computed float, or a literal that does."""
    literal = expr.expression if type(expr) is cst.UnaryOperation else expr
    if type(literal) is cst.Float:
        try:
            return "e" in repr(float(literal.value.replace("_", "")))
        except ValueError:
            return False
    if type(literal) in (cst.Integer, cst.SimpleString, cst.FormattedString, cst.ConcatenatedString):
        return False
    if type(expr) is cst.Call and model.call_name(expr) in _TO_TEXT | {"builtins.format"}:
        return False  # `str(x)` is the other check's; `format(x, "f")` is fine
    return _is_float(model, expr, 0)


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else "value"


def _field_values(analysis: "Analysis") -> Iterator[tuple[str, cst.CSTNode]]:
    """(field, value expression) pairs for price/quantity fields, wherever they are set."""
    model = analysis.model
    for sdk_call in analysis.sdk.calls:
        if orders.formats_amounts(sdk_call.sdk):
            continue  # ccxt formats amounts itself
        for arg in sdk_call.call.args:
            if arg.keyword is not None and arg.keyword.value in orders.DECIMAL_PARAMS:
                yield arg.keyword.value, arg.value
    for element in model.tree.of_type(cst.DictElement):
        key = literal_text(element.key)
        if key in orders.DECIMAL_PARAMS:
            yield key, element.value
    for call in model.calls():
        if model.call_name(call) == "builtins.dict":
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in orders.DECIMAL_PARAMS:
                    yield arg.keyword.value, arg.value
    for assign in model.tree.of_type(cst.Assign):
        for target in assign.targets:
            sub = target.target
            if type(sub) is cst.Subscript and len(sub.slice) == 1 and type(sub.slice[0].slice) is cst.Index:
                key = literal_text(sub.slice[0].slice.value)
                if key in orders.DECIMAL_PARAMS:
                    yield key, assign.value
    for fstring in model.tree.of_type(cst.FormattedString):
        parts = fstring.parts
        for before, part in zip(parts, parts[1:]):
            if type(before) is cst.FormattedStringText and type(part) is cst.FormattedStringExpression:
                match = orders.DECIMAL_QUERY_PARAM.search(before.value)
                if match:
                    yield match.group(1), part


def _float_text(model: "ModuleModel", value: cst.CSTNode) -> cst.CSTNode | None:
    """The node that turns a float into text the wrong way (`str(x)`, `f"{x}"`), if `value` is one."""
    if type(value) is cst.Call and model.call_name(value) in _TO_TEXT and len(value.args) == 1:
        return value if _is_float(model, value.args[0].value, 0) else None
    if type(value) is cst.FormattedStringExpression:  # `...&quantity={qty}` in a query string
        return value if not _fixed_point(value) and _is_float(model, value.expression, 0) else None
    if type(value) is cst.FormattedString:
        for part in value.parts:
            if type(part) is cst.FormattedStringExpression and not _fixed_point(part) \
                    and _is_float(model, part.expression, 0):
                return value
    return None


def _fixed_point(part: cst.FormattedStringExpression) -> bool:
    spec = "".join(p.value for p in (part.format_spec or ()) if type(p) is cst.FormattedStringText)
    return part.conversion is None and spec[-1:] in ("f", "F", "d")


def _is_float(model: "ModuleModel", expr: cst.BaseExpression, depth: int) -> bool:
    """Whether the code shows `expr` is a float (never guessed from a name)."""
    if depth > _MAX_DEPTH or _is_decimal(model, expr):
        return False
    if type(expr) is cst.Float:
        return True
    if type(expr) is cst.UnaryOperation:
        return _is_float(model, expr.expression, depth + 1)
    if type(expr) is cst.IfExp:
        return _is_float(model, expr.body, depth + 1) or _is_float(model, expr.orelse, depth + 1)
    if type(expr) is cst.BinaryOperation:
        if _is_decimal(model, expr.left) or _is_decimal(model, expr.right):
            return False
        if type(expr.operator) is cst.Divide:
            return True
        return _is_float(model, expr.left, depth + 1) or _is_float(model, expr.right, depth + 1)
    if type(expr) is cst.Call:
        name = model.call_name(expr)
        if name in _FLOAT_CALLS:
            return True
        if name == "builtins.round":
            return len(expr.args) == 2 and _is_float(model, expr.args[0].value, depth + 1)
        if name in _KEEP_TYPE:
            return any(_is_float(model, a.value, depth + 1) for a in expr.args)
        return False
    if type(expr) is cst.Subscript:
        return _holds_floats(model, expr.value, depth + 1)
    if type(expr) in (cst.Name, cst.Attribute):
        if type(expr) is cst.Name:
            annotation = model.param_annotation(expr)
            if annotation is not None and not model.bindings(expr):
                return type(annotation) is cst.Name and annotation.value == "float"
        bindings = model.bindings(expr)
        for binding in bindings:
            statement = binding.statement
            if type(statement) is cst.AnnAssign and type(statement.annotation.annotation) is cst.Name \
                    and statement.annotation.annotation.value == "float":
                return True
        values = [b.value for b in bindings if b.value is not None]
        if values and not any(_is_decimal(model, v) for v in values):
            return any(_is_float(model, v, depth + 1) for v in values)
    return False


def _holds_floats(model: "ModuleModel", container: cst.BaseExpression, depth: int) -> bool:
    """Whether a list or dict holds computed floats: its literal, comprehension, or what is put in it."""
    if depth > _MAX_DEPTH or type(container) not in (cst.Name, cst.Attribute):
        return False
    for binding in model.bindings(container):
        value = binding.value
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            if any(type(e) is cst.Element and _is_float(model, e.value, depth + 1) for e in value.elements):
                return True
        elif type(value) is cst.Dict:
            if any(type(e) is cst.DictElement and _is_float(model, e.value, depth + 1) for e in value.elements):
                return True
        elif isinstance(value, (cst.ListComp, cst.GeneratorExp)):
            if _is_float(model, value.elt, depth + 1):
                return True
        elif type(value) is cst.DictComp:
            if _is_float(model, value.value, depth + 1):
                return True
    for mutation in mutations_of(model, container):
        if mutation.kind in ("setitem", "append", "setdefault") and mutation.value is not None \
                and _is_float(model, mutation.value, depth + 1):
            return True
    return False


def _is_decimal(model: "ModuleModel", expr: cst.BaseExpression) -> bool:
    if type(expr) is cst.Call:
        return model.call_name(expr) in ("decimal.Decimal", "decimal.Decimal.from_float")
    if type(expr) is cst.BinaryOperation:
        return _is_decimal(model, expr.left) or _is_decimal(model, expr.right)
    if type(expr) is cst.Name:
        values = [b.value for b in model.bindings(expr) if b.value is not None]
        return bool(values) and all(type(v) in (cst.Call, cst.BinaryOperation) and _is_decimal(model, v)
                                    for v in values)
    return False


def _operand(model: "ModuleModel", node: cst.CSTNode) -> str:
    if type(node) is cst.Call and node.args:
        return model.code(node.args[0].value)
    if type(node) is cst.FormattedStringExpression:
        return model.code(node.expression)
    if type(node) is cst.FormattedString:
        for part in node.parts:
            if type(part) is cst.FormattedStringExpression:
                return model.code(part.expression)
    return "value"
