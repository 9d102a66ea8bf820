"""Request helpers across modules: which modules get a helper summary in phase one, how it is
stored with the module's summary, and how a module reads the helpers of the others.

The index pass reads modules with Python's `ast`; a request helper summary
(`binlint.analysis.helpers.summarize`) needs the libcst model. To keep phase one cheap, the
`ast` summary only marks a module that imports an HTTP library and whose top-level functions
or methods call a request verb, or one that calls a parameter and loops or calls itself
(`candidates`, one walk per function, extra kind `helper-candidates`). After the pass, only the
marked modules that another project module imports (an SDK's own modules excepted) are read
with libcst (`attach`, one parse for both), and their helpers are stored as the extra kinds
`request-helpers` and `retry-helpers`: plain tuples, cached with the module's summary by
content hash, and part of the digest every importer's cached result is keyed on.

`imported_helpers(view)` gives a module the request helpers of the other modules, by the
qualified name its calls resolve to (`exchange.signed_request`, `api.BinanceAPI.buy_limit`);
`HelperModel` reads their calls as requests. `imported_retry_helpers(view)` does the same
for retry helpers (`utils.retry`), which `RetryModel` applies to calls and decorators.
"""

from __future__ import annotations

import ast
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any, Callable, Iterator, MutableMapping, TypeVar, cast

from binlint.analysis.binance import is_sdk_module
from binlint.analysis.summaries import _LEAVES, Context, ModuleSummary, Payload, _child_fields, register_summariser

if TYPE_CHECKING:
    from binlint.analysis.helpers import HelperSummary
    from binlint.analysis.project import ProjectIndex, ProjectView
    from binlint.analysis.retry_helpers import RetryHelper

CANDIDATES = "helper-candidates"
KIND = "request-helpers"
RETRY_KIND = "retry-helpers"
# Verbs of HTTP clients. `get` is also every dict's: see `_is_request`.
_VERBS = frozenset({"get", "post", "put", "delete", "patch", "request", "urlopen", "fetch"})
_HTTP_KEYWORDS = frozenset({"params", "headers", "timeout", "data", "json", "auth", "url", "proxies", "verify",
                            "cookies", "allow_redirects"})
_HTTP_MODULES = ("requests", "httpx", "aiohttp", "urllib.request", "urllib3", "http.client")
_FUNCTION_KINDS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_LOOPS = (ast.While, ast.For, ast.AsyncFor)


def _is_request(call: ast.Call, name: str, http_names: frozenset[str]) -> bool:
    """Whether a call of a verb-named function looks like an HTTP request: `d.get("symbol")`
    (a dict's `get` with a plain key) does not."""
    if name != "get":
        return True
    func = call.func
    if type(func) is ast.Attribute and type(func.value) is ast.Name and func.value.id in http_names:
        return True  # `requests.get(...)`
    if any(k.arg in _HTTP_KEYWORDS for k in call.keywords):
        return True
    first = call.args[0] if call.args else None
    if type(first) is ast.Constant:
        return isinstance(first.value, str) and ("/" in first.value or first.value.startswith("http"))
    return first is not None


def _marks_of(function: ast.FunctionDef | ast.AsyncFunctionDef, http_names: frozenset[str] | None
              ) -> tuple[bool, bool]:
    """(whether the function sends a request, whether it may be a retry helper), in one walk.

    A request: a call of an HTTP verb (`requests.post`, `self.session.request`, `urlopen`),
    looked for only when the module imports an HTTP library (`http_names` not None). A retry
    helper: it (or a function nested in it) calls one of its parameters, and loops or calls
    itself (`def retry(fn, *args)`, a decorator's wrapper, a recursive retry)."""
    params: set[str] = set()
    called: set[str] = set()  # plain names called (a parameter among them?)
    names: set[str] = set()  # every name called, methods too (recursion?)
    defined: set[str] = set()  # the function and those nested in it
    again = False
    sends = False
    stack: list[ast.AST] = [function]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in _FUNCTION_KINDS:
            defining = cast("ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda", node)
            args = defining.args
            params.update(a.arg for a in (*args.posonlyargs, *args.args))
            if not isinstance(defining, ast.Lambda):
                defined.add(defining.name)
        elif kind in _LOOPS:
            again = True
        elif kind is ast.Call:
            call = cast(ast.Call, node)
            func = call.func
            name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
            if type(func) is ast.Name:
                called.add(func.id)
            if name is not None:
                names.add(name)
            if not sends and http_names is not None and name in _VERBS \
                    and _is_request(call, name, http_names):
                sends = True
        for field in _child_fields(kind):
            value = getattr(node, field, None)
            if type(value) is list:
                stack.extend(item for item in value if isinstance(item, ast.AST) and type(item) not in _LEAVES)
            elif isinstance(value, ast.AST) and type(value) not in _LEAVES:
                stack.append(value)
    again = again or bool(names & defined)  # recursion: `retry(fn, n - 1)`, `self.retry(fn)`, a wrapper's
    return sends, again and bool(params & called)


