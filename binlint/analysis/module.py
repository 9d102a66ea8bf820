"""The per-module model every rule reads: imports, bindings, names resolved, Binance evidence.

Built once per parsed module. Resolution follows imports, not variable names:
`post` is `requests.post` because of `from requests import post`; `client` is a
python-binance client because it was assigned `Client(...)` (or annotated so).
Positions are computed only when a finding needs one.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, cast

import libcst as cst
from libcst.metadata import CodeRange

from binlint.analysis import binance
from binlint.analysis.carry import NodeCache
from binlint.analysis.values import DictShape, ModuleIndex, dotted_text, string_value
from binlint.analysis.walk import TreeIndex
from binlint.constructors import plain_init

if TYPE_CHECKING:
    from binlint.analysis.flow import ScopeFlow
    from binlint.analysis.objects import ObjectIndex
    from binlint.analysis.positions import SourcePositions, _Piece
    from binlint.analysis.project import ProjectView

Scope = cst.Module | cst.FunctionDef | cst.Lambda
_BUILTINS = frozenset(dir(builtins))
_MAX_DEPTH = 6
# Hot paths test node classes with `type(x) is C` / `type(x) in (...)`: libcst's node classes
# are ABCs, so a failed isinstance() runs Python code, and these classes have no subclasses
# (tests/test_walk.py checks that), which makes the two tests the same.
_NAME_TYPES = (cst.Name, cst.Attribute)


@plain_init
@dataclass(frozen=True, slots=True)
class Binding:
    """`name = value` (or `self.name = value`) at one place."""

    value: cst.BaseExpression | None  # None: bound by for/except/import/del, value unknown
    statement: cst.CSTNode
    order: int


class ModuleModel:
    """What one Python module does, computed once and shared by every rule."""

    def __init__(self, module: cst.Module, path: str, source: str, project: "ProjectView | None" = None) -> None:
        self.module = module
        self.path = path
        self.source = source
        self.project = project  # the rest of the project, when a project index was built
        self.tree = TreeIndex(module)
        self.imports: dict[str, str] = {}
        self._scope_bindings: dict[int, dict[str, list[Binding]]] = defaultdict(lambda: defaultdict(list))
        self._self_bindings: dict[int, dict[str, list[Binding]]] = defaultdict(lambda: defaultdict(list))
        self._param_annotations: dict[int, cst.BaseExpression] = {}
        self._positions: "SourcePositions | None" = None
        self._bindings_memo: dict[int, tuple[cst.BaseExpression, list[Binding]]] = {}
        self._qualnames: dict[int | tuple[int, int], tuple[cst.BaseExpression, str | None]] = {}
        self._name_bindings: dict[tuple[int, str], list[Binding]] = {}
        self._params: dict[int, tuple[cst.FunctionDef, set[str]]] = {}
        self._flows: dict[int, "ScopeFlow"] = {}
        self._agreed: dict[int, tuple[list[Binding], cst.BaseExpression | None]] = {}
        self.shapes: dict[int, tuple[cst.BaseExpression, DictShape | None]] = {}  # `values.dict_shape`, once
        self._collect_imports()
        self._collect_bindings()

    # --- positions ------------------------------------------------------------

    @property
    def _placer(self) -> "SourcePositions":
        if self._positions is None:
            from binlint.analysis.positions import SourcePositions

            self._positions = SourcePositions(self.module, self.source, self.tree)
        return self._positions

    def position(self, node: cst.CSTNode) -> CodeRange:
        """Where `node` is (1-based lines, 0-based columns, as libcst gives them)."""
        return self._placer.range(node)

    def placed_lines(self) -> "list[tuple[cst.SimpleStatementLine, int, int, _Piece]]":
        """The simple statement lines placed so far to answer `position` and `line`: (statement, start, end,
        its code with the spans of its nodes)."""
        return self._positions.placed_lines() if self._positions is not None else []

    def line(self, node: cst.CSTNode) -> int:
        """The line `node` starts on (found without placing a compound statement's whole body)."""
        return self._placer.start(node).line

    def code(self, node: cst.CSTNode) -> str:
        """The source text of `node` (as `Module.code_for_node` generates it)."""
        return _node_code(self.module, node)

    def short(self, node: cst.CSTNode, limit: int = 50, ellipsis: str = "...") -> str:
        """`short_text(self.code(node), limit, ellipsis)`, generating no more of the code than it shows."""
        from binlint.analysis.loops import short_text

        if self._positions is not None and isinstance(node, cst.BaseExpression) and not node.lpar:
            # The text of a statement placed for a finding (a range leaves out the node's own parentheses).
            placed = self._positions.placed_code(node)
            if placed is not None:
                return short_text(placed, limit, ellipsis)
        return short_text(_code_head(self.module, node, limit), limit, ellipsis)

    # --- structure --------------------------------------------------------------

    @cached_property
    def index(self) -> ModuleIndex:
        """The per-module lookups of `analysis/values.py` (classes, helpers, returns, container changes)."""
        return ModuleIndex(self)

    @cached_property
    def objects(self) -> "ObjectIndex":
        """What `analysis/objects.py` works out about request objects in this module."""
        from binlint.analysis.objects import ObjectIndex

        return ObjectIndex(self)

    # Asked for every name: the enclosing-node lookups, each made once for its type set.
    @cached_property
    def _nearest_scope(self) -> Callable[[cst.CSTNode], cst.FunctionDef | cst.Lambda | None]:
        return cast("Callable[[cst.CSTNode], cst.FunctionDef | cst.Lambda | None]",
                    self.tree.nearest_of(cst.FunctionDef, cst.Lambda))

    @cached_property
    def _nearest_function(self) -> Callable[[cst.CSTNode], cst.FunctionDef | None]:
        return self.tree.nearest_of(cst.FunctionDef)

    @cached_property
    def _nearest_class(self) -> Callable[[cst.CSTNode], cst.ClassDef | None]:
        return self.tree.nearest_of(cst.ClassDef)

    def scope_of(self, node: cst.CSTNode) -> Scope:
        """The function (or lambda) a node runs in, else the module."""
        found = self._nearest_scope(node)
        return found if found is not None else self.module

    def function_of(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        return self._nearest_function(node)

    def class_of(self, node: cst.CSTNode) -> cst.ClassDef | None:
        """The class whose method (or body) holds `node`."""
        return self._nearest_class(node)

    def statement_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The simple or compound statement that holds `node`."""
        for ancestor in (node, *self.tree.ancestors(node)):
            if isinstance(ancestor, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                return ancestor
        return node

    def functions(self) -> list[cst.FunctionDef]:
        return self.tree.of_type(cst.FunctionDef)

    def calls(self) -> list[cst.Call]:
        return self.tree.of_type(cst.Call)

    # --- imports ------------------------------------------------------------------

    def _collect_imports(self) -> None:
        imports: list[cst.Import | cst.ImportFrom] = self.tree.of_type(cst.Import, cst.ImportFrom)
        for node in imports:
            if isinstance(node, cst.Import):
                for alias in node.names:
                    full = dotted_text(alias.name)
                    if full is None:
                        continue
                    if alias.asname is not None and type(alias.asname.name) is cst.Name:
                        self.imports[alias.asname.name.value] = full
                    else:
                        top = full.split(".", 1)[0]
                        self.imports.setdefault(top, top)
            else:
                base = dotted_text(node.module) if node.module is not None else ""
                if base is None or isinstance(node.names, cst.ImportStar):
                    continue
                prefix = "." * len(node.relative) + base
                for alias in node.names:
                    name = dotted_text(alias.name)
                    if name is None:
                        continue
                    local = name
                    if alias.asname is not None and type(alias.asname.name) is cst.Name:
                        local = alias.asname.name.value
                    self.imports[local] = f"{prefix}.{name}" if prefix else name

    def imported_modules(self) -> set[str]:
        return set(self.imports.values())

    # --- bindings -------------------------------------------------------------------

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression | None, statement: cst.CSTNode) -> None:
        order = self.tree.order(statement)
        if type(target) is cst.Name:
            scope = self.scope_of(statement)
            self._scope_bindings[id(scope)][target.value].append(Binding(value, statement, order))
        elif type(target) is cst.Attribute and type(target.value) is cst.Name:
            function = self.function_of(statement)
            klass = self.class_of(statement)
            if function is not None and klass is not None and _first_param(function) == target.value.value:
                self._self_bindings[id(klass)][target.attr.value].append(Binding(value, statement, order))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                inner = element.value
                if type(inner) is cst.StarredElement:
                    inner = inner.value
                self._bind(inner, None, statement)

    def _collect_bindings(self) -> None:
        for node in self.tree.of_type(cst.Assign, cst.AnnAssign, cst.AugAssign, cst.WithItem, cst.For, cst.Param,
                                      cst.NamedExpr):
            if type(node) is cst.Assign:
                for target in node.targets:
                    self._bind(target.target, node.value, node)
            elif type(node) is cst.AnnAssign:
                if node.value is not None:
                    self._bind(node.target, node.value, node)
            elif type(node) is cst.AugAssign:
                self._bind(node.target, None, node)
            elif type(node) is cst.WithItem:
                if node.asname is not None:
                    self._bind(node.asname.name, node.item, node)
            elif type(node) is cst.For:
                self._bind(node.target, None, node)
            elif type(node) is cst.NamedExpr:
                self._bind(node.target, node.value, node)
            elif type(node) is cst.Param and node.annotation is not None:
                self._param_annotations[id(node)] = node.annotation.annotation
        # Class-level assignments are attributes reachable through self.
        for klass in self.tree.of_type(cst.ClassDef):
            for statement in klass.body.body:
                if type(statement) is cst.SimpleStatementLine:
                    for small in statement.body:
                        if type(small) is cst.Assign:
                            for target in small.targets:
                                if type(target.target) is cst.Name:
                                    self._self_bindings[id(klass)][target.target.value].append(
                                        Binding(small.value, small, self.tree.order(small))
                                    )
                        elif type(small) is cst.AnnAssign and small.value is not None:
                            if type(small.target) is cst.Name:
                                self._self_bindings[id(klass)][small.target.value].append(
                                    Binding(small.value, small, self.tree.order(small))
                                )

    def bindings(self, expr: cst.BaseExpression) -> list[Binding]:
        """Every assignment that can give `expr` (a name or `self.attr`) its value."""
        # Asked many times for the same names: remembered (the node is kept in the entry,
        # so its id cannot be reused while the entry lives).
        known = self._bindings_memo.get(id(expr))
        if known is not None and known[0] is expr:
            return known[1]
        found = self._find_bindings(expr)
        self._bindings_memo[id(expr)] = (expr, found)
        return found

    def _find_bindings(self, expr: cst.BaseExpression) -> list[Binding]:
        if type(expr) is cst.Name:
            # The same for every use of a name in one scope: remembered per (scope, name);
            # scopes are nodes of the tree, so their ids stay theirs.
            scope = self.scope_of(expr)
            key = (id(scope), expr.value)
            known = self._name_bindings.get(key)
            if known is None:
                known = self._name_bindings[key] = self._bindings_from(scope, expr.value)
            return known if known else []
        if type(expr) is cst.Attribute and type(expr.value) is cst.Name:
            function = self.function_of(expr)
            klass = self.class_of(expr)
            if klass is not None and function is not None and _first_param(function) == expr.value.value:
                return self._self_bindings.get(id(klass), {}).get(expr.attr.value, [])
        return []

    def _bindings_from(self, scope: Scope, name: str) -> list[Binding]:
        """The bindings of `name` seen from `scope`: its own, else those of the scopes around it."""
        while True:
            found = self._scope_bindings.get(id(scope), {}).get(name)
            if found:
                return found
            if type(scope) is cst.FunctionDef and name in self.param_names(scope):
                return []
            if scope is self.module:
                return []
            scope = self.scope_of(scope)

    def param_names(self, function: cst.FunctionDef) -> set[str]:
        known = self._params.get(id(function))
        if known is None or known[0] is not function:
            known = self._params[id(function)] = (function, _param_names(function))
        return known[1]

    def scope_bindings(self, scope: Scope, name: str) -> list[Binding]:
        return self._scope_bindings.get(id(scope), {}).get(name, [])

    def flow(self, scope: Scope) -> "ScopeFlow":
        """The reaching definitions of `scope`, found on first use."""
        found = self._flows.get(id(scope))
        if found is None:
            from binlint.analysis.flow import ScopeFlow

            found = self._flows[id(scope)] = ScopeFlow(self, scope, self._scope_bindings.get(id(scope), {}))
        return found

    def reaching(self, name: cst.Name) -> tuple[Binding, ...] | None:
        """The bindings that can give this use of a name its value, as control flows within its
        scope; () when none does (a parameter, or a use before any assignment); None when the
        use is not one the flow pass follows (then every binding of the name may)."""
        if type(name) is not cst.Name:
            return None
        return self._reaching_in(self.flow(self.scope_of(name)), name)

    @staticmethod
    def _reaching_in(flow: "ScopeFlow", name: cst.Name) -> tuple[Binding, ...] | None:
        """`reaching(name)`, from the flow of the name's scope."""
        found = flow.uses.get(id(name))
        return found[1] if found is not None and found[0] is name else None

    def value_of(self, expr: cst.BaseExpression, depth: int = 0) -> cst.BaseExpression:
        """Follow a name or `self.attr` to the one value it holds where it is used.

        A name follows the assignments that reach the use (see `flow`) when they all assign
        the same expression text and none reads the name itself (`q = q + "&x=1"`, left to
        callers that join such chains); elsewhere exactly one known assignment, or several
        that all assign the same text (a module constant set twice to one value).
        """
        current = expr
        for _ in range(_MAX_DEPTH):
            if type(current) not in _NAME_TYPES:
                return current
            value = self._one_value(current)
            if value is None:
                return current
            current = value
        return current

    def _one_value(self, expr: cst.BaseExpression) -> cst.BaseExpression | None:
        if type(expr) is cst.Name:
            flow = self.flow(self.scope_of(expr))  # kept: its self-referring bindings are read below
            reaching = self._reaching_in(flow, expr)
            if reaching is not None:
                if not reaching:
                    return None
                if any(b.value is None or id(b) in flow.self_referring for b in reaching):
                    return None
                return self._agreeing(reaching)
        found = self.bindings(expr)
        if len(found) == 1:
            return found[0].value
        if len(found) > 1 and type(expr) is cst.Name:
            known = self._agreed.get(id(found))
            if known is None or known[0] is not found:
                referring = self.flow(self.scope_of(found[0].statement)).self_referring
                agreed = None if any(id(b) in referring for b in found) else self._agreeing(found)
                known = self._agreed[id(found)] = (found, agreed)
            return known[1]
        return None

    def _agreeing(self, bindings: Sequence[Binding]) -> cst.BaseExpression | None:
        """The value the bindings assign when they all assign the same text, else None."""
        last = bindings[-1].value
        if len(bindings) == 1 or last is None:
            return last
        text = self.code(last).strip()
        for binding in bindings[:-1]:
            if binding.value is None or self.code(binding.value).strip() != text:
                return None
        return last

    def param_annotation(self, name: cst.Name) -> cst.BaseExpression | None:
        """The annotation of the parameter a bare name refers to, if any."""
        function = self.function_of(name)
        if function is None:
            return None
        for param in (*function.params.params, *function.params.kwonly_params, *function.params.posonly_params):
            if param.name.value == name.value and param.annotation is not None:
                return param.annotation.annotation
        return None

    # --- names -----------------------------------------------------------------------

    def qualname(self, expr: cst.BaseExpression, depth: int = 0) -> str | None:
        """The qualified name an expression denotes: an import path, or the class of an instance.

        `requests.post` -> "requests.post"; `client.create_order` where
        `client = Client(...)` -> "binance.client.Client.create_order";
        `getattr(ccxt, "binance")` -> "ccxt.binance".
        """
        # Asked of the same names and values by every analysis: remembered per depth (the
        # cut-off at _MAX_DEPTH makes the depth part of the question; most questions are asked at
        # depth 0, keyed by the id alone). The expression is kept in the entry, so its id cannot be
        # reused while the entry lives.
        key: int | tuple[int, int] = (id(expr), depth) if depth else id(expr)
        known = self._qualnames.get(key)
        if known is not None and known[0] is expr:
            return known[1]
        found = self._qualname(expr, depth)
        self._qualnames[key] = (expr, found)
        return found

    def _qualname(self, expr: cst.BaseExpression, depth: int) -> str | None:
        if depth > _MAX_DEPTH:
            return None
        if type(expr) is cst.Name:
            name = expr.value
            if name in self.imports:
                target = self.imports[name]
                if self.project is not None:
                    return self._from_project(target) or target
                return target
            found = self.bindings(expr)
            if found:
                for binding in reversed(found):
                    if binding.value is not None and not _is_none(binding.value):
                        resolved = self._qualname_of_value(binding.value, depth + 1)
                        if resolved:
                            return resolved
                return None
            annotation = self.param_annotation(expr)
            if annotation is not None:
                return self.qualname(_unwrap_optional(annotation), depth + 1)
            if self.project is not None:
                known = self._project_name(expr)
                if known is not None:
                    return known
            if name in _BUILTINS:
                return f"builtins.{name}"
            return None
        if type(expr) is cst.Attribute:
            if type(expr.value) is cst.Name and self.bindings(expr):
                for binding in reversed(self.bindings(expr)):
                    if binding.value is not None and not _is_none(binding.value):
                        resolved = self._qualname_of_value(binding.value, depth + 1)
                        if resolved:
                            return resolved
            if self.project is not None and type(expr.value) is cst.Name:
                known = self._project_self_attribute(expr)
                if known is not None:
                    return known
            base = self.qualname(expr.value, depth + 1)
            if base and self.project is not None:
                dotted = f"{base}.{expr.attr.value}"
                return self._from_project(dotted) or dotted
            return f"{base}.{expr.attr.value}" if base else None
        if type(expr) is cst.Call:
            return self._getattr_name(expr, depth)
        if type(expr) is cst.Await:
            return self.qualname(expr.expression, depth + 1)
        return None

    def _qualname_of_value(self, value: cst.BaseExpression, depth: int) -> str | None:
        if type(value) is cst.Await:
            value = value.expression
        if type(value) is cst.Call:
            by_getattr = self._getattr_name(value, depth)
            if by_getattr:
                return by_getattr
            return self.instance_type(value, depth)
        if type(value) in _NAME_TYPES:
            return self.qualname(value, depth)
        return None

    def _getattr_name(self, call: cst.Call, depth: int) -> str | None:
        if type(call.func) is cst.Name and call.func.value == "getattr" and len(call.args) >= 2:
            base = self.qualname(call.args[0].value, depth + 1)
            attr = string_value(self, call.args[1].value)
            if base and attr is not None and attr.exact:
                return f"{base}.{attr.text}"
        return None

    def instance_type(self, call: cst.Call, depth: int = 0) -> str | None:
        """The class a call constructs, as a qualified name (`Client(...)` -> its class)."""
        name = self.qualname(call.func, depth + 1)
        if name is None:
            return None
        if self.project is not None:
            made = self.project.returns(name)
            if made is not None and made[0] in ("sdk", "inst"):
                qualified: str = made[1]
                return qualified
        # `await AsyncClient.create(...)` builds an AsyncClient.
        if name.endswith(".create") and binance.sdk_class(name) is not None:
            return name[: -len(".create")]
        return name

    # --- the rest of the project ----------------------------------------------------------

    def _from_project(self, dotted: str) -> str | None:
        """What a dotted name denotes in the project: an SDK class (for a client), a project class
        (for an instance), or the canonical name of a project function, class or module."""
        assert self.project is not None
        found = self.project.lookup(dotted)
        return found[1] if found is not None else None

    def function_key(self, function: cst.FunctionDef) -> str | None:
        """`name` of a top-level function, `Class.name` of a method; None for nested functions."""
        parent = self.tree.parent(function)
        holder = self.tree.parent(parent) if parent is not None else None
        if type(parent) is cst.Module:
            return function.name.value
        if type(holder) is cst.ClassDef and type(self.tree.parent(holder)) is cst.Module:
            return f"{holder.name.value}.{function.name.value}"
        return None

    def _project_name(self, name: cst.Name) -> str | None:
        """A parameter known by what the project's call sites pass, a top-level def of this module,
        or a name a `from x import *` binds."""
        assert self.project is not None
        function = self.function_of(name)
        if function is not None and name.value in self.param_names(function):
            key = self.function_key(function)
            if key is None:
                return None
            found = self.project.param(key, name.value)
            return found[1] if found is not None and found[0] in ("sdk", "inst") else None
        summary = self.project.summary
        kind = summary.table("symbols").get(name.value)
        if kind in ("function", "class") or (kind is None and summary.stars):
            return self._from_project(self.project.local(name.value))  # a star import's name too
        return None

    def _project_self_attribute(self, expr: cst.Attribute) -> str | None:
        """`self.client` known from the class, its bases or subclasses across the project."""
        assert self.project is not None and type(expr.value) is cst.Name
        function = self.function_of(expr)
        klass = self.class_of(expr)
        if function is None or klass is None or _first_param(function) != expr.value.value:
            return None
        if type(self.tree.parent(klass)) is not cst.Module:
            return None
        found = self.project.attribute(klass.name.value, expr.attr.value)
        return found[1] if found is not None else None

    def call_name(self, call: cst.Call) -> str | None:
        """The qualified name of what a call calls."""
        return self.qualname(call.func)

    # --- evidence ----------------------------------------------------------------------

    @cached_property
    def binance_evidence(self) -> tuple[str, ...]:
        """Why this module counts as Binance code (empty when it does not)."""
        reasons: list[str] = []
        for module in self.imports.values():
            if binance.is_sdk_module(module):
                reasons.append(f"imports {module}")
                break
        for text in self.string_literals():
            lower = text.lower()
            if binance.API_KEY_HEADER in lower:
                reasons.append("sends the X-MBX-APIKEY header")
                break
        for text in self.string_literals():
            host = binance.binance_host(text)
            if host:
                reasons.append(f"talks to {host}")
                break
        if not reasons:
            for call in self.calls():
                cls = binance.sdk_class(self.call_name(call))
                if cls is not None:
                    reasons.append(f"uses {cls.sdk}")
                    break
        if not reasons and self.project is not None and self.project.pulled:
            # A module with no Binance word that Binance code imports: Binance code when a
            # client from elsewhere in the project is used here.
            for call in self.calls():
                func = call.func
                if type(func) is cst.Attribute:
                    receiver = func.value
                    name = self.instance_type(receiver) if type(receiver) is cst.Call else self.qualname(receiver)
                    cls = binance.sdk_class(name)
                    if cls is not None:
                        reasons.append(f"uses a {cls.sdk} client from elsewhere in the project")
                        break
        if not reasons and self.project is not None:
            from binlint.analysis.helper_index import imported_helpers

            helpers = imported_helpers(self.project)
            for call in self.calls() if helpers else ():
                name = self.call_name(call) or ""
                helper = helpers.get(name)
                if helper is not None and any(send.binance for send in helper.sends):
                    reasons.append(f"calls the Binance request helper `{name}` from elsewhere in the project")
                    break
        return tuple(reasons)

    @property
    def is_binance(self) -> bool:
        return bool(self.binance_evidence)

    def string_literals(self) -> Iterator[str]:
        """The raw text of every string literal and f-string part (quotes included)."""
        for node in self.tree.of_type(cst.SimpleString):
            yield node.value
        for part in self.tree.of_type(cst.FormattedStringText):
            yield part.value


# The code of nodes of the last modules (all a node's code depends on besides the node is the
# module's newline and indentation): nodes an edited document keeps are not generated again.
_CODES: NodeCache[str] = NodeCache()


def _node_code(module: cst.Module, node: cst.CSTNode) -> str:
    return _CODES.get(module, node, lambda: module.code_for_node(node), (module.default_newline, module.default_indent))


class _Enough(Exception):
    """Raised when enough of a node's code is generated."""


_HEAD_STATE: Any = None


def _code_head(module: cst.Module, node: cst.CSTNode, limit: int) -> str:
    """The code of `node`, or its start once that holds more than `limit` characters that are not
    whitespace: enough for `short_text` to cut it as it cuts the whole code."""
    global _HEAD_STATE
    if _HEAD_STATE is None:
        from libcst._nodes.internal import CodegenState

        class _HeadState(CodegenState):
            limit = 0
            seen = 0

            def add_token(self, value: str) -> None:
                super().add_token(value)
                self.seen += len(value) - sum(map(str.isspace, value))
                if self.seen > self.limit:
                    raise _Enough

        _HEAD_STATE = _HeadState
    state = _HEAD_STATE(default_indent=module.default_indent, default_newline=module.default_newline)
    state.limit = limit
    try:
        node._codegen(state)
    except _Enough:
        pass
    return "".join(state.tokens)


def _is_none(node: cst.BaseExpression) -> bool:
    """`None`: a placeholder until the real value is assigned, never what a name resolves to."""
    return type(node) is cst.Name and node.value == "None"


def _param_names(function: cst.FunctionDef) -> set[str]:
    params = function.params
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for star in (params.star_arg, params.star_kwarg):
        if type(star) is cst.Param:
            names.add(star.name.value)
    return names


def _first_param(function: cst.FunctionDef) -> str | None:
    params: Sequence[cst.Param] = (*function.params.posonly_params, *function.params.params)
    return params[0].name.value if params else None


def _unwrap_optional(annotation: cst.BaseExpression) -> cst.BaseExpression:
    """`Client | None` and `Optional[Client]` -> `Client`."""
    if type(annotation) is cst.BinaryOperation and type(annotation.operator) is cst.BitOr:
        left = annotation.left
        return left if not (type(left) is cst.Name and left.value == "None") else annotation.right
    if type(annotation) is cst.Subscript and len(annotation.slice) == 1:
        element = annotation.slice[0].slice
        if type(element) is cst.Index:
            return element.value
    if type(annotation) is cst.SimpleString:
        return annotation
    return annotation
