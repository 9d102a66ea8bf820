"""What values an expression holds, as far as the source tells, and the lookups that need.

- `string_value`: literals, implicit concatenation, f-strings, `+`, `%`, `.format`,
  `urljoin`, `os.getenv(name, default)`, module and class constants (`Api.BASE`),
  `self.attr` set in `__init__` and simple parameter defaults are followed; the parts
  that cannot be known become holes, so `f"{BASE}/api/v3/order?{query}"` resolves to
  `https://api.binance.com/api/v3/order?` followed by a hole. With an `Env`, a helper's
  parameters evaluate to what its caller passed. A name evaluates to the assignments that
  reach it (`analysis/flow.py`); where several do, to their common start and end around
  a hole (`join_strings`).
- `dict_shape`: the entries of a dict literal or `dict(...)` call (through names).
- `called_function`, `bind_arguments`, `returned_values`: same-module helpers
  (`helper(...)`, `self.helper(...)`), the arguments a call binds to their parameters
  (`**kwargs` included) and what they return.
- `mutations_of`: in-place changes to a container (`x[k] = v`, `x.update(...)`, `x.pop(k)`,
  `q += "..."`), keyed by where the name lives (its function, or its class for `self.x`).

Everything is computed from the `TreeIndex` lists once per module (`module_index`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

# Re-exported: the literal readers are imported from here across the analysis layer.
from binlint.analysis.literals import dotted_text as dotted_text
from binlint.analysis.literals import literal_text as literal_text
from binlint.analysis.literals import literal_value as literal_value
from binlint.analysis.literals import subscript_key as subscript_key
from binlint.constructors import plain_init

if TYPE_CHECKING:
    from binlint.analysis.module import ModuleModel

HOLE = "\ufffc"  # stands for a part whose text is unknown
_MAX_DEPTH = 8


@plain_init
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


@dataclass(frozen=True, slots=True)
class Env:
    """Arguments a call passes to a helper: inside `function`, a parameter name stands for
    the expression the caller passed (evaluated where the caller is, with `parent`)."""

    function: cst.FunctionDef
    arguments: dict[str, cst.BaseExpression]
    parent: "Env | None" = None

    def lookup(self, model: ModuleModel, name: cst.BaseExpression) -> tuple[cst.BaseExpression, "Env | None"] | None:
        """What the caller passed for a parameter (`name`), or for a field of an object parameter
        (`request.path`, bound as "request.path"); None for any other expression."""
        if type(name) is cst.Attribute:
            base = name.value
            if type(base) is not cst.Name or f"{base.value}.{name.attr.value}" not in self.arguments:
                return None
            key = f"{base.value}.{name.attr.value}"
            if model.function_of(name) is self.function and _holds_object(model, base):
                return self.arguments[key], self.parent
            return None
        if type(name) is not cst.Name:
            return None
        if name.value in self.arguments and model.function_of(name) is self.function and \
                _holds_parameter(model, name):
            return self.arguments[name.value], self.parent
        return None


def _holds_parameter(model: ModuleModel, name: cst.Name) -> bool:
    """Whether a use of a parameter's name still holds what the caller passed: no assignment
    in the function reaches it (or, where the flow pass does not follow it, none exists)."""
    reaching = model.reaching(name)
    return not reaching if reaching is not None else not model.bindings(name)


def _holds_object(model: ModuleModel, name: cst.Name, seen: frozenset[int] = frozenset()) -> bool:
    """`_holds_parameter`, or the object parameter given back by a call that takes it
    (`request = self.sign(request)`, in a loop too: its fields are still the caller's)."""
    if id(name) in seen:
        return True  # round a loop of such calls
    if _holds_parameter(model, name):
        return True
    reaching = model.reaching(name)
    if len(seen) < 3 and reaching is not None and len(reaching) == 1:
        value = reaching[0].value
        if type(value) is cst.Call and len(value.args) == 1:
            given = value.args[0].value
            return type(given) is cst.Name and given.value == name.value and \
                _holds_object(model, given, seen | {id(name)})
    return False


def string_value(model: ModuleModel, expr: cst.BaseExpression, depth: int = 0,
                 env: Env | None = None) -> StrValue | None:
    """The text `expr` evaluates to, with holes; None when it is not a string at all.

    With `env`, a parameter of `env.function` evaluates to what the caller passed.
    """
    if depth > _MAX_DEPTH:
        return _UNKNOWN
    text = literal_text(expr)
    if text is not None:
        return StrValue(text, True)
    if type(expr) is cst.SimpleString:
        return None  # bytes literal
    if type(expr) is cst.FormattedString:
        return _fstring(model, expr, depth, env)
    if type(expr) is cst.ConcatenatedString:
        left = string_value(model, expr.left, depth + 1, env)
        right = string_value(model, expr.right, depth + 1, env)
        return (left or _UNKNOWN) + (right or _UNKNOWN)
    if type(expr) in (cst.Name, cst.Attribute):
        resolved = model.value_of(expr)
        if env is not None and type(resolved) in (cst.Name, cst.Attribute):
            passed = env.lookup(model, resolved)
            if passed is not None:
                return string_value(model, passed[0], depth + 1, passed[1])
        if resolved is not expr:
            return string_value(model, resolved, depth + 1, env)
        if type(expr) is cst.Name:
            joined = _reaching_strings(model, expr, depth, env)
            if joined is not None:
                return joined
        elif isinstance(expr, cst.Attribute) and type(expr.value) is cst.Name:  # `request.path` of `Request(...)`
            from binlint.analysis.objects import constructed_field

            stored = constructed_field(model, expr.value, expr.attr.value)
            if stored is not None:
                return string_value(model, stored, depth + 1, env)
        fallback = param_default(model, expr) or class_constant(model, expr)
        if fallback is not None:
            found = string_value(model, fallback, depth + 1, env)
            return None if found is None else StrValue(found.text, False)
        return imported_constant(model, expr)
    if type(expr) is cst.BinaryOperation:
        if type(expr.operator) is cst.Add:
            left = string_value(model, expr.left, depth + 1, env)
            right = string_value(model, expr.right, depth + 1, env)
            if left is None and right is None:
                return None
            return (left or _UNKNOWN) + (right or _UNKNOWN)
        if type(expr.operator) is cst.Modulo:
            template = string_value(model, expr.left, depth + 1, env)
            if template is not None:
                return _percent(model, template, expr.right, depth, env)
        return None
    if type(expr) is cst.Call:
        return _call(model, expr, depth, env)
    return None


_MAX_JOIN = 4
_MAX_JOIN_DEPTH = 3


def _reaching_strings(model: ModuleModel, name: cst.Name, depth: int, env: Env | None) -> StrValue | None:
    """A name several assignments reach (`if testnet: base = ... else: base = ...`), or one
    that reads itself (`url = url + "?" + query`): each value in turn, joined."""
    reaching = model.reaching(name)
    if not reaching or len(reaching) > _MAX_JOIN or any(b.value is None for b in reaching):
        return None
    if len(reaching) > 1 and depth > _MAX_JOIN_DEPTH:
        return None  # joins inside joins multiply the work: only near the top
    values = [string_value(model, b.value, depth + 1, env) for b in reaching]  # type: ignore[arg-type]
    if all(value is None for value in values):
        return None
    return join_strings([value or _UNKNOWN for value in values])


def imported_constant(model: ModuleModel, expr: cst.BaseExpression) -> StrValue | None:
    """A string constant of another module of the project, as that module leaves it
    (`from endpoints import ORDER_PATH`, `endpoints.ORDER_PATH`, a star import's name)."""
    project = model.project
    if project is None:
        return None
    dotted: str | None = None
    if type(expr) is cst.Name:
        function = model.function_of(expr)
        if not _holds_parameter(model, expr) or (function is not None and expr.value in model.param_names(function)):
            return None  # assigned here, or a parameter of that name
        dotted = model.imports.get(expr.value)
        if dotted is None and project.summary.stars and expr.value not in project.summary.table("symbols"):
            dotted = project.local(expr.value)
    elif type(expr) is cst.Attribute and type(expr.value) is cst.Name and expr.value.value in model.imports \
            and not model.bindings(expr.value):
        dotted = f"{model.imports[expr.value.value]}.{expr.attr.value}"
    if dotted is None:
        return None
    value = project.constant(dotted)
    return StrValue(value, True) if isinstance(value, str) else None


def join_strings(values: list[StrValue]) -> StrValue:
    """What several possible strings have in common: equal ones stay as they are; otherwise
    the common start and end around a hole (`https://` HOLE `/api/v3/order`), never exact."""
    first = values[0]
    if all(value == first for value in values[1:]):
        return first
    texts = [value.text for value in values]
    shortest = min(len(text) for text in texts)
    start = 0
    while start < shortest and all(text[start] == texts[0][start] for text in texts):
        start += 1
    end = 0
    while end < shortest - start and all(text[-1 - end] == texts[0][-1 - end] for text in texts):
        end += 1
    head = texts[0][:start]
    tail = texts[0][len(texts[0]) - end:] if end else ""
    return StrValue(head + HOLE + tail, False)


def _fstring(model: ModuleModel, node: cst.FormattedString, depth: int, env: Env | None) -> StrValue:
    result = StrValue("", True)
    for part in node.parts:
        if type(part) is cst.FormattedStringText:
            result = result + StrValue(part.value, True)
        elif type(part) is cst.FormattedStringExpression:
            inner = None
            if part.format_spec is None and part.conversion is None:
                inner = string_value(model, part.expression, depth + 1, env)
            result = result + (inner or _UNKNOWN)
    return result


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
_BRACES = re.compile(r"\{([^{}]*)\}")


def _percent(model: ModuleModel, template: StrValue, right: cst.BaseExpression, depth: int,
             env: Env | None) -> StrValue:
    """`"%s/api/v3/order" % BASE`: `%s` of known strings filled in, the rest holes."""
    values = [e.value for e in right.elements] if type(right) is cst.Tuple else [right]
    queue = list(values)
    exact = template.exact

    def fill(match: re.Match[str]) -> str:
        nonlocal exact
        spec = match.group(0)
        if spec == "%%":
            return "%"
        value = queue.pop(0) if queue else None
        part = _part(model, value, depth, env) if spec.endswith("s") and "(" not in spec else _UNKNOWN
        exact = exact and part.exact
        return part.text

    return StrValue(_PERCENT.sub(fill, template.text), exact)


def _part(model: ModuleModel, value: cst.BaseExpression | None, depth: int, env: Env | None) -> StrValue:
    """The text of a value filled into a template (`%s`, `{}`), or a hole."""
    found = string_value(model, value, depth + 1, env) if value is not None else None
    return found if found is not None else _UNKNOWN


def _format(model: ModuleModel, template: StrValue, call: cst.Call, depth: int, env: Env | None) -> StrValue:
    """`"{}/api/v3/{path}".format(BASE, path="order")` with the known arguments filled in."""
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    named = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    counter = 0
    exact = template.exact

    def fill(match: re.Match[str]) -> str:
        nonlocal counter, exact
        field_name = match.group(1).split("!", 1)[0].split(":", 1)[0]
        has_spec = ":" in match.group(1) or "!" in match.group(1)
        value: cst.BaseExpression | None = None
        if field_name == "":
            value = positional[counter] if counter < len(positional) else None
            counter += 1
        elif field_name.isdigit():
            index = int(field_name)
            value = positional[index] if index < len(positional) else None
        else:
            value = named.get(field_name)
        part = _part(model, value, depth, env) if not has_spec else _UNKNOWN
        exact = exact and part.exact
        return part.text

    text = template.text.replace("{{", "\x00").replace("}}", "\x01")
    text = _BRACES.sub(fill, text).replace("\x00", "{").replace("\x01", "}")
    return StrValue(text, exact)


def _call(model: ModuleModel, call: cst.Call, depth: int, env: Env | None) -> StrValue | None:
    func = call.func
    # "...".format(...)
    if type(func) is cst.Attribute and func.attr.value == "format":
        template = string_value(model, func.value, depth + 1, env)
        if template is not None:
            return _format(model, template, call, depth, env)
        return None
    name = model.call_name(call)
    if name in ("urllib.parse.urljoin", "urlparse.urljoin", "requests.compat.urljoin") and len(call.args) >= 2:
        base = string_value(model, call.args[0].value, depth + 1, env) or _UNKNOWN
        tail = string_value(model, call.args[1].value, depth + 1, env) or _UNKNOWN
        if tail.text.startswith(("http://", "https://")):
            return tail
        if tail.text.startswith("/") and base.exact:
            from urllib.parse import urlsplit

            parts = urlsplit(base.text)
            return StrValue(f"{parts.scheme}://{parts.netloc}{tail.text}", tail.exact)
        return base + tail
    if name in ("os.getenv", "os.environ.get") and len(call.args) >= 2:
        default = string_value(model, call.args[1].value, depth + 1, env)
        return None if default is None else StrValue(default.text, False)
    if name == "builtins.str" and len(call.args) == 1:
        return string_value(model, call.args[0].value, depth + 1, env)
    if type(func) is cst.Attribute and func.attr.value in ("strip", "rstrip", "lstrip", "lower", "upper"):
        inner = string_value(model, func.value, depth + 1, env)
        if inner is not None and not call.args:
            method = getattr(str, func.attr.value)
            return StrValue(method(inner.text), inner.exact)
        return inner
    helper = called_function(model, call)  # `self.make_full_url(path)`: what it returns, with the arguments
    if helper is not None:
        returned = returned_values(model, helper)
        if len(returned) == 1:
            return string_value(model, returned[0], depth + 1, Env(helper, bind_arguments(call, helper), env))
    return None


# --- names without an assignment: parameter defaults, class constants -----------------


def param_default(model: ModuleModel, expr: cst.BaseExpression) -> cst.BaseExpression | None:
    """The default of the parameter a bare name refers to (`def f(base=URL)`), if any."""
    if type(expr) is not cst.Name or model.bindings(expr):
        return None
    function = model.function_of(expr)
    if function is None:
        return None
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value == expr.value:
            return param.default
    return None


def class_constant(model: ModuleModel, expr: cst.BaseExpression) -> cst.BaseExpression | None:
    """`Api.BASE` where `class Api: BASE = "..."` is in this module."""
    if not (type(expr) is cst.Attribute and type(expr.value) is cst.Name):
        return None
    klass = module_index(model).classes.get(expr.value.value)
    if klass is None:
        return None
    for statement in klass.body.body:
        if type(statement) is cst.SimpleStatementLine:
            for small in statement.body:
                if type(small) is cst.Assign and any(
                    type(t.target) is cst.Name and t.target.value == expr.attr.value for t in small.targets
                ):
                    return small.value
                if type(small) is cst.AnnAssign and type(small.target) is cst.Name \
                        and small.target.value == expr.attr.value:
                    return small.value
    return None


# --- dicts --------------------------------------------------------------------------


@plain_init
@dataclass(frozen=True, slots=True)
class DictItem:
    """One entry of a dict expression: its key text (None when not a literal) and value."""

    key: str | None
    value: cst.BaseExpression
    node: cst.CSTNode  # the DictElement or keyword Arg


@plain_init
@dataclass(frozen=True, slots=True)
class DictShape:
    """The entries of a dict built in one expression, and whether that is all of them."""

    node: cst.BaseExpression  # the dict literal or `dict(...)` call
    items: tuple[DictItem, ...]
    complete: bool  # False when `**other` or a positional mapping could add more

    def keys(self) -> set[str]:
        return {item.key for item in self.items if item.key is not None}

    def get(self, key: str) -> DictItem | None:
        for item in reversed(self.items):
            if item.key == key:
                return item
        return None


def dict_shape(model: ModuleModel, expr: cst.BaseExpression | None, depth: int = 0) -> DictShape | None:
    """What a dict literal, `dict(...)` call or a name bound to one holds; None otherwise (found once
    per expression: several analyses and rules ask)."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    if depth == 0 or (type(expr) is cst.Dict and all(type(e) is cst.DictElement for e in expr.elements)):
        # a dict literal without `**` holds what it shows, however deep it was reached
        known = model.shapes.get(id(expr))
        if known is None or known[0] is not expr:
            known = model.shapes[id(expr)] = (expr, _dict_shape(model, expr, 0))
        return known[1]
    return _dict_shape(model, expr, depth)


def _dict_shape(model: ModuleModel, expr: cst.BaseExpression, depth: int) -> DictShape | None:
    if type(expr) in (cst.Name, cst.Attribute):
        resolved = model.value_of(expr)
        return None if resolved is expr else dict_shape(model, resolved, depth + 1)
    if type(expr) is cst.Dict:
        items: list[DictItem] = []
        complete = True
        for element in expr.elements:
            if type(element) is cst.DictElement:
                items.append(DictItem(literal_text(element.key), element.value, element))
            elif type(element) is cst.StarredDictElement:
                complete = _spread(dict_shape(model, element.value, depth + 1), items) and complete
        return DictShape(expr, tuple(items), complete)
    if type(expr) is cst.Call and model.call_name(expr) in ("builtins.dict", "collections.OrderedDict"):
        items = []
        complete = True
        for arg in expr.args:
            if arg.keyword is not None:
                items.append(DictItem(arg.keyword.value, arg.value, arg))
            else:
                inner = dict_shape(model, arg.value, depth + 1) if not arg.star else None
                complete = _spread(inner, items) and complete
        return DictShape(expr, tuple(items), complete)
    return None


# --- helpers in the same module ---------------------------------------------------------


def _spread(inner: DictShape | None, items: list[DictItem]) -> bool:
    """The items of a dict spread into another (`**base`) added to `items`; whether all are known."""
    if inner is None:
        return False
    items.extend(inner.items)
    return inner.complete


def called_function(model: ModuleModel, call: cst.Call) -> cst.FunctionDef | None:
    """The function of this module a call runs: `helper(...)` or `self.helper(...)`."""
    index = module_index(model)
    # Asked of every call by many analyses: remembered (the call is kept in the entry, so
    # its id cannot be reused while the entry lives).
    known = index.called.get(id(call))
    if known is not None and known[0] is call:
        return known[1]
    found = _called_function(model, index, call)
    index.called[id(call)] = (call, found)
    return found


def _called_function(model: ModuleModel, index: "ModuleIndex", call: cst.Call) -> cst.FunctionDef | None:
    func = call.func
    if type(func) is cst.Name:
        found = index.module_functions.get(func.value)
        if found is not None and func.value not in model.imports and not model.bindings(func):
            return found
        return None
    if type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value in ("self", "cls") \
            and func.attr.value in index.method_names:
        klass = model.class_of(call)
        if klass is not None:
            return index.methods.get((id(klass), func.attr.value))
    return None


def mentions(node: cst.BaseExpression, *texts: str) -> bool:
    """A cheap test before `literal_text`: whether a string literal's source holds one of `texts`."""
    return type(node) is cst.SimpleString and any(text in node.value for text in texts)


def bind_arguments(call: cst.Call, function: cst.FunctionDef, plain: bool = False) -> dict[str, cst.BaseExpression]:
    """Parameter name -> the expression `call` passes for it (`self` skipped for methods).

    Extra keyword arguments caught by `**kwargs` are bound to a dict literal made for the
    purpose (it is not in the tree: no position), unless the call passes `*args`/`**other`.
    `plain`: only the arguments written before any `*args`/`**other`, and no `**kwargs` dict.
    """
    params = function.params
    positional = [p.name.value for p in (*params.posonly_params, *params.params)]
    if positional and positional[0] in ("self", "cls") and type(call.func) is cst.Attribute:
        positional = positional[1:]
    names = set(positional) | {p.name.value for p in params.kwonly_params}
    bound: dict[str, cst.BaseExpression] = {}
    extra: list[cst.DictElement] = []
    starred = False
    index = 0
    for arg in call.args:
        if arg.star:
            if plain:
                return bound
            starred = True
            continue
        if arg.keyword is not None:
            if arg.keyword.value in names:
                bound[arg.keyword.value] = arg.value
            elif not plain:
                extra.append(cst.DictElement(cst.SimpleString(repr(arg.keyword.value)), arg.value))
        elif index < len(positional) and not starred:
            bound[positional[index]] = arg.value
            index += 1
    star_kwarg = params.star_kwarg
    if type(star_kwarg) is cst.Param and not starred and not plain:
        bound[star_kwarg.name.value] = cst.Dict(extra)
    return bound


def returned_values(model: ModuleModel, function: cst.FunctionDef) -> list[cst.BaseExpression]:
    """The expressions `function` returns (not those of functions nested in it)."""
    return [
        node.value
        for node in module_index(model).returns.get(id(function), ())
        if node.value is not None
    ]


# --- changes made to containers -----------------------------------------------------------

MUTATING_METHODS = frozenset(
    {"update", "setdefault", "pop", "popitem", "append", "extend", "insert", "clear", "sort", "remove", "reverse"}
)


@dataclass(frozen=True, slots=True)
class Mutation:
    """A change to a container in place: `params["timestamp"] = t`, `params.update(...)`."""

    target: str  # the container as written: "params", "self.params", "session.headers"
    kind: str  # "setitem", "delitem", "augassign", or the method name ("update", "pop", ...)
    key: str | None  # the literal key set or removed, when there is one
    value: cst.BaseExpression | None  # the value set (setitem/augassign/setdefault), or the call's first argument
    node: cst.CSTNode  # the statement or call that makes the change
    order: int  # pre-order number of `node`

    def keys(self, model: ModuleModel) -> set[str]:
        """The literal keys this change sets (`update({...})` included)."""
        if self.key is not None:
            return {self.key}
        if self.kind == "update" and self.value is not None:
            shape = dict_shape(model, self.value)
            if shape is not None:
                return shape.keys()
        if self.kind == "update" and type(self.node) is cst.Call:
            return {a.keyword.value for a in self.node.args if a.keyword is not None}
        return set()


class ModuleIndex:
    """Per-module lookups built once from the TreeIndex lists."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.classes: dict[str, cst.ClassDef] = {}
        self.module_functions: dict[str, cst.FunctionDef] = {}
        self.methods: dict[tuple[int, str], cst.FunctionDef] = {}
        self.method_names: set[str] = set()
        self.returns: dict[int, list[cst.Return]] = {}
        self._mutations: dict[tuple[int, str], list[Mutation]] | None = None
        self._assignments: dict[str, list[cst.Assign]] | None = None
        self.called: dict[int, tuple[cst.Call, cst.FunctionDef | None]] = {}
        tree = model.tree
        for klass in tree.of_type(cst.ClassDef):
            self.classes.setdefault(klass.name.value, klass)
        for function in tree.of_type(cst.FunctionDef):
            parent = tree.parent(tree.parent(function) or function)
            if type(parent) is cst.ClassDef:
                self.methods[(id(parent), function.name.value)] = function
                self.method_names.add(function.name.value)
            elif tree.parent(function) is model.module:
                self.module_functions[function.name.value] = function
        for node in tree.of_type(cst.Return):
            owner = model.function_of(node)
            if owner is not None:
                self.returns.setdefault(id(owner), []).append(node)

    def assignments_to(self, text: str) -> list[cst.Assign]:
        """The `=` statements one of whose targets is spelled `text` (`session.headers`), in source order."""
        if self._assignments is None:
            found: dict[str, list[cst.Assign]] = {}
            for assign in self.model.tree.of_type(cst.Assign):
                texts = {dotted_text(t.target) for t in assign.targets}
                texts.discard(None)
                for target in texts:
                    found.setdefault(target, []).append(assign)  # type: ignore[arg-type]
            self._assignments = found
        return self._assignments.get(text, [])

    def owner(self, node: cst.CSTNode, target: str) -> int:
        """Where a container name lives: its class for `self.x`, else its scope."""
        if target.startswith("self."):
            klass = self.model.class_of(node)
            if klass is not None:
                return id(klass)
        return id(self.model.scope_of(node))

    def mutations(self) -> dict[tuple[int, str], list[Mutation]]:
        if self._mutations is not None:
            return self._mutations
        model = self.model
        found: dict[tuple[int, str], list[Mutation]] = {}

        def add(target_node: cst.BaseExpression, kind: str, key: str | None, value: cst.BaseExpression | None,
                node: cst.CSTNode) -> None:
            text = dotted_text(target_node)
            if text is None:
                return
            found.setdefault((self.owner(node, text), text), []).append(
                Mutation(text, kind, key, value, node, model.tree.order(node))
            )

        statements: list[cst.Assign | cst.AugAssign | cst.Del] = model.tree.of_type(cst.Assign, cst.AugAssign, cst.Del)
        for node in statements:
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    if type(target.target) is cst.Subscript:
                        add(target.target.value, "setitem", subscript_key(target.target), node.value, node)
            elif isinstance(node, cst.AugAssign):
                if type(node.target) is cst.Subscript:
                    add(node.target.value, "setitem", subscript_key(node.target), node.value, node)
                else:
                    add(node.target, "augassign", None, node.value, node)
            elif type(node.target) is cst.Subscript:
                add(node.target.value, "delitem", subscript_key(node.target), None, node)
        for call in model.calls():
            func = call.func
            if type(func) is cst.Attribute and func.attr.value in MUTATING_METHODS:
                first = call.args[0].value if call.args and not call.args[0].star else None
                key = literal_text(first) if first is not None and func.attr.value in ("setdefault", "pop") else None
                value = first
                if func.attr.value == "setdefault" and len(call.args) >= 2:
                    value = call.args[1].value
                add(func.value, func.attr.value, key, value, call)
        self._mutations = found
        return found


def mutations_of(model: ModuleModel, container: cst.BaseExpression) -> list[Mutation]:
    """Every in-place change to the container `container` names, where that name lives."""
    text = dotted_text(container)
    if text is None:
        return []
    index = module_index(model)
    return list(index.mutations().get((index.owner(container, text), text), ()))


def module_index(model: ModuleModel) -> ModuleIndex:
    """The per-module lookups (classes, helpers, returns, container changes): `model.index`, built once."""
    return model.index