def candidates(tree: ast.Module, context: Context) -> Payload | None:
    """What the module may define, for `wanted`: "request" when it imports an HTTP library and a
    top-level function or a method of a top-level class sends a request, "retry" when one may
    be a retry helper; None when neither."""
    if is_sdk_module(context.module):
        return None  # an SDK's own modules are known by the SDK tables
    http_names: frozenset[str] | None = frozenset(
        local for local, target in context.imports.items()
        if any(target == name or target.startswith(f"{name}.") for name in _HTTP_MODULES))
    if not http_names:
        http_names = None
    sends = retries = False
    for function in _functions_and_methods(tree):
        request, retry = _marks_of(function, http_names if not sends else None)
        sends, retries = sends or request, retries or retry
        if retries and (sends or http_names is None):
            break
    found = (("request",) if sends else ()) + (("retry",) if retries else ())
    return found or None


def _functions_and_methods(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The module's top-level functions and the methods of its top-level classes."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node
        elif isinstance(node, ast.ClassDef):
            yield from (item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)))


register_summariser(CANDIDATES, candidates)


# --- phase one: the few modules worth a helper summary ------------------------------------------


def wanted(summaries: MutableMapping[str, ModuleSummary]) -> list[str]:
    """The paths of marked modules, not yet given helpers, that another project module imports."""
    # An SDK's own modules (the tree checked is an SDK) are known by the SDK tables instead.
    marked = {s.module: path for path, s in summaries.items()
              if s.extra_of(CANDIDATES) and s.extra_of(KIND) is None
              and not is_sdk_module(s.module)}
    if not marked:
        return []
    from binlint.analysis.project import imported_modules
    from binlint.analysis.project_build import _candidate_module

    found: dict[str, str] = {}
    tails = {module.rpartition(".")[2] for module in marked}
    for summary in summaries.values():
        for target in imported_modules(summary):  # also `import config` from `bot/main.py` finding `bot/config.py`
            if tails.isdisjoint(target.split(".")):
                continue  # names no marked module (a candidate's last part is one of the target's)
            module = _candidate_module(target, summary.module, summary.is_package, marked)
            if module is not None and module != summary.module:
                found[module] = marked[module]
    return list(found.values())


def summarise_helpers(path: str, data: bytes, config: Any) -> tuple[Payload, Payload]:
    """The request helpers and the retry helpers of one module, as plain tuples (empty when it
    has none or does not parse): one libcst parse for both."""
    try:
        from binlint.analysis import Analysis
        from binlint.analysis.module import ModuleModel
        from binlint.pipeline.parse.chunked import parse_guarded
        from binlint.pipeline.parse.reuse import keep

        text = data.decode("utf-8")
        module = parse_guarded(text)
        if module is None:  # nested too deeply for libcst: its check reports it
            return (), ()
        keep(text, module)  # the check of this file takes the tree instead of parsing again
        analysis = Analysis(ModuleModel(module, path, text, None), config)
    except Exception:  # bad input must never stop the index pass
        return (), ()
    requests: Payload = ()
    retries: Payload = ()
    try:
        from binlint.analysis.helpers import summarize

        requests = tuple(to_payload(h) for h in summarize(analysis).values())
    except Exception:
        pass
    try:
        retries = tuple(tuple(h.to_json().values()) for h in analysis.retries.helpers)
    except Exception:
        pass
    return requests, retries


