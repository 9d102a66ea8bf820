"""Request objects: a value built by a class of the module and read field by field.

An in-house request layer often packs a call's arguments into an object and sends its
fields later:

    request = Request(method, path, params, on_failed)   # Request.__init__: self.path = path ...
    self._process(request)                               # ... session.request(request.method, base + request.path)

`field_reads(model, function)` lists the fields of `function`'s parameters it reads
(`request.method`, `request.path`, `request.params`): the request-helper summary binds
each as a parameter of its own ("request.path"). `constructed_field(model, expr, name)`
answers the other side: what `expr` (a `Request(...)` call, or a name bound to one) holds in
field `name`, from the argument its constructor stores there (`self.path = path`).
A field is followed through a call that gives the object back (`request = self.sign(request)`).
`passes_whole(model, function, name, before)` says whether `function` hands the object itself
to another call before it is sent (a `sign(request)` callback may add to its fields).
`handed_calls(model)` lists the calls that run a function of the module through an executor
(`pool.apply_async(self._process, [request])`, `executor.submit(...)`, `Thread(target=...,
args=...)`), as calls of that function, so a layer that queues its requests is composed like
one that calls its sender directly. Each answer reads one function or one pass over the calls.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst

from binlint.analysis.values import bind_arguments, module_index

if TYPE_CHECKING:
    from binlint.analysis.module import ModuleModel


def field_reads(model: "ModuleModel", function: cst.FunctionDef, params: list[str]) -> list[str]:
    """`param.field` for every field of a parameter in `params` that `function` reads, in order."""
    wanted = set(params)
    found: dict[str, None] = {}
    for node in model.tree.within(function, cst.Attribute):
        base = node.value
        if type(base) is cst.Name and base.value in wanted and model.function_of(node) is function:
            found[f"{base.value}.{node.attr.value}"] = None
    return list(found)


def passes_whole(model: "ModuleModel", function: cst.FunctionDef, name: str, before: cst.CSTNode) -> bool:
    """Whether `function` passes its parameter `name` itself to a call that runs before `before`."""
    limit = model.tree.order(before)
    for node in model.tree.within(function, cst.Arg):
        value = node.value
        if type(value) is cst.Name and value.value == name and 0 <= model.tree.order(node) < limit \
                and model.function_of(node) is function:
            return True
    return False


_HANDING = {"apply_async": "list", "apply": "list", "submit": "rest", "run_in_executor": "after-executor"}


def handed_calls(model: "ModuleModel") -> dict[int, list[tuple[cst.Call, cst.Call]]]:
    """Calls that run a function of the module through an executor, by the id of that function:
    (the call as written, a call of the function with the arguments it is given). Read:
    `pool.apply_async(self._process, [request])`, `executor.submit(self._process, request)`,
    `loop.run_in_executor(None, self._process, request)`, `Thread(target=self._process, args=(request,))`."""
    return model.objects.handed_calls


def _handed_calls(model: "ModuleModel") -> dict[int, list[tuple[cst.Call, cst.Call]]]:
    found: dict[int, list[tuple[cst.Call, cst.Call]]] = {}
    for call in model.calls():
        func = call.func
        handing = _HANDING.get(func.attr.value) if type(func) is cst.Attribute else None
        target: cst.BaseExpression | None = None
        values: list[cst.BaseExpression] = []
        if handing is not None and call.args and all(a.keyword is None and not a.star for a in call.args):
            args = [a.value for a in call.args]
            if handing == "after-executor":
                args = args[1:]
            if args:
                target, rest = args[0], args[1:]
                if handing != "list":
                    values = rest
                elif len(rest) == 1 and _elements(rest[0]) is not None:
                    values = _elements(rest[0]) or []
                elif rest:
                    target = None  # arguments the source does not list
        elif type(func) is cst.Name and func.value == "Thread" or (
                type(func) is cst.Attribute and func.attr.value == "Thread"):
            keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
            target = keywords.get("target")
            given = keywords.get("args")
            values = list(_elements(given) or ()) if given is not None else []
        if target is None or type(target) not in (cst.Name, cst.Attribute):
            continue
        bound = cst.Call(func=target, args=[cst.Arg(value) for value in values])
        function = _function_named(model, call, target)
        if function is not None:
            found.setdefault(id(function), []).append((call, bound))
    for put, bound, function in _queue_hops(model):
        found.setdefault(id(function), []).append((put, bound))
    return found


def _queue_hops(model: "ModuleModel") -> list[tuple[cst.Call, cst.Call, cst.FunctionDef]]:
    """`self.queue.put(request)` where a worker does `item = self.queue.get(); self._process(item)`:
    (the put, the worker's call with the put value in place of the item, the function it calls)."""
    from binlint.analysis.values import called_function, dotted_text

    puts: dict[str, list[cst.Call]] = {}
    gets: dict[str, list[tuple[cst.Call, str]]] = {}
    for call in model.calls():
        func = call.func
        if type(func) is not cst.Attribute or func.attr.value not in ("put", "put_nowait", "get", "get_nowait"):
            continue
        queue = dotted_text(func.value)
        if queue is None or not queue.startswith("self."):
            continue
        if func.attr.value.startswith("put") and len(call.args) == 1:
            puts.setdefault(queue, []).append(call)
        elif func.attr.value.startswith("get"):
            holder = model.tree.parent(model.tree.parent(call) or call)  # Await or Assign
            assign = model.tree.parent(call) if type(model.tree.parent(call)) is cst.Assign else holder
            if type(assign) is cst.Assign and len(assign.targets) == 1 and type(assign.targets[0].target) is cst.Name:
                gets.setdefault(queue, []).append((call, assign.targets[0].target.value))
    found: list[tuple[cst.Call, cst.Call, cst.FunctionDef]] = []
    for queue, taken in gets.items():
        for get, item in taken:
            worker = model.function_of(get)
            if worker is None or queue not in puts:
                continue
            for call in model.tree.within(worker, cst.Call):
                function = called_function(model, call)
                if function is None or not any(type(a.value) is cst.Name and a.value.value == item for a in call.args):
                    continue
                for put in puts[queue]:
                    given = put.args[0].value
                    args = [a.with_changes(value=given) if type(a.value) is cst.Name and a.value.value == item else a
                            for a in call.args]
                    found.append((put, cst.Call(func=call.func, args=args), function))
    return found


def _elements(expr: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    if type(expr) in (cst.List, cst.Tuple):
        return [e.value for e in expr.elements]  # type: ignore[attr-defined]
    return None


def _function_named(model: "ModuleModel", at: cst.Call, target: cst.BaseExpression) -> cst.FunctionDef | None:
    """The function of the module `target` names where `at` is: `helper`, `self.method`."""
    index = module_index(model)
    if type(target) is cst.Name:
        if target.value in model.imports:
            return None
        return index.module_functions.get(target.value)
    if type(target) is cst.Attribute and type(target.value) is cst.Name and target.value.value in ("self", "cls"):
        klass = model.class_of(at)
        return index.methods.get((id(klass), target.attr.value)) if klass is not None else None
    return None


def constructed_field(model: "ModuleModel", expr: cst.BaseExpression | None, name: str, depth: int = 0
                      ) -> cst.BaseExpression | None:
    """What field `name` of the object `expr` holds, when `expr` is (a name bound to) a call of a
    class of this module whose `__init__` stores an argument there (`self.path = path`); through
    a call that takes the object and gives it back (`request = self.sign(request)`)."""
    if type(expr) is cst.Name:
        name_expr = expr
        reaching = model.reaching(expr)
        value = reaching[0].value if reaching and len(reaching) == 1 else None
        expr = value if value is not None else model.value_of(expr)
        if type(expr) is cst.Call and depth < 3 and len(expr.args) == 1 and type(expr.args[0].value) is cst.Name \
                and expr.args[0].value.value == name_expr.value and expr.args[0].value is not name_expr:
            inner = constructed_field(model, expr.args[0].value, name, depth + 1)
            if inner is not None:
                return inner
    if type(expr) is not cst.Call or type(expr.func) is not cst.Name:
        return None
    index = module_index(model)
    klass = index.classes.get(expr.func.value)
    if klass is None or expr.func.value in model.imports:
        return None
    init = index.methods.get((id(klass), "__init__"))
    if init is None:
        return None
    stored = _stored_fields(model, init).get(name)
    if stored is None:
        return None
    arguments = bind_arguments(cst.Call(cst.Attribute(cst.Name("self"), cst.Name("__init__")), expr.args), init)
    return arguments.get(stored)


def given_for(model: "ModuleModel", arguments: dict[str, cst.BaseExpression], param: str
              ) -> cst.BaseExpression | None:
    """What a call passes for a parameter, or for a field of an object parameter ("request.path":
    the argument the object's constructor stores in `path`)."""
    if "." not in param:
        return arguments.get(param)
    base, name = param.split(".", 1)
    return constructed_field(model, arguments.get(base), name)


def _stored_fields(model: "ModuleModel", init: cst.FunctionDef) -> dict[str, str]:
    """field -> the `__init__` parameter stored in it as it is (`self.path = path`)."""
    memo = model.objects.stored_fields
    known = memo.get(id(init))
    if known is not None:
        return known
    params = {p.name.value for p in (*init.params.posonly_params, *init.params.params, *init.params.kwonly_params)}
    found: dict[str, str] = {}
    for assign in model.tree.within(init, cst.Assign):
        if len(assign.targets) != 1:
            continue
        target = assign.targets[0].target
        if type(target) is cst.Attribute and type(target.value) is cst.Name and target.value.value == "self" \
                and type(assign.value) is cst.Name and assign.value.value in params:
            found.setdefault(target.attr.value, assign.value.value)
    memo[id(init)] = found
    return found


class ObjectIndex:
    """What this module answers about request objects, kept with the module's model
    (`ModuleModel.objects`): the executor hops, made on first use, and each `__init__`'s stored fields."""

    def __init__(self, model: "ModuleModel") -> None:
        self.model = model
        self.stored_fields: dict[int, dict[str, str]] = {}

    @cached_property
    def handed_calls(self) -> dict[int, list[tuple[cst.Call, cst.Call]]]:
        return _handed_calls(self.model)


__all__ = ["ObjectIndex", "constructed_field", "field_reads", "given_for", "handed_calls", "passes_whole"]
