"""The project level: every module's summary, imports resolved across the project.

`ProjectIndex` holds one `ModuleSummary` (binlint.analysis.summaries) per summarised module
and answers what the per-module analysis cannot see alone:

- `lookup(dotted, importer)` — what a dotted name denotes: an SDK client, an instance of a
  project class, a project function, class or module. Absolute and relative imports,
  `import settings` then `settings.API_KEY`, `from x import *` (within `__all__`,
  `star_source`), package `__init__` re-exports and modules
  found next to the importing script (`import config` from `bot/main.py` finds
  `bot/config.py`) are all followed.
- `returns(function)` — what a project function or method returns (client factories,
  singletons, `@lru_cache` getters, `self._create_client()`).
- `param(function, name)` — what the project's call sites pass to a parameter.
- `attribute(class, name)` — what an attribute of a project class holds, set in the class,
  a base or a subclass (`self.client = client`, `self.client = self.manager.client`).
- `binance_imports(module)` — this module's globals that Binance modules of the project import.
- `key_sinks(module)` — this module's globals that another module passes to an SDK key or
  secret argument (`Client(config.API_KEY, ...)`).
- `definition(dotted)` — the summary and key that define a resolved name: where entries of
  other kinds are read (`summary.extra_of("signed-requests")` for the helper a call calls).

Resolution results are `Ref` tuples: `("sdk", qualified SDK class)`, `("inst", class)`,
`("func", dotted)`, `("method", dotted)` (bound), `("class", dotted)`, `("module", name)`.

`view(path)` gives a module's `ProjectView`, the object a `ModuleModel` consults: it turns
the module's own dotted names into answers and has a `digest` (the summaries of the module's
import-connected component), which the result cache keys on, so a result is reused only
while everything it could have read from other modules is unchanged.

Building the index (`build_index`, phase one of a run) is `analysis/project_build.py`; its
names are kept here for callers.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, MutableMapping, cast

from binlint.analysis.binance import is_sdk_module
from binlint.analysis.summaries import FORMAT as SUMMARY_FORMAT
from binlint.analysis.summaries import ModuleSummary, Ref, SummaryMap

if TYPE_CHECKING:
    from binlint.analysis.helpers import HelperSummary
    from binlint.analysis.retry_helpers import RetryHelper

_MAX_DEPTH = 12
_TERMINAL = ("sdk", "inst", "func", "method", "class", "module")


# The first part of the name of a project module that has an SDK's name (the bot's own
# `binance/client.py`): its names are then never the SDK's (`~.binance.client.Client`), and
# imports of `binance.client` from the project find it (`find_module`, `_candidate_module`).
OWN = "~"


def module_name(path: str, root: str) -> tuple[str, bool]:
    """The dotted module name of a file below `root`, and whether it is a package `__init__`.

    A module named like an SDK's (`binance.client`) that is not an installed package (below
    `site-packages`/`dist-packages`) is the project's own: its name starts with `OWN`."""
    absolute = os.path.abspath(path)
    below = root.rstrip(os.sep) + os.sep
    if os.path.isabs(root) and absolute.startswith(below):
        relative = absolute[len(below):]  # what relpath gives, without its two more abspath calls
    else:
        relative = os.path.relpath(absolute, root)
    parts = relative.replace(os.sep, "/").split("/")
    if parts and parts[0] == "..":
        parts = [p for p in parts if p not in ("..", ".")]
    last = parts[-1]
    for suffix in (".pyw", ".pyi", ".py"):
        if last.endswith(suffix):
            last = last[: -len(suffix)]
            break
    parts[-1] = last
    is_package = last == "__init__"
    if is_package:
        parts = parts[:-1]
    parts = [p.replace("-", "_") for p in parts if p]
    if parts and is_sdk_module(parts[0]) and not _installed(absolute):
        parts.insert(0, OWN)
    return ".".join(parts), is_package


def _installed(path: str) -> bool:
    """Whether a file belongs to an installed distribution (pip puts those in site-packages)."""
    parts = os.path.abspath(path).split(os.sep)
    return "site-packages" in parts or "dist-packages" in parts


