"""The project level: every module's summary, imports resolved across the project.

`ProjectIndex` holds one `ModuleSummary` (binlint.analysis.summaries) per summarised module
and answers what the per-module analysis cannot see alone:

- `lookup(dotted, importer)` — what a dotted name denotes: an SDK client, an instance of a
  project class, a project function, class or module. Absolute and relative imports,
  `import settings` then `settings.API_KEY`, package `__init__` re-exports and modules
  found next to the importing script (`import config` from `bot/main.py` finds
  `bot/config.py`) are all followed.
- `returns(function)` — what a project function or method returns (client factories,
  singletons, `@lru_cache` getters, `self._create_client()`).
- `param(function, name)` — what the project's call sites pass to a parameter.
- `attribute(class, name)` — what an attribute of a project class holds, set in the class,
  a base or a subclass (`self.client = client`, `self.client = self.manager.client`).
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

Building the index (`build_index`) is phase one of a run: every gated Python file below the
project root (the folder holding pyproject.toml or .git above the checked paths, excludes
honoured) is summarised, plus the modules Binance modules import (transitively) even when
their bytes mention no Binance word. Summaries are cached by content hash in the cache
folder, so a warm run re-summarises only changed files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from binlint.analysis.summaries import FORMAT as SUMMARY_FORMAT
from binlint.analysis.summaries import ModuleSummary, Ref, summarise
from binlint.analysis.helper_index import attach as attach_helpers  # also registers its summariser

if TYPE_CHECKING:
    from binlint.analysis.helpers import HelperSummary
    from binlint.analysis.retry_helpers import RetryHelper

_MAX_DEPTH = 12
_TERMINAL = ("sdk", "inst", "func", "method", "class", "module")


def module_name(path: str, root: str) -> tuple[str, bool]:
    """The dotted module name of a file below `root`, and whether it is a package `__init__`."""
    relative = os.path.relpath(os.path.abspath(path), root)
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
    return ".".join(parts), is_package


class ProjectIndex:
    """The summaries of a project's modules, and resolution across them."""

    def __init__(self, summaries: Iterable[tuple[str, ModuleSummary]], root: str = "",
                 pulled: Iterable[str] = ()) -> None:
        self.root = root
        self.modules: dict[str, ModuleSummary] = {}
        self.paths: dict[str, str] = {}  # absolute path -> module
        for path, summary in summaries:
            self.modules[summary.module] = summary
            self.paths[os.path.abspath(path)] = summary.module
        self.pulled = frozenset(os.path.abspath(p) for p in pulled)  # summarised though the gate rejects them
        self._memo: dict[Any, Ref | None] = {}
        self._active: set[Any] = set()
        self._callers: dict[str, list[tuple[int, str, Ref, str]]] | None = None
        self._subclasses: dict[str, list[str]] | None = None
        self._sinks: dict[str, dict[str, tuple[str, str]]] | None = None
        self._digests: dict[str, str] | None = None
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
            return None
        for attribute in tail:
            if base is None:
                return None
            base = self.member(base, attribute)
        return base

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
                    if len(rest) == 1 and rest[0] in owner_summary.table("imports") \
                            and rest[0] not in owner_summary.table("symbols"):
                        target = self.find_module(owner_summary.table("imports")[rest[0]], owner)
                        if target is not None and len(target[1]) == 1:
                            owner, rest = target
                    if len(rest) == 1:
                        table.setdefault(owner, {}).setdefault(rest[0], (kind, summary.module))
            self._sinks = table
        return self._sinks.get(module, {})

    # --- digests ---------------------------------------------------------------------------------

    def digest(self, module: str) -> str:
        """A hash of the summaries of the modules connected to `module` by imports."""
        if self._digests is None:
            self._digests = self._component_digests()
        return self._digests.get(module, "")

    def _component_digests(self) -> dict[str, str]:
        parent: dict[str, str] = {m: m for m in self.modules}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for summary in self.modules.values():
            for _, target in summary.imports:
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
                hasher.update(json.dumps(self.modules[member].to_json(), sort_keys=True, default=str).encode())
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


# --- building the index ----------------------------------------------------------------------------