def attach(summaries: MutableMapping[str, ModuleSummary], config: Any, store: Any = None) -> int:
    """Give the modules `wanted` finds their helper summaries (stored with their summaries); how many."""
    from binlint.analysis.project_build import _imported_names, gc_paused
    from binlint.pipeline.engine import read_regular

    count = 0
    for path in wanted(summaries):
        try:
            data, _info = read_regular(path, getattr(config, "max_file_size", 10 * 1024 * 1024))
        except OSError:
            continue
        if data is None:
            continue
        summary = summaries[path]
        with gc_paused():
            requests, retries = summarise_helpers(path, data, config)
        summary = replace(summary, extra=(*summary.extra, (KIND, requests), (RETRY_KIND, retries)), _maps={})
        summaries[path] = summary
        count += 1
        if store is not None:
            gated = summary.binance
            store.put(path, data, [gated, summary.stored_text(), [] if gated else list(_imported_names(data)),
                                   summary.fingerprint()])
    return count


# --- plain data both ways -----------------------------------------------------------------------


def to_payload(helper: "HelperSummary") -> tuple[Any, ...]:
    from binlint.analysis.helpers import HelperSummary

    values = []
    for f in fields(HelperSummary):
        value = getattr(helper, f.name)
        if f.name == "sends":
            value = tuple(tuple(getattr(send, g.name) for g in fields(send)) for send in value)
        values.append(value)
    return tuple(values)


def from_payload(payload: Any) -> "HelperSummary | None":
    from binlint.analysis.helpers import HelperSummary, SendSummary

    from binlint.analysis.summaries import _tuples

    try:
        payload = _tuples(payload)  # as read back from JSON
        names = [f.name for f in fields(HelperSummary)]
        data = dict(zip(names, payload, strict=True))
        send_names = [f.name for f in fields(SendSummary)]
        data["sends"] = tuple(SendSummary(**dict(zip(send_names, s, strict=True))) for s in data["sends"])
        return HelperSummary(**data)
    except (TypeError, ValueError, KeyError):
        return None


# --- phase two: what a module sees -------------------------------------------------------------


def imported_helpers(view: "ProjectView | None") -> "dict[str, HelperSummary]":
    """The helpers of the other modules of the project, by qualified name (`exchange.signed_request`)."""
    if view is None:
        return {}
    index = view.index
    if index._request_helpers is None:
        index._request_helpers = {name: helper for name, helper in _stored(index, KIND, from_payload)}
    return _of_other_modules(view, index._request_helpers)


def imported_retry_helpers(view: "ProjectView | None") -> "dict[str, RetryHelper]":
    """The retry helpers of the other modules of the project, by qualified name (`utils.retry`)."""
    if view is None:
        return {}
    index = view.index
    if index._retry_helpers is None:
        from binlint.analysis.project import display
        from binlint.analysis.retry_helpers import RetryHelper

        names = [f.name for f in fields(RetryHelper)]

        def load(item: Any) -> RetryHelper | None:
            try:
                return RetryHelper(**dict(zip(names, item, strict=True)))
            except (TypeError, ValueError):
                return None

        # Messages name a retry helper with its module.
        index._retry_helpers = {name: replace(helper, name=display(name))
                                for name, helper in _stored(index, RETRY_KIND, load)}
    return _of_other_modules(view, index._retry_helpers)


_Helper = TypeVar("_Helper", "HelperSummary", "RetryHelper")


def _stored(index: "ProjectIndex", kind: str, load: "Callable[[Any], _Helper | None]"
            ) -> "Iterator[tuple[str, _Helper]]":
    """The helpers of one kind stored in the modules' summaries, by qualified name."""
    for summary in index.modules.values():
        for item in summary.extra_of(kind) or ():
            helper = load(item)
            if helper is not None:
                yield (f"{summary.module}.{helper.name}" if summary.module else helper.name), helper


def _of_other_modules(view: "ProjectView", table: "dict[str, _Helper]") -> "dict[str, _Helper]":
    own = f"{view.module}."
    return {name: helper for name, helper in table.items() if not name.startswith(own)}


__all__ = ["CANDIDATES", "KIND", "attach", "candidates", "from_payload", "imported_helpers", "imported_retry_helpers", "to_payload", "wanted"]
