"""Request helpers across modules: which modules get a helper summary in phase one, how it is
stored with the module's summary, and how a module reads the helpers of the others.

The index pass reads modules with Python's `ast`; a request helper summary
(`binlint.analysis.helpers.summarize`) needs the libcst model. To keep phase one cheap, the
`ast` summary only marks a module that imports an HTTP library and whose top-level functions
or methods call a request verb (`candidates`, extra kind `request-helper-candidates`), or
that calls a parameter inside a loop or `try` (`retry_candidates`). After the pass, only the
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
from typing import TYPE_CHECKING, Any, Iterator, cast

from binlint.analysis.binance import is_sdk_module
from binlint.analysis.summaries import Context, ModuleSummary, Payload, register_summariser

if TYPE_CHECKING:
    from binlint.analysis.helpers import HelperSummary
    from binlint.analysis.project import ProjectView
    from binlint.analysis.retry_helpers import RetryHelper

CANDIDATES = "request-helper-candidates"
KIND = "request-helpers"
RETRY_CANDIDATES = "retry-helper-candidates"
RETRY_KIND = "retry-helpers"
_VERBS = frozenset({"get", "post", "put", "delete", "patch", "request", "urlopen", "fetch"})


def _sends(function: ast.AST) -> bool:
    """Whether a function's body calls something named like an HTTP verb (`requests.post`,
    `self.session.request`, `urlopen`)."""
    for node in ast.walk(function):
        if type(node) is ast.Call:
            func = node.func
            name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
            if name in _VERBS:
                return True
    return False


_HTTP_MODULES = ("requests", "httpx", "aiohttp", "urllib.request", "urllib3", "http.client")


def candidates(tree: ast.Module, context: Context) -> Payload | None:
    """True when the module imports an HTTP library and a top-level function or a method of a
    top-level class calls a request verb."""
    if is_sdk_module(context.module):
        return None  # an SDK's own modules are known by the SDK tables
    if not any(target == name or target.startswith(f"{name}.")
               for target in context.imports.values() for name in _HTTP_MODULES):
        return None
    return True if any(_sends(f) for f in _functions_and_methods(tree)) else None


def _functions_and_methods(tree: ast.Module) -> Iterator[ast.AST]:
    """The module's top-level functions and the methods of its top-level classes."""
    for node in tree.body:
        if type(node) in (ast.FunctionDef, ast.AsyncFunctionDef):
            yield node
        elif type(node) is ast.ClassDef:
            yield from (item for item in node.body if type(item) in (ast.FunctionDef, ast.AsyncFunctionDef))


def _calls_a_parameter(function: ast.AST) -> bool:
    """Whether a function (or one nested in it) calls one of its parameters inside a loop or a
    `try` (the shape of a retry helper: `def retry(fn, *args)`, a decorator's wrapper)."""
    params: set[str] = set()
    looping = False
    called: set[str] = set()
    for node in ast.walk(function):
        kind = type(node)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda):
            args = cast("ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda", node).args
            params.update(a.arg for a in (*args.posonlyargs, *args.args))
        elif kind in (ast.While, ast.For, ast.Try):
            looping = True
        elif kind is ast.Call:
            func = cast(ast.Call, node).func
            if type(func) is ast.Name:
                called.add(func.id)
    return looping and bool(params & called)


def retry_candidates(tree: ast.Module, context: Context) -> Payload | None:
    """True when a top-level function or a method may be a retry helper."""
    if is_sdk_module(context.module):
        return None
    return True if any(_calls_a_parameter(f) for f in _functions_and_methods(tree)) else None


register_summariser(CANDIDATES, candidates)
register_summariser(RETRY_CANDIDATES, retry_candidates)


# --- phase one: the few modules worth a helper summary ------------------------------------------


def wanted(summaries: dict[str, ModuleSummary]) -> list[str]:
    """The paths of marked modules, not yet given helpers, that another project module imports."""
    # An SDK's own modules (the tree checked is an SDK) are known by the SDK tables instead.
    marked = {s.module: path for path, s in summaries.items()
              if (s.extra_of(CANDIDATES) or s.extra_of(RETRY_CANDIDATES)) and s.extra_of(KIND) is None
              and not is_sdk_module(s.module)}
    if not marked:
        return []
    from binlint.analysis.project_build import _candidate_module

    found: dict[str, str] = {}
    for summary in summaries.values():
        for _, target in summary.imports:  # also `import config` from `bot/main.py` finding `bot/config.py`
            module = _candidate_module(target, summary.module, summary.is_package, marked)
            if module is not None and module != summary.module:
                found[module] = marked[module]
    return list(found.values())


def summarise_helpers(path: str, data: bytes, config: Any) -> tuple[Payload, Payload]:
    """The request helpers and the retry helpers of one module, as plain tuples (empty when it
    has none or does not parse): one libcst parse for both."""
    try:
        import libcst as cst

        from binlint.analysis import Analysis
        from binlint.analysis.module import ModuleModel

        text = data.decode("utf-8")
        analysis = Analysis(ModuleModel(cst.parse_module(text), path, text, None), config)
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


def attach(summaries: dict[str, ModuleSummary], config: Any, store: Any = None) -> int:
    """Give the modules `wanted` finds their helper summaries (stored with their summaries); how many."""
    from binlint.analysis.project_build import _imported_names
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
        requests, retries = summarise_helpers(path, data, config)
        summary = replace(summary, extra=(*summary.extra, (KIND, requests), (RETRY_KIND, retries)), _maps={})
        summaries[path] = summary
        count += 1
        if store is not None:
            gated = summary.binance
            store.put(path, data, [gated, summary.to_json(), [] if gated else list(_imported_names(data))])
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
    table = index._request_helpers
    if table is None:
        table = {}
        for summary in index.modules.values():
            payload = summary.extra_of(KIND)
            if not payload:
                continue
            for item in payload:
                helper = from_payload(item)
                if helper is not None:
                    table[f"{summary.module}.{helper.name}" if summary.module else helper.name] = helper
        index._request_helpers = table
    own = f"{view.module}."
    return {name: helper for name, helper in table.items() if not name.startswith(own)}


def imported_retry_helpers(view: "ProjectView | None") -> "dict[str, RetryHelper]":
    """The retry helpers of the other modules of the project, by qualified name (`utils.retry`)."""
    if view is None:
        return {}
    index = view.index
    table = index._retry_helpers
    if table is None:
        from binlint.analysis.retry_helpers import RetryHelper

        table = {}
        names = [f.name for f in fields(RetryHelper)]
        for summary in index.modules.values():
            for item in summary.extra_of(RETRY_KIND) or ():
                try:
                    helper = RetryHelper(**dict(zip(names, item, strict=True)))
                except (TypeError, ValueError):
                    continue
                name = f"{summary.module}.{helper.name}" if summary.module else helper.name
                table[name] = replace(helper, name=name)  # messages name its module
        index._retry_helpers = table
    own = f"{view.module}."
    return {name: helper for name, helper in table.items() if not name.startswith(own)}


__all__ = ["CANDIDATES", "KIND", "attach", "candidates", "from_payload", "imported_helpers", "imported_retry_helpers", "to_payload", "wanted"]