def find_root(paths: list[str]) -> str | None:
    """The folder holding pyproject.toml, binlint.toml or .git above (or at) the checked paths;
    with none of those, the folder the checked paths have in common (a bot copied out of its
    repository is still one project)."""
    real = [os.path.abspath(p) for p in paths if p != "-"]
    if not real:
        return None
    start = os.path.commonpath(real)
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    current = start
    while True:
        if os.path.exists(os.path.join(current, "pyproject.toml")) or os.path.exists(os.path.join(current, ".git")) \
                or os.path.exists(os.path.join(current, "binlint.toml")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return start
        current = parent


@dataclass
class IndexStats:
    """What building the index did (for benchmarks and tests)."""

    files: int = 0  # Python files seen
    summarised: int = 0  # summaries computed this run (the rest came from the cache)
    gated: int = 0  # files whose bytes passed the gate
    pulled: int = 0  # modules summarised because Binance modules import them
    helpers: int = 0  # modules read with libcst for their request helpers (others import them)


LAST_STATS = IndexStats()


def _summary_entry(path: str, root: str, data: bytes, gated: bool) -> Any:
    name, is_package = module_name(path, root)
    summary = summarise(data, name, is_package, gated)
    return None if summary is None else summary.to_json()


def build_index(root: str, config: Any, extra_paths: Iterable[str] = (), use_cache: bool = True,
                jobs: int | None = None, walk: bool = True) -> ProjectIndex:
    """Phase one: summarise the project's gated Python modules (and what Binance modules import)."""
    from binlint.pipeline import gate
    from binlint.pipeline.discover import FileKind, discover

    global LAST_STATS
    stats = IndexStats()
    targets = discover([root], config)[0] if walk else []
    files = [t.path for t in targets if t.kind is FileKind.PYTHON]
    seen = {os.path.abspath(p) for p in files}
    for extra in extra_paths:
        if extra.endswith((".py", ".pyw")) and os.path.abspath(extra) not in seen:
            files.append(extra)
            seen.add(os.path.abspath(extra))
    stats.files = len(files)
    store = _SummaryStore(root, config) if use_cache else None
    summaries: dict[str, ModuleSummary] = {}
    rejected: dict[str, list[Any]] = {}  # module -> [path, the names it imports (None: not read yet)]
    limit = getattr(config, "max_file_size", 10 * 1024 * 1024)

    def load(path: str, want_gated_only: bool) -> None:
        cached = store.get(path) if store is not None else None
        if cached is not None:
            gated, payload, imported = cached
            if not gated and want_gated_only:
                rejected[module_name(path, root)[0]] = [path, imported]
                return
            if payload is not None:
                try:
                    summaries[path] = ModuleSummary.from_json(payload)
                except (ValueError, TypeError, KeyError, IndexError):
                    pass
                else:
                    stats.gated += gated
                    return
        try:
            from binlint.pipeline.engine import read_regular

            data, _info = read_regular(path, limit)
        except OSError:
            return
        if data is None or b"\x00" in data:
            return
        gated = gate.worth_parsing(data)
        if not gated and want_gated_only:
            if store is not None:
                store.put(path, data, [False, None, None])  # the imports are read when needed
            rejected[module_name(path, root)[0]] = [path, None]
            return
        stats.gated += gated
        if want_gated_only and batch is not None:
            batch.append((path, data))  # summarised together, on the process pool when there are many
            return
        summarised(path, data, gated, _summary_entry(path, root, data, gated))

    def summarised(path: str, data: bytes, gated: bool, payload: Any) -> None:
        stats.summarised += 1
        if store is not None:
            store.put(path, data, [gated, payload, [] if gated else list(_imported_names(data))])
        if payload is not None:
            summaries[path] = ModuleSummary.from_json(payload)

    batch: list[tuple[str, bytes]] | None = []
    for path in files:
        load(path, True)
    pending, batch = batch or [], None
    for (path, data), payload in zip(pending, _summarise_all(pending, root, jobs)):
        summarised(path, data, True, payload)
    pulled: list[str] = []
    forward: list[ModuleSummary] = list(summaries.values())  # modules whose imports are pulled in

    def pull(candidate: str, carries: bool) -> None:
        path = rejected.pop(candidate)[0]
        load(path, False)
        if path in summaries:
            pulled.append(path)
            if carries:
                forward.append(summaries[path])

    gated_modules = {s.module for s in summaries.values() if s.binance}
    relevant = set(gated_modules)
    while relevant and rejected:
        # Modules that import Binance modules (the client built in `exchange.py` is used here),
        # also through a package `__init__` that re-exports them...
        packages: list[str] = []
        for module, (path, imported) in list(rejected.items()):
            if imported is None:
                imported = rejected[module][1] = _imports_of(path)
            is_package = os.path.basename(path).startswith("__init__.")
            if any(_resolves_to(target, module, is_package, relevant) for target in imported):
                pull(module, True)
                if is_package:
                    packages.append(module)
        relevant = set(packages)
    while forward:
        # ... and the modules these import and call into (one step: a helper module, a base
        # class, a generic REST client), not the whole import graph below them.
        summary = forward.pop()
        for _, target in summary.imports:
            candidate = _candidate_module(target, summary.module, summary.is_package, rejected)
            if candidate is not None:  # a package's re-exports are followed one more step
                pull(candidate, os.path.basename(rejected[candidate][0]).startswith("__init__."))
    stats.pulled = len(pulled)
    stats.helpers = attach_helpers(summaries, config, store)
    if store is not None:
        store.save()
    LAST_STATS = stats
    return ProjectIndex(((p, s) for p, s in summaries.items()), root, pulled)


def _imports_of(path: str) -> tuple[str, ...]:
    try:
        with open(path, "rb") as handle:
            return _imported_names(handle.read())
    except OSError:
        return ()


_IMPORT_LINE = re.compile(rb"^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import[ \t]+\(?([\w ,\t]+)|import[ \t]+([\w., \t]+))",
                          re.MULTILINE)


def _imported_names(data: bytes) -> tuple[str, ...]:
    """The dotted names a file's import lines name (read from bytes: no parse for rejected files)."""
    names: list[str] = []
    for match in _IMPORT_LINE.finditer(data):
        base, members, plain = match.groups()
        try:
            if base is not None:
                module = base.decode("ascii")
                names.append(module)
                for member in members.decode("ascii").split(","):
                    member = member.split()[0] if member.split() else ""
                    if member:
                        names.append(f"{module}.{member}" if not module.endswith(".") else module + member)
            elif plain is not None:
                for item in plain.decode("ascii").split(","):
                    item = item.split()[0] if item.split() else ""
                    if item:
                        names.append(item)
        except UnicodeDecodeError:
            continue
    return tuple(dict.fromkeys(names))


def _resolves_to(target: str, importer: str, is_package: bool, modules: set[str]) -> bool:
    if target.startswith("."):
        from binlint.analysis.summaries import _absolute

        level = len(target) - len(target.lstrip("."))
        target = _absolute(importer, is_package, level, target[level:] or None)
    return _candidate_module(target, importer, is_package, modules) is not None


# Below this many files to summarise, a process pool costs more than it saves.
PARALLEL_SUMMARIES = 48


def _summarise_all(pending: list[tuple[str, bytes]], root: str, jobs: int | None) -> list[Any]:
    """The summary payloads of gated files, in order: on the process pool when there are many."""
    from binlint.pipeline.engine import default_jobs

    workers = default_jobs() if jobs is None or jobs <= 0 else jobs
    if workers == 1 or len(pending) < PARALLEL_SUMMARIES:
        return [_summary_entry(path, root, data, True) for path, data in pending]
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    order = sorted(range(len(pending)), key=lambda i: len(pending[i][1]), reverse=True)
    results: list[Any] = [None] * len(pending)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        done = pool.map(_summary_of_file, [(pending[i][0], root) for i in order], chunksize=4)
        for index, payload in zip(order, done):
            results[index] = payload
    return results


def _summary_of_file(job: tuple[str, str]) -> Any:
    """A worker's summary of one gated file (read again there: bytes are not shipped to workers)."""
    path, root = job
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return _summary_entry(path, root, data, True)


def _candidate_module(target: str, importer: str, is_package: bool, rejected: Any) -> str | None:
    parts = target.split(".")
    package = importer.split(".") if importer else []
    if not is_package:
        package = package[:-1]
    prefixes = [".".join(package[:i]) for i in range(len(package), -1, -1)]
    for prefix in prefixes:
        for end in range(len(parts), 0, -1):
            name = ".".join(filter(None, [prefix, *parts[:end]]))
            if name in rejected:
                return name
    return None


class _SummaryStore:
    """Summaries by path, trusted by stat or content hash (in the result cache's folder)."""

    def __init__(self, root: str, config: Any) -> None:
        from binlint.pipeline import cache

        self._cache = cache
        key = f"summaries|{SUMMARY_FORMAT}|{cache.code_fingerprint()}|{root}"
        folder = Path(getattr(config, "root", root)) / cache.CACHE_DIR / f"summaries-v{SUMMARY_FORMAT}"
        self.index = cache.Index(folder, key)

    def get(self, path: str) -> tuple[bool, Any, tuple[str, ...] | None] | None:
        stat = self._cache._stat(path)
        if stat is None:
            return None
        encoded, trusted, stored_hash = self.index.lookup(os.path.abspath(path), stat[0])
        if encoded is None or not isinstance(encoded, list) or len(encoded) != 3 or not (
                encoded[2] is None or isinstance(encoded[2], list) and all(isinstance(n, str) for n in encoded[2])):
            return None
        imported = None if encoded[2] is None else tuple(encoded[2])
        if trusted:
            return bool(encoded[0]), encoded[1], imported
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if self._cache.content_hash(data) == stored_hash:
            self.index.put(os.path.abspath(path), stat[0], stat[1], stored_hash, encoded)
            return bool(encoded[0]), encoded[1], imported
        return None

    def put(self, path: str, data: bytes, entry: list[Any]) -> None:
        stat = self._cache._stat(path)
        if stat is None:
            return
        self.index.put(os.path.abspath(path), stat[0], stat[1], self._cache.content_hash(data), entry)

    def save(self) -> None:
        self.index.save()


def iter_modules(index: ProjectIndex) -> Iterator[tuple[str, ModuleSummary]]:
    for path, module in index.paths.items():
        yield path, index.modules[module]
