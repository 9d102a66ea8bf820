"""What one module offers the rest of the project: a small, serialisable summary per module.

Built by `summarise(source, module, is_package)` from Python's own `ast` (a C parser, many
times cheaper than a libcst tree), once per changed file, and cached by content hash next to
the result cache (`binlint.project`). Nothing here holds a syntax tree: a `ModuleSummary` is
frozen dataclasses of str, bool and tuples, so it pickles to workers and goes to JSON as is.

What a module summary holds:

- `imports` — local name -> absolute dotted target (relative imports resolved), so package
  `__init__` re-exports (`from .exchange import client`) are followed by the index.
- `stars` — the modules a `from x import *` names (absolute); `exports` — the names a
  literal `__all__` lists (None without one), which is what a star import of this module binds.
- `symbols` — the module's top-level names and what each is: `class`, `function`, `value`.
- `constants` — top-level string/number constants and their values. A key-shaped or
  PEM value is never stored: its name goes to `secret_constants` instead (summaries are
  written to disk, and secrets never are).
- `values` — key -> references: what a module global (`client`), a class attribute
  (`Bot.client`, from the class body or any `self.client = ...` in its methods) can hold.
- `returns` — function key (`get_client`, `Bot._create_client`) -> references returned.
- `classes` — class -> its bases (absolute dotted names); `params` — function key -> its
  positional parameter names (for matching call-site arguments).
- `calls` — call sites of project functions and classes with their arguments
  (callee reference, position or keyword, argument reference), so a parameter is known
  by what its callers pass.
- `key_sinks` — dotted names from other modules passed to an SDK key or secret argument
  (`Client(config.API_KEY, ...)`): the constant in `config.py` is then a key.
- `extra` — `(kind, payload)` pairs from extra summarisers: the place for further
  per-module facts (signed-request helpers, retry helpers, ...). Register one with
  `register_summariser(kind, function)`; `function(tree, context)` returns a payload of
  plain data (str/int/bool/None and tuples of them) or None, and the index reads it back
  with `ModuleSummary.extra_of(kind)`.

A reference (`Ref`) is a tuple of strings (nested for calls), resolved by the index:
`("sdk", qualified SDK class)` an SDK client built here; `("name", dotted)` the value of a
dotted name; `("call", ref)` what calling `ref` gives; `("param", function, name)` a
parameter (known from call sites); `("self", class, attribute)` an attribute of an
instance of a project class; `("getattr", ref, attribute)` an attribute of a value.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Iterator, MutableMapping, cast

from binlint.analysis import binance
from binlint.analysis.http_facts import SESSION_CLASSES

Ref = tuple[Any, ...]  # ("sdk", q) | ("name", d) | ("call", Ref) | ("param", f, n) | ("self", C, a) | ("getattr", Ref, a)
Payload = Any  # plain data: str, int, bool, None and (nested) tuples of them

FORMAT = 5  # bump when the summary's shape or meaning changes


@dataclass(frozen=True)
class CallSite:
    """`callee(..., arg, ...)` where the argument is something the index may resolve."""

    callee: Ref
    position: int  # -1 for a keyword argument
    keyword: str
    argument: Ref


@dataclass(frozen=True)
class ModuleSummary:
    """What a module offers the project (see the module docstring)."""

    module: str
    is_package: bool = False
    binance: bool = False  # the module's bytes passed the gate
    imports: tuple[tuple[str, str], ...] = ()
    symbols: tuple[tuple[str, str], ...] = ()
    constants: tuple[tuple[str, str | int | float], ...] = ()
    secret_constants: tuple[str, ...] = ()
    values: tuple[tuple[str, tuple[Ref, ...]], ...] = ()
    returns: tuple[tuple[str, tuple[Ref, ...]], ...] = ()
    classes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    params: tuple[tuple[str, tuple[str, ...]], ...] = ()
    calls: tuple[CallSite, ...] = ()
    key_sinks: tuple[tuple[str, str], ...] = ()
    extra: tuple[tuple[str, Payload], ...] = ()
    stars: tuple[str, ...] = ()
    exports: tuple[str, ...] | None = None
    _maps: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def table(self, name: str) -> dict[str, Any]:
        """A field of (key, value) pairs as a dict, built once."""
        known = self._maps.get(name)
        if known is None:
            known = self._maps[name] = dict(getattr(self, name))
        return known

    def exported(self, name: str) -> bool:
        """Whether `from <this module> import *` binds `name` (its `__all__`, else its public names)."""
        if self.exports is not None:
            return name in self.exports
        if name.startswith("_"):
            return False
        return name in self.table("symbols") or name in self.table("imports") or name in self.table("values")

    def fingerprint(self) -> str:
        """A hash of the summary (what a dependant's cached result depends on), made once; kept with
        the summary in the cache."""
        known = self._maps.get("#")
        if known is None:
            text = json.dumps(self.to_json(), sort_keys=True, default=str)
            known = self._maps["#"] = {"": hashlib.blake2b(text.encode(), digest_size=12).hexdigest()}
        return str(known[""])

    def extra_of(self, kind: str) -> Payload | None:
        """The payload an extra summariser of `kind` left for this module, if any."""
        return self.table("extra").get(kind)

    # --- to and from JSON ------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "_maps":
                continue
            value = getattr(self, f.name)
            if f.name == "calls":
                value = [[c.callee, c.position, c.keyword, c.argument] for c in value]
            data[f.name] = value
        return data

    def stored_text(self) -> str:
        """The JSON text the summary cache keeps (`SummaryMap.put_stored` reads it back)."""
        return json.dumps(self.to_json(), separators=(",", ":"))

    @classmethod
    def from_json(cls, data: dict[str, Any], fingerprint: str | None = None) -> "ModuleSummary":
        """Raises ValueError/TypeError/KeyError when `data` is malformed. `fingerprint`: what
        `fingerprint()` gave when the summary was stored."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "_maps":
                continue
            raw = data[f.name]
            if f.name == "calls":
                values[f.name] = tuple(CallSite(_tuples(c[0]), int(c[1]), str(c[2]), _tuples(c[3])) for c in raw)
            elif f.name in ("module",):
                values[f.name] = str(raw)
            elif f.name in ("is_package", "binance"):
                values[f.name] = bool(raw)
            elif f.name == "stars":
                values[f.name] = tuple(str(s) for s in raw)
            elif f.name == "exports":
                values[f.name] = None if raw is None else tuple(str(s) for s in raw)
            else:
                values[f.name] = _tuples(raw)
        summary = cls(**values)
        if isinstance(fingerprint, str):
            summary._maps["#"] = {"": fingerprint}
        return summary


class _Stored:
    """A summary as the cache keeps it: its JSON text, read on first use."""

    __slots__ = ("text", "fingerprint", "module")

    def __init__(self, text: str, fingerprint: str | None, module: str) -> None:
        self.text = text
        self.fingerprint = fingerprint
        self.module = module

    def load(self) -> ModuleSummary:
        try:
            return ModuleSummary.from_json(json.loads(self.text), self.fingerprint)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
            # A cache entry damaged on disk: the module is known by name only (its digest stays the
            # stored one); the run goes on, and the file's next change summarises it again.
            summary = ModuleSummary(self.module)
            if self.fingerprint is not None:
                summary._maps["#"] = {"": self.fingerprint}
            return summary


class SummaryMap(MutableMapping[str, ModuleSummary]):
    """Summaries by key (a path, or a module name). Those from the cache are read from their JSON
    text only when first asked for: a run whose results all come from the cache reads none."""

    def __init__(self) -> None:
        self._items: dict[str, ModuleSummary | _Stored] = {}

    def put_stored(self, key: str, text: str, fingerprint: str | None, module: str) -> None:
        """A summary kept as `ModuleSummary.stored_text` gave it, of `module`."""
        self._items[key] = _Stored(text, fingerprint, module)

    def module_of(self, key: str) -> str:
        """The module name of a summary, without reading it."""
        value = self._items[key]
        return value.module

    def fingerprint(self, key: str) -> str:
        """`self[key].fingerprint()`, without reading a stored summary."""
        value = self._items[key]
        if type(value) is _Stored and value.fingerprint is not None:
            return value.fingerprint
        return self[key].fingerprint()

    def by_module(self) -> "SummaryMap":
        """The same summaries keyed by module name (the last of a name wins), still unread."""
        modules = SummaryMap()
        for value in self._items.values():
            modules._items[value.module] = value
        return modules

    def __getitem__(self, key: str) -> ModuleSummary:
        value = self._items[key]
        if type(value) is _Stored:
            value = self._items[key] = value.load()
        return cast(ModuleSummary, value)

    def __setitem__(self, key: str, value: ModuleSummary) -> None:
        self._items[key] = value

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _tuples(value: Any) -> Any:
    kind = type(value)
    if kind is list or kind is tuple:
        return tuple([v if type(v) in _SCALARS else _tuples(v) for v in value])
    if kind in _SCALARS:
        return value
    raise TypeError("unexpected value in a summary")


# --- extra summarisers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What an extra summariser knows besides the tree."""

    module: str
    is_package: bool
    imports: dict[str, str]  # local name -> absolute dotted name


_EXTRA: dict[str, Callable[[ast.Module, Context], Payload | None]] = {}


def register_summariser(kind: str, function: Callable[[ast.Module, Context], Payload | None]) -> None:
    """Add a per-module summary of `kind` (run on every summarised module)."""
    _EXTRA[kind] = function


# --- the summariser ---------------------------------------------------------------------------


def summarise(source: bytes | str, module: str, is_package: bool = False, binance_bytes: bool = True
              ) -> ModuleSummary | None:
    """The summary of a module's source; None when it is not valid Python."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    try:
        return _Summariser(tree, module, is_package, binance_bytes).summary()
    except RecursionError:
        return None


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute module a (relative) `from ... import` names."""
    if level == 0:
        return name or ""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    base = ".".join(parts)
    if name:
        return f"{base}.{name}" if base else name
    return base


_KEY_SHAPED = re.compile(r"[A-Za-z0-9+/=_-]{32,}")


def _is_secret(text: str) -> bool:
    """Whether a constant may be a credential (a key of any alphabet, hex included, a PEM key):
    such values never go into a summary, which is written to disk."""
    from binlint.model import scrub

    return "PRIVATE KEY" in text or bool(_KEY_SHAPED.search(text)) or scrub(text) != text


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


# Nodes with nothing below them worth a visit.
_LEAVES = frozenset({ast.Name, ast.Constant, ast.alias, ast.arg, ast.Pass, ast.Break, ast.Continue, ast.Load,
                     ast.Store, ast.Del})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    found = _FIELDS.get(kind)
    if found is None:
        found = _FIELDS[kind] = tuple(f for f in getattr(kind, "_fields", ()) if f not in ("ctx", "type_comment"))
    return found


class _Summariser:
    def __init__(self, tree: ast.Module, module: str, is_package: bool, binance_bytes: bool) -> None:
        self.tree = tree
        self.module = module
        self.is_package = is_package
        self.binance_bytes = binance_bytes
        self.imports: dict[str, str] = {}
        self.symbols: dict[str, str] = {}
        self.constants: dict[str, str | int | float] = {}
        self.secret_constants: list[str] = []
        self._varies: set[str] = set()  # constants given different values where one may not run
        self.values: dict[str, list[Ref]] = {}
        self.returns: dict[str, list[Ref]] = {}
        self.classes: dict[str, tuple[str, ...]] = {}
        self.params: dict[str, tuple[str, ...]] = {}
        self.calls: list[CallSite] = []
        self.key_sinks: dict[tuple[str, str], None] = {}
        self.stars: list[str] = []
        self.exports: tuple[str, ...] | None = None

    def _here(self, name: str) -> str:
        return f"{self.module}.{name}" if self.module else name

    # --- one pass over the tree -----------------------------------------------------------

    def _collect(self) -> list["_Context"]:
        """Every node once: imports noted, the rest sorted into the function (or class body, or
        module) it runs in. Nested functions get contexts of their own (not summarised)."""
        module_context = _Context(None, None, None)
        contexts = [module_context]
        stack: list[tuple[ast.AST, _Context]] = [(child, module_context) for child in reversed(self.tree.body)]
        while stack:
            node, context = stack.pop()
            kind = type(node)
            # Dispatch on the exact class (cheaper than isinstance chains); a cast in the branch taken types it.
            if kind is ast.Import:
                node = cast(ast.Import, node)
                for alias in node.names:
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".", 1)[0]
                        self.imports.setdefault(top, top)
                continue
            if kind is ast.ImportFrom:
                node = cast(ast.ImportFrom, node)
                base = _absolute(self.module, self.is_package, node.level, node.module)
                for alias in node.names:
                    if alias.name != "*":
                        self.imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
                    elif base and base not in self.stars:
                        self.stars.append(base)
                continue
            if kind in (ast.FunctionDef, ast.AsyncFunctionDef):
                node = cast("ast.FunctionDef | ast.AsyncFunctionDef", node)
                key = None
                cls = None
                if context is module_context:
                    key = node.name
                elif context.class_key is not None and context.key is None:
                    key = f"{context.class_key}.{node.name}"
                    cls = context.class_key
                inner = _Context(key, cls, node)
                contexts.append(inner)
                for decorator in node.decorator_list:
                    stack.append((decorator, context))
                for child in reversed(node.body):
                    stack.append((child, inner))
                continue
            if kind is ast.ClassDef:
                node = cast(ast.ClassDef, node)
                class_context = _Context(None, None, None)
                if context is module_context:
                    class_context.class_key = node.name
                    self._class_bases(node)
                contexts.append(class_context)
                for child in reversed(node.body):
                    stack.append((child, class_context))
                continue
            if kind is ast.Call:
                context.calls.append(cast(ast.Call, node))
            elif kind is ast.Assign or kind is ast.AnnAssign:
                node = cast("ast.Assign | ast.AnnAssign", node)
                if node.value is not None:
                    context.assigns.append(node)
            elif kind is ast.Return:
                node = cast(ast.Return, node)
                if node.value is not None:
                    context.returns.append(node.value)
            elif kind is ast.Global:
                context.globals.update(cast(ast.Global, node).names)
            elif kind in (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.AugAssign, ast.NamedExpr):
                context.bound.extend(_bound_names(node))
            for name in _child_fields(kind):
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, ast.AST) and type(item) not in _LEAVES:
                            stack.append((item, context))
                elif value is not None and isinstance(value, ast.AST) and type(value) not in _LEAVES:
                    stack.append((value, context))
        return contexts

    def summary(self) -> ModuleSummary:
        self._collect_symbols(self.tree.body, 0)
        contexts = self._collect()
        for context in contexts:
            if context.function is not None:
                if context.key is not None:
                    self._function(context)
            elif context.class_key is not None:
                self._class_body(context)
            elif context is contexts[0]:
                self._module_body(context)
        imports = dict(self.imports)
        extra_context = Context(self.module, self.is_package, imports)
        extra = []
        for kind, function in _EXTRA.items():
            try:
                payload = function(self.tree, extra_context)
            except (RecursionError, ValueError, TypeError, AttributeError, KeyError):
                payload = None
            if payload is not None:
                extra.append((kind, payload))
        return ModuleSummary(
            self.module, self.is_package, self.binance_bytes,
            tuple(sorted(self.imports.items())),
            tuple(self.symbols.items()),
            tuple(self.constants.items()),
            tuple(self.secret_constants),
            tuple((k, tuple(dict.fromkeys(v))) for k, v in self.values.items()),
            tuple((k, tuple(dict.fromkeys(v))) for k, v in self.returns.items()),
            tuple(self.classes.items()),
            tuple(self.params.items()),
            tuple(dict.fromkeys(self.calls)),
            tuple(self.key_sinks),
            tuple(extra),
            tuple(self.stars),
            self.exports,
        )

    def _collect_symbols(self, body: list[ast.stmt], depth: int) -> None:
        for statement in body:
            if isinstance(statement, _FUNCTIONS):
                self.symbols.setdefault(statement.name, "function")
            elif isinstance(statement, ast.ClassDef):
                self.symbols.setdefault(statement.name, "class")
            elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                for target in targets:
                    for inner in ast.walk(target):
                        if isinstance(inner, ast.Name):
                            self.symbols.setdefault(inner.id, "value")
            elif isinstance(statement, (ast.If, ast.Try, ast.With)) and depth < 3:
                for name in ("body", "orelse", "finalbody"):
                    self._collect_symbols(getattr(statement, name, []), depth + 1)
                for handler in getattr(statement, "handlers", []):
                    self._collect_symbols(handler.body, depth + 1)

    def _module_body(self, context: "_Context") -> None:
        # An importer sees a constant's value when the module has run: the last assignment, if
        # it is a statement of the module body itself (one inside `if`/`try` may not run).
        straight = {id(statement) for statement in self.tree.body}
        for statement in context.assigns:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            value = statement.value
            assert value is not None
            for target in targets:
                if isinstance(target, ast.Name) and target.id == "__all__":
                    self.exports = _names_listed(value) if self.exports is None else None  # set twice: unknown
                    continue
                if isinstance(target, ast.Name):
                    self.symbols.setdefault(target.id, "value")
                    self._constant(target.id, value, id(statement) in straight)
                    ref = self._ref(value, {}, None, None)
                    if ref is not None:
                        self.values.setdefault(target.id, []).append(ref)
                elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
                        and len(target.elts) == len(value.elts):
                    for inner_target, inner_value in zip(target.elts, value.elts):
                        if isinstance(inner_target, ast.Name):
                            self.symbols.setdefault(inner_target.id, "value")
                            self._constant(inner_target.id, inner_value)
        if "__all__" in context.bound:
            self.exports = None  # `__all__ += [...]`: not a list this summary can tell
        self._scan_calls(context.calls, {}, None, None)

    def _constant(self, name: str, value: ast.expr, straight: bool = False) -> None:
        """Record `name = value` (assignments come in source order). A straight-line assignment
        replaces what came before; a conditional one that disagrees leaves no single value."""
        if isinstance(value, ast.Constant) and isinstance(value.value, (str, int, float)) \
                and not isinstance(value.value, bool):
            if isinstance(value.value, str) and _is_secret(value.value):
                if name not in self.secret_constants:
                    self.secret_constants.append(name)
                self.constants.pop(name, None)
                self._varies.add(name)
                return
            if straight:
                self._varies.discard(name)
            elif name in self._varies or (name in self.constants and self.constants[name] != value.value):
                self.constants.pop(name, None)  # reassigned where it may not run: no single value
                self._varies.add(name)
                return
            self.constants[name] = value.value
        else:  # not a constant (once the module has run, or maybe): a later branch cannot make it one
            self.constants.pop(name, None)
            self._varies.add(name)

    def _class_bases(self, node: ast.ClassDef) -> None:
        bases = []
        for base in node.bases:
            ref = self._ref(base, {}, None, None)
            if ref is not None and ref[0] == "name":
                bases.append(ref[1])
        self.classes[node.name] = tuple(bases)

    def _class_body(self, context: "_Context") -> None:
        for statement in context.assigns:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name) and statement.value is not None:
                    ref = self._ref(statement.value, {}, None, None)
                    if ref is not None:
                        self.values.setdefault(f"{context.class_key}.{target.id}", []).append(ref)
        self._scan_calls(context.calls, {}, None, None)

    # --- functions -----------------------------------------------------------------------

    def _function(self, context: "_Context") -> None:
        node = context.function
        key = context.key
        assert node is not None and key is not None
        cls = self._here(context.cls) if context.cls is not None else None
        args = node.args
        positional = tuple(a.arg for a in (*args.posonlyargs, *args.args))
        self.params[key] = positional + tuple(f"*{a.arg}" for a in args.kwonlyargs)
        is_static = any(_dotted(d) == "staticmethod" for d in node.decorator_list)
        self_name = positional[0] if cls is not None and positional and not is_static else None
        globals_ = context.globals
        locals_: dict[str, list[ast.expr | None]] = {}
        for assign in context.assigns:
            targets = assign.targets if isinstance(assign, ast.Assign) else [assign.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    locals_.setdefault(target.id, []).append(assign.value)
        for name in context.bound:
            locals_.setdefault(name, []).append(None)
        names = set(positional) | {a.arg for a in args.kwonlyargs}
        scope = _Scope(self._here(key), names, locals_, globals_, self_name, cls)
        for value in context.returns:
            ref = self._ref(value, locals_, scope, 0)
            if ref is not None:
                self.returns.setdefault(key, []).append(ref)
        for assign in context.assigns:
            assigned = assign.value
            if assigned is None:  # not collected: only assignments with a value are
                continue
            targets = assign.targets if isinstance(assign, ast.Assign) else [assign.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                        and self_name is not None and target.value.id == self_name and context.cls is not None:
                    ref = self._ref(assigned, locals_, scope, 0)
                    if ref is not None:
                        self.values.setdefault(f"{context.cls}.{target.attr}", []).append(ref)
                elif isinstance(target, ast.Name) and target.id in globals_:
                    self.symbols.setdefault(target.id, "value")
                    ref = self._ref(assigned, locals_, scope, 0)
                    if ref is not None:
                        self.values.setdefault(target.id, []).append(ref)
        self._scan_calls(context.calls, locals_, scope, 0)

    # --- references -------------------------------------------------------------------------

    def _ref(self, node: ast.expr, locals_: dict[str, list[ast.expr | None]], scope: "_Scope | None",
             depth: int | None) -> Ref | None:
        if depth is not None and depth > 6:
            return None
        step = (depth or 0) + 1
        if isinstance(node, ast.Await):
            return self._ref(node.value, locals_, scope, step)
        if isinstance(node, ast.Call):
            callee = self._ref(node.func, locals_, scope, step)
            if callee is None:
                return None
            if callee[0] == "name":
                name = callee[1]
                if name.endswith(".create") and binance.sdk_class(name) is not None:
                    name = name[: -len(".create")]
                if binance.sdk_class(name) is not None:
                    return ("sdk", name)
                if name in SESSION_CLASSES:  # an HTTP session: what a parameter it is passed to sends with
                    return ("inst", name)
            return ("call", callee)
        if isinstance(node, ast.Name):
            name = node.id
            if scope is not None and name not in scope.globals:
                if name == scope.self_name and scope.cls is not None:
                    return ("inst", scope.cls)
                assigned = locals_.get(name)
                if assigned is not None:
                    if len(assigned) == 1 and assigned[0] is not None:
                        return self._ref(assigned[0], locals_, scope, step)
                    return None
                if name in scope.params:
                    return ("param", scope.function, name)
            if name in self.imports:
                return ("name", self.imports[name])
            if name in self.symbols:
                return ("name", self._here(name))
            if self.stars and name not in _BUILTINS:
                return ("name", self._here(name))  # perhaps bound by a star import: the index follows it
            return None  # a builtin, or a name this module never binds
        if isinstance(node, ast.Attribute):
            if scope is not None and isinstance(node.value, ast.Name) and node.value.id == scope.self_name \
                    and scope.cls is not None and node.value.id not in locals_:
                return ("self", scope.cls, node.attr)
            base = self._ref(node.value, locals_, scope, step)
            if base is None:
                return None
            if base[0] == "name":
                return ("name", f"{base[1]}.{node.attr}")
            return ("getattr", base, node.attr)
        return None

    # --- call sites and key sinks ----------------------------------------------------------

    def _scan_calls(self, calls: list[ast.Call], locals_: dict[str, list[ast.expr | None]], scope: "_Scope | None",
                    depth: int | None) -> None:
        for node in calls:
            callee = self._ref(node.func, locals_, scope, depth)
            if callee is None:
                continue
            sdk_name = callee[1] if callee[0] == "name" else None
            cls = binance.sdk_class(sdk_name)
            if cls is not None:
                self._key_sinks(node, cls, locals_, scope, depth)
                continue
            if sdk_name is not None and "." in sdk_name and sdk_name.split(".", 1)[0] in _STDLIB_TOPS:
                continue
            position = 0
            for arg in node.args:
                if isinstance(arg, ast.Starred):
                    break
                ref = self._ref(arg, locals_, scope, depth)
                if ref is not None and ref[0] != "name" or (ref is not None and _maybe_project_value(ref)):
                    self.calls.append(CallSite(callee, position, "", ref))
                position += 1
            for keyword in node.keywords:
                if keyword.arg is None:
                    continue
                ref = self._ref(keyword.value, locals_, scope, depth)
                if ref is not None:
                    self.calls.append(CallSite(callee, -1, keyword.arg, ref))

    def _key_sinks(self, call: ast.Call, cls: binance.SdkClass, locals_: dict[str, list[ast.expr | None]],
                   scope: "_Scope | None", depth: int | None) -> None:
        wanted = (("key", cls.key_args, cls.key_position), ("secret", cls.secret_args, cls.secret_position))
        for kind, keywords, position in wanted:
            value = None
            for keyword in call.keywords:
                if keyword.arg in keywords:
                    value = keyword.value
            if value is None and position is not None and position < len(call.args) \
                    and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
                value = call.args[position]
            if value is not None:
                self._sink(value, kind, locals_, scope, depth)
        if cls.config_dict and call.args and isinstance(call.args[0], ast.Dict):
            for key, value in zip(call.args[0].keys, call.args[0].values):
                if isinstance(key, ast.Constant) and key.value in cls.config_key_fields:
                    self._sink(value, "key", locals_, scope, depth)
                elif isinstance(key, ast.Constant) and key.value in cls.config_secret_fields:
                    self._sink(value, "secret", locals_, scope, depth)

    def _sink(self, value: ast.expr, kind: str, locals_: dict[str, list[ast.expr | None]], scope: "_Scope | None",
              depth: int | None) -> None:
        ref = self._ref(value, locals_, scope, depth)
        if ref is None or ref[0] != "name" or "." not in ref[1]:
            return
        own = ref[1].startswith(f"{self.module}.")
        if not own or (self.stars and ref[1][len(self.module) + 1:].split(".", 1)[0] not in self.symbols):
            self.key_sinks[(ref[1], kind)] = None  # another module's name (a star import's too)


# Call sites into these are never project calls.
_STDLIB_TOPS = frozenset({"os", "sys", "time", "json", "logging", "math", "re", "requests", "hmac", "hashlib",
                          "datetime", "asyncio", "threading", "random", "urllib", "httpx", "aiohttp", "print"})


_BUILTINS = frozenset(dir(__import__("builtins")))


def _names_listed(value: ast.expr) -> tuple[str, ...] | None:
    """The strings of a literal list or tuple (`__all__ = ["client", "API_KEY"]`); None otherwise."""
    if not isinstance(value, (ast.List, ast.Tuple)):
        return None
    names = [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return tuple(names) if len(names) == len(value.elts) else None


def _maybe_project_value(ref: Ref) -> bool:
    """A dotted name as an argument: worth recording when it can name a project global."""
    return ref[0] == "name" and "." in ref[1] and ref[1].split(".", 1)[0] not in _STDLIB_TOPS


def _bound_names(node: ast.AST) -> Iterator[str]:
    targets: list[ast.AST] = []
    if isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    elif isinstance(node, (ast.AugAssign, ast.NamedExpr)):
        targets = [node.target]
    for target in targets:
        for inner in ast.walk(target):
            if isinstance(inner, ast.Name):
                yield inner.id


@dataclass
class _Context:
    """The nodes of one function (or class body, or the module), gathered in one pass."""

    key: str | None  # `f` or `Class.m` for summarised functions
    cls: str | None  # the class key of a method
    function: ast.FunctionDef | ast.AsyncFunctionDef | None
    class_key: str | None = None  # for a class body
    calls: list[ast.Call] = field(default_factory=list)
    assigns: list[ast.Assign | ast.AnnAssign] = field(default_factory=list)
    returns: list[ast.expr] = field(default_factory=list)
    globals: set[str] = field(default_factory=set)
    bound: list[str] = field(default_factory=list)


@dataclass
class _Scope:
    function: str
    params: set[str]
    locals: dict[str, list[ast.expr | None]]
    globals: set[str]
    self_name: str | None
    cls: str | None