def display(name: str) -> str:
    """A qualified name as messages show it (the project's own `binance` without its mark)."""
    return name[len(OWN) + 1:] if name.startswith(f"{OWN}.") else name


class ProjectIndex:
    """The summaries of a project's modules, and resolution across them."""

    def __init__(self, summaries: Iterable[tuple[str, ModuleSummary]] | SummaryMap, root: str = "",
                 pulled: Iterable[str] = ()) -> None:
        self.root = root
        self.modules: MutableMapping[str, ModuleSummary] = {}
        self.paths: dict[str, str] = {}  # absolute path -> module
        if isinstance(summaries, SummaryMap):  # by path, some still unread: they stay so
            self.modules = summaries.by_module()
            for path in summaries:
                self.paths[os.path.abspath(path)] = summaries.module_of(path)
        else:
            for path, summary in summaries:
                self.modules[summary.module] = summary
                self.paths[os.path.abspath(path)] = summary.module
        self.pulled = frozenset(os.path.abspath(p) for p in pulled)  # summarised though the gate rejects them
        self._memo: dict[Any, Ref | None] = {}
        self._active: set[Any] = set()
        self._callers: dict[str, list[tuple[int, str, Ref, str]]] | None = None
        self._subclasses: dict[str, list[str]] | None = None
        self._sinks: dict[str, dict[str, tuple[str, str]]] | None = None
        self._binance_imports: dict[str, set[str] | None] | None = None
        self._digests: dict[str, str] | None = None
        self._found: dict[tuple[str, str | None], tuple[str, tuple[str, ...]] | None] = {}
        self._components: dict[str, str] | None = None
        # The other modules' helpers, read from their summaries once (see helper_index).
        self._request_helpers: dict[str, HelperSummary] | None = None
        self._retry_helpers: dict[str, RetryHelper] | None = None

    def __len__(self) -> int:
        return len(self.modules)

    def __getstate__(self) -> dict[str, Any]:  # workers get the summaries, not the memos
        return {"root": self.root, "modules": self.modules, "paths": self.paths, "pulled": self.pulled}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(())  # type: ignore[misc]
        self.root = state["root"]
        self.modules = state["modules"]
        self.paths = state["paths"]
        self.pulled = state["pulled"]

    # --- views ---------------------------------------------------------------------------

    def view(self, path: str) -> "ProjectView | None":
        module = self.paths.get(os.path.abspath(path))
        if module is None:
            return None
        return ProjectView(self, module, os.path.abspath(path) in self.pulled)

    def is_pulled(self, path: str) -> bool:
        return os.path.abspath(path) in self.pulled

    # --- modules -----------------------------------------------------------------------------

    def find_module(self, dotted: str, importer: str | None) -> tuple[str, list[str]] | None:
        """(the project module a dotted name starts with, the rest), trying the importer's folders too."""
        key = (dotted, importer)
        if key not in self._found:
            found = self._find_module(dotted, importer)
            self._found[key] = None if found is None else (found[0], tuple(found[1]))
        known = self._found[key]
        return None if known is None else (known[0], list(known[1]))

    def _find_module(self, dotted: str, importer: str | None) -> tuple[str, list[str]] | None:
        parts = dotted.split(".")
        prefixes: list[str] = [""]
        if importer:
            package = importer.split(".")
            summary = self.modules.get(importer)
            if summary is None or not summary.is_package:
                package = package[:-1]
            while package:
                prefixes.insert(0, ".".join(package) + ".")
                package = package[:-1]
        if f"{OWN}." not in prefixes and is_sdk_module(parts[0]):
            prefixes.append(f"{OWN}.")  # `binance.client` is the project's own `binance/client.py`
        for prefix in prefixes:
            for end in range(len(parts), 0, -1):
                name = prefix + ".".join(parts[:end])
                if name in self.modules:
                    return name, parts[end:]
        return None

    # --- resolution ------------------------------------------------------------------------------

    def lookup(self, dotted: str, importer: str | None = None, depth: int = 0) -> Ref | None:
        """What a dotted name denotes (see the module docstring)."""
        key = ("lookup", dotted, importer)
        return self._memoised(key, lambda: self._lookup(dotted, importer, depth))

    def _memoised(self, key: Any, compute: Callable[[], Ref | None]) -> Ref | None:
        if key in self._memo:
            return self._memo[key]
        if key in self._active or len(self._active) > _MAX_DEPTH * 4:
            return None
        self._active.add(key)
        try:
            found = compute()
        finally:
            self._active.discard(key)
        self._memo[key] = found
        return found

    def _lookup(self, dotted: str, importer: str | None, depth: int) -> Ref | None:
        found = self.find_module(dotted, importer)
        if found is None:
            return None
        module, rest = found
        if not rest:
            return ("module", module)
        summary = self.modules[module]
        head, tail = rest[0], rest[1:]
        imports = summary.table("imports")
        if head in imports and head not in summary.table("values") and head not in summary.table("symbols"):
            target = imports[head]
            return self.lookup(".".join([target, *tail]), module, depth + 1)
        kind = summary.table("symbols").get(head)
        base: Ref | None
        if kind == "class":
            base = ("class", f"{module}.{head}")
        elif kind == "function":
            base = ("func", f"{module}.{head}")
        elif head in summary.table("values"):
            base = self._first(summary.table("values")[head], module)
        elif head in imports:
            target = imports[head]
            return self.lookup(".".join([target, *tail]), module, depth + 1)
        else:
            source = self.star_source(module, head)
            return self.lookup(".".join([source, *rest]), None, depth + 1) if source is not None else None
        for attribute in tail:
            if base is None:
                return None
            base = self.member(base, attribute)
        return base

    def constant(self, dotted: str, importer: str | None = None, depth: int = 0) -> str | int | float | None:
        """The value a project module's top-level constant has once the module has run
        (`endpoints.ORDER_PATH`), through re-exports and star imports; None when unknown."""
        found = self.find_module(dotted, importer) if depth <= _MAX_DEPTH else None
        if found is None or len(found[1]) != 1:
            return None
        module, (name,) = found
        summary = self.modules[module]
        constants = summary.table("constants")
        if name in constants:
            return cast("str | int | float", constants[name])
        if name in summary.table("symbols"):
            return None  # bound here to something that is not one constant
        imports = summary.table("imports")
        if name in imports:
            return self.constant(imports[name], module, depth + 1)
        source = self.star_source(module, name)
        return self.constant(f"{source}.{name}", None, depth + 1) if source is not None else None

    def star_source(self, module: str, name: str) -> str | None:
        """The project module a `from x import *` of `module` takes `name` from (stars of stars
        followed, `__all__` respected), when `module` does not bind `name` itself."""
        seen = {module}
        stack = [module]
        while stack and len(seen) <= _MAX_DEPTH:
            summary = self.modules[stack.pop()]
            for star in summary.stars:
                found = self.find_module(star, summary.module)
                if found is None or found[1] or found[0] in seen:
                    continue
                seen.add(found[0])
                source = self.modules[found[0]]
                if source.exported(name):
                    return found[0]
                if source.exports is None or name in source.exports:
                    stack.append(found[0])
        return None

    def member(self, base: Ref, attribute: str) -> Ref | None:
        """`base.attribute` for a resolved base."""
        kind = base[0]
        if kind == "module":
            return self.lookup(f"{base[1]}.{attribute}", None)
        if kind == "inst":
            return self.attribute(base[1], attribute, bound=True)
        if kind == "class":
            return self.attribute(base[1], attribute, bound=False)
        return None

    def _first(self, refs: Iterable[Ref], module: str) -> Ref | None:
        for ref in refs:
            found = self.resolve(ref, module)
            if found is not None:
                return found
        return None

    def resolve(self, ref: Ref, module: str) -> Ref | None:
        """A summary reference, made in `module`, resolved to a terminal."""
        return self._memoised(("resolve", ref, module), lambda: self._resolve(ref, module))

    def _resolve(self, ref: Ref, module: str) -> Ref | None:
        kind = ref[0]
        if kind == "sdk" and is_sdk_module(ref[1]):
            found = self.find_module(ref[1], module)
            if found is not None and found[0].startswith(f"{OWN}."):  # the project's own `binance.client.Client`
                return self.resolve(("call", ("name", ref[1])), module)
        if kind in ("sdk", "inst"):
            return ref
        if kind == "name":
            return self.lookup(ref[1], module)
        if kind == "call":
            callee = self.resolve(ref[1], module)
            if callee is None:
                return None
            if callee[0] in ("func", "method"):
                return self.returns(callee[1])
            if callee[0] == "class":
                return ("inst", callee[1])
            return None
        if kind == "param":
            return self.param(ref[1], ref[2])
        if kind == "self":
            return self.attribute(ref[1], ref[2], bound=True)
        if kind == "getattr":
            base = self.resolve(ref[1], module)
            return self.member(base, ref[2]) if base is not None else None
        return None

    def _split(self, dotted: str) -> tuple[ModuleSummary, str] | None:
        """(the summary of the module that defines `dotted`, the key inside it)."""
        module, _, rest = dotted.rpartition(".")
        while module:
            summary = self.modules.get(module)
            if summary is not None:
                return summary, rest
            module, _, head = module.rpartition(".")
            rest = f"{head}.{rest}"
        return None

    def definition(self, dotted: str) -> tuple[ModuleSummary, str] | None:
        """(the summary of the module that defines a resolved dotted name, its key there:
        `f`, `Class.method`, `Class.attr`): where per-module entries of other kinds are read
        (`summary.extra_of(kind)`), e.g. for the function a call site resolves to."""
        return self._split(dotted)

    def returns(self, function: str) -> Ref | None:
        """What a project function or method returns."""
        def compute() -> Ref | None:
            found = self._split(function)
            if found is None:
                return None
            summary, key = found
            return self._first(summary.table("returns").get(key, ()), summary.module)
        return self._memoised(("returns", function), compute)

    def attribute(self, cls: str, name: str, bound: bool = True) -> Ref | None:
        """What `instance.name` holds for an instance of project class `cls` (bases and subclasses too)."""
        def compute() -> Ref | None:
            for owner in self._lineage(cls):
                found = self._split(owner)
                if found is None:
                    continue
                summary, key = found
                refs = summary.table("values").get(f"{key}.{name}")
                if refs:
                    hit = self._first(refs, summary.module)
                    if hit is not None:
                        return hit
                if f"{key}.{name}" in summary.table("params"):
                    return ("method" if bound else "func", f"{owner}.{name}")
            return None
        return self._memoised(("attribute", cls, name, bound), compute)

    def _lineage(self, cls: str) -> list[str]:
        """The class, its bases (depth first), then its subclasses."""
        seen: list[str] = []
        stack = [cls]
        while stack and len(seen) < 32:
            current = stack.pop(0)
            if current in seen:
                continue
            seen.append(current)
            found = self._split(current)
            if found is None:
                continue
            summary, key = found
            for base in summary.table("classes").get(key, ()):
                resolved = self.lookup(base, summary.module)
                if resolved is not None and resolved[0] == "class":
                    stack.append(resolved[1])
        for sub in self.subclasses(cls):
            if sub not in seen:
                seen.append(sub)
        return seen

    def subclasses(self, cls: str) -> list[str]:
        if self._subclasses is None:
            table: dict[str, list[str]] = {}
            for summary in self.modules.values():
                for name, bases in summary.classes:
                    for base in bases:
                        resolved = self.lookup(base, summary.module)
                        if resolved is not None and resolved[0] == "class":
                            table.setdefault(resolved[1], []).append(f"{summary.module}.{name}")
            self._subclasses = table
        found: list[str] = []
        stack = list(self._subclasses.get(cls, ()))
        while stack and len(found) < 32:
            current = stack.pop()
            if current not in found:
                found.append(current)
                stack.extend(self._subclasses.get(current, ()))
        return found

    def param(self, function: str, name: str) -> Ref | None:
        """What the project's call sites pass to parameter `name` of `function`."""
        def compute() -> Ref | None:
            found = self._split(function)
            if found is None:
                return None
            summary, key = found
            params = summary.table("params").get(key)
            if params is None or name not in params:
                return None
            index = params.index(name)
            for position, keyword, argument, caller in self.callers().get(function, ()):
                if keyword == name or (not keyword and position == index):
                    hit = self.resolve(argument, caller)
                    if hit is not None and hit[0] in ("sdk", "inst"):
                        return hit
            return None
        return self._memoised(("param", function, name), compute)

    def callers(self) -> dict[str, list[tuple[int, str, Ref, str]]]:
        """function -> (parameter position, keyword, argument, calling module) of each project call site."""
        if self._callers is None:
            table: dict[str, list[tuple[int, str, Ref, str]]] = {}
            for summary in self.modules.values():
                for site in summary.calls:
                    callee = self.resolve(site.callee, summary.module)
                    if callee is None:
                        continue
                    shift = 0
                    if callee[0] == "class":
                        target, shift = f"{callee[1]}.__init__", 1
                        if self._split(target) is None or target.rpartition(".")[0] != callee[1]:
                            init = self.attribute(callee[1], "__init__", bound=False)
                            if init is None:
                                continue
                            target = init[1]
                    elif callee[0] == "method":
                        target, shift = callee[1], 1
                    elif callee[0] == "func":
                        target = callee[1]
                    else:
                        continue
                    position = site.position + shift if site.position >= 0 else -1
                    table.setdefault(target, []).append((position, site.keyword, site.argument, summary.module))
            self._callers = table
        return self._callers

    def key_sinks(self, module: str) -> dict[str, tuple[str, str]]:
        """Global name of `module` -> (key or secret, the module that passes it to an SDK)."""
        if self._sinks is None:
            table: dict[str, dict[str, tuple[str, str]]] = {}
            for summary in self.modules.values():
                for dotted, kind in summary.key_sinks:
                    found = self.find_module(dotted, summary.module)
                    if found is None:
                        continue
                    owner, rest = found
                    owner_summary = self.modules[owner]
                    if len(rest) == 1 and owner_summary.stars and rest[0] not in owner_summary.table("symbols") \
                            and rest[0] not in owner_summary.table("imports"):
                        source = self.star_source(owner, rest[0])  # `from config import *` in the passer
                        if source is not None:
                            owner, owner_summary = source, self.modules[source]
                    if len(rest) == 1 and rest[0] in owner_summary.table("imports") \
                            and rest[0] not in owner_summary.table("symbols"):
                        target = self.find_module(owner_summary.table("imports")[rest[0]], owner)
                        if target is not None and len(target[1]) == 1:
                            owner, rest = target
                    if len(rest) == 1:
                        table.setdefault(owner, {}).setdefault(rest[0], (kind, summary.module))
            self._sinks = table
        return self._sinks.get(module, {})

    def binance_imports(self, module: str) -> set[str] | None:
        """The names of `module` that a Binance module of the project imports
        (`from config import API_KEY`); None when one imports the module itself (`import config`),
        so any of its names may be read there; an empty set when none does."""
        if self._binance_imports is None:
            table: dict[str, set[str] | None] = {}
            for summary in self.modules.values():
                if not summary.binance:
                    continue
                for target in imported_modules(summary):
                    found = self.find_module(target, summary.module)
                    if found is None or found[0] == summary.module:
                        continue
                    owner, rest = found
                    if not rest or target in summary.stars:
                        table[owner] = None
                    else:
                        names = table.setdefault(owner, set())
                        if names is not None:
                            names.add(rest[0])
            self._binance_imports = table
        return self._binance_imports.get(module, set())

    # --- digests ---------------------------------------------------------------------------------

    def digest(self, module: str) -> str:
        """A hash of the summaries of the modules connected to `module` by imports."""
        return self.digests().get(module, "")

    def _fingerprint(self, module: str) -> str:
        modules = self.modules
        return modules.fingerprint(module) if isinstance(modules, SummaryMap) else modules[module].fingerprint()

    def summaries_key(self) -> str:
        """A hash of every module's name and summary: equal keys give equal `digest`s."""
        hasher = hashlib.blake2b(digest_size=16)
        hasher.update(f"{SUMMARY_FORMAT}".encode())
        for module in sorted(self.modules):
            hasher.update(f"{module}\0{self._fingerprint(module)}\0".encode())
        return hasher.hexdigest()

    def digests(self) -> dict[str, str]:
        """`digest` of every module."""
        if self._digests is None:
            self._digests = self._component_digests()
        return self._digests

    def use_digests(self, digests: dict[str, str]) -> None:
        """Take the digests a run with the same `summaries_key` computed (a warm run resolves no import)."""
        self._digests = digests

    def _component_digests(self) -> dict[str, str]:
        parent: dict[str, str] = {m: m for m in self.modules}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for summary in self.modules.values():
            for target in imported_modules(summary):
                found = self.find_module(target, summary.module)
                if found is not None:
                    a, b = find(summary.module), find(found[0])
                    if a != b:
                        parent[a] = b
        groups: dict[str, list[str]] = {}
        for module in self.modules:
            groups.setdefault(find(module), []).append(module)
        digests: dict[str, str] = {}
        for members in groups.values():
            hasher = hashlib.blake2b(digest_size=12)
            hasher.update(f"{SUMMARY_FORMAT}".encode())
            for member in sorted(members):
                hasher.update(self._fingerprint(member).encode())
            value = hasher.hexdigest()
            for member in members:
                digests[member] = value
        return digests


@dataclass
class ProjectView:
    """The project as one module sees it: its own dotted names answered by the index."""

    index: ProjectIndex
    module: str
    pulled: bool = False  # summarised and checked only because Binance code imports it
    _digest: str | None = field(default=None, repr=False)

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest = self.index.digest(self.module)
        return self._digest

    @property
    def summary(self) -> ModuleSummary:
        return self.index.modules[self.module]

    def local(self, name: str) -> str:
        return f"{self.module}.{name}" if self.module else name

    def absolute(self, dotted: str) -> str:
        """An import target as written in this module (`.exchange.client`) made absolute."""
        if not dotted.startswith("."):
            return dotted
        level = len(dotted) - len(dotted.lstrip("."))
        from binlint.analysis.summaries import _absolute

        return _absolute(self.module, self.summary.is_package, level, dotted[level:] or None)

    def lookup(self, dotted: str) -> Ref | None:
        return self.index.lookup(self.absolute(dotted), self.module)

    def constant(self, dotted: str) -> str | int | float | None:
        return self.index.constant(self.absolute(dotted), self.module)

    def returns(self, dotted: str) -> Ref | None:
        found = self.lookup(dotted)
        if found is not None and found[0] in ("func", "method"):
            return self.index.returns(found[1])
        if found is not None and found[0] == "class":
            return ("inst", found[1])
        return None

    def member(self, base: Ref, attribute: str) -> Ref | None:
        return self.index.member(base, attribute)

    def param(self, function_key: str, name: str) -> Ref | None:
        return self.index.param(self.local(function_key), name)

    def attribute(self, class_key: str, name: str) -> Ref | None:
        return self.index.attribute(self.local(class_key), name)

    def key_sinks(self) -> dict[str, tuple[str, str]]:
        return self.index.key_sinks(self.module)

    def read_by_binance(self, name: str) -> bool:
        """Whether a Binance module of the project imports this module's global `name`."""
        names = self.index.binance_imports(self.module)
        return names is None or name in names


def imported_modules(summary: ModuleSummary) -> Iterator[str]:
    """The dotted targets a module imports, star imports' modules included."""
    for _, target in summary.imports:
        yield target
    yield from summary.stars


def iter_modules(index: ProjectIndex) -> Iterator[tuple[str, ModuleSummary]]:
    for path, module in index.paths.items():
        yield path, index.modules[module]


# Building the index lives in project_build.py; its names stay importable from here.
from binlint.analysis.project_build import (  # noqa: E402
    LAST_STATS, PARALLEL_SUMMARIES, IndexStats, build_index, find_root,
)

__all__ = ["LAST_STATS", "OWN", "PARALLEL_SUMMARIES", "IndexStats", "ProjectIndex", "ProjectView", "build_index",
           "display", "find_root", "imported_modules", "iter_modules", "module_name"]
