"""Request helpers: functions that send a request whose endpoint, payload or credentials come
from their parameters, summarised once, and their calls read as requests.

A bot often signs and sends in one place and names the endpoint in another:

    def binanceus_request(uri_path, data, api_key, api_sec): ...   # signs, adds the header, POSTs
    binanceus_request("/api/v3/order", {"symbol": ..., "timestamp": ...}, key, sec)

`summarize(analysis)` describes each such function by a `HelperSummary`: plain values only
(str, int, bool, tuples), so a summary can be stored with a module and applied where the
helper is called, in this module or another one. It says which parameters become the
method, the URL, the payload, the API key and the secret; what the helper adds itself
(`timestamp`, `recvWindow`, `signature`, the `X-MBX-APIKEY` header, a timeout); and whether
its request runs inside a retry of its own. A function that only passes its parameters on
to a summarised helper (`def place(path, data): return signed_request(path, data, KEY,
SECRET)`) is summarised too, by composing the two.

`apply_summary(analysis, call, summary)` reads one call of a helper as a `HelperRequest`:
the endpoint, method and host the call site passes, and the parameters it sends (the call
site's payload plus what the helper adds). `analysis.helpers` (`HelperModel`) does this for
every call of a helper of the module, and of the helpers of other modules given to it with
`analysis.helpers.use({"exchange.binanceus_request": summary})` (what a project index does).

How a summary is found: each parameter is bound to a marker (a string `\\ue000name\\ue001`,
or a dict with that one key) and the helper's request is evaluated with the value and
signing analyses (`values.string_value`, `SigningModel.sent_keys`): where a marker comes
out, that parameter goes. Every function is summarised once; calls are found through the
module's call index, so the work is linear in the module.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable

import libcst as cst

from binlint.analysis import binance, endpoints
from binlint.analysis.objects import field_reads, given_for, handed_calls, passes_whole
from binlint.analysis.signing import KeySet
from binlint.analysis.values import (
    HOLE, Env, StrValue, dict_shape, dotted_text, literal_text, module_index, mutations_of,
    string_value,
)

# The summary types, re-exported: rules, the index and tests import them from here.
from binlint.analysis.helper_summary import CLOSE as CLOSE
from binlint.analysis.helper_summary import OPEN as OPEN
from binlint.analysis.helper_summary import HelperRequest as HelperRequest
from binlint.analysis.helper_summary import HelperSummary as HelperSummary
from binlint.analysis.helper_summary import SendSummary as SendSummary
from binlint.analysis.helper_summary import marker as marker

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.requests import EndpointCall, HelperCall, RequestSite
    from binlint.analysis.retries import RetryConstruct
    from binlint.analysis.signing import Signing

_MAX_LEVELS = 3  # call site -> helper -> helper -> request


# --- summarising ---------------------------------------------------------------------------


def summarize(analysis: "Analysis", lines: bool = True, called_here: bool = False) -> dict[str, HelperSummary]:
    """The request helpers of one module, by `func` / `Class.method` name, in source order.

    Without `lines` their `line`s are 0: the module's own check reads none, and placing every
    request of a large module costs more than the rest of its analysis. With `called_here`, only
    the helpers the module itself calls (or hands to a pool) are described: what its own check
    reads; other modules read the summaries of the project index."""
    return dict(_Summarizer(analysis, lines, called_here).run())


class _Summarizer:
    def __init__(self, analysis: "Analysis", lines: bool = True, called_here: bool = False) -> None:
        self.analysis = analysis
        self.model: ModuleModel = analysis.model
        self.by_function: dict[int, HelperSummary] = {}
        self._bound_memo: dict[int, list[str]] = {}
        self.functions: dict[int, cst.FunctionDef] = {}
        self.lines = lines
        self.called_here = called_here

    def _line(self, node: cst.CSTNode) -> int:
        return self.model.line(node) if self.lines else 0

    def run(self) -> Iterable[tuple[str, HelperSummary]]:
        model = self.model
        requests = self.analysis.requests
        # The functions that send requests themselves, in the order of their first request.
        sites = {id(site.function): site.function for site in requests.sites if site.function is not None}
        level: list[cst.FunctionDef] = []
        callers = requests._callers
        handed = handed_calls(model) if sites else {}  # `pool.apply_async(self._process, [request])` and the like
        for key, function in sites.items():
            if self.called_here and key not in callers and key not in handed:
                continue
            sends = tuple(s for s in (self._send(function, site) for site in requests.sites_in(function))
                          if s is not None)
            if sends:
                self.by_function[key] = self._summary(function, sends, None)
                self.functions[key] = function
                level.append(function)
        for _ in range(_MAX_LEVELS - 1):
            following: list[cst.FunctionDef] = []
            for helper in level:
                inner = self.by_function[id(helper)]
                calls = [(call, call) for call in callers.get(id(helper), ())] + handed.get(id(helper), [])
                for call, bound in calls:
                    caller = model.function_of(call)
                    if caller is None or id(caller) in self.by_function or id(caller) in sites:
                        continue
                    sends = tuple(s for s in (self._forward(caller, call, inner, send, bound) for send in inner.sends)
                                  if s is not None)
                    if sends:
                        self.by_function[id(caller)] = self._summary(caller, sends, inner.name)
                        self.functions[id(caller)] = caller
                        following.append(caller)
            level = following
        # Source order: functions' names stand on lines of their own, in tree order.
        order = model.tree.order
        for key in sorted(self.by_function, key=lambda k: order(self.functions[k])):
            summary = self.by_function[key]
            yield summary.name, summary

    # --- one function ---------------------------------------------------------------------

    def _summary(self, function: cst.FunctionDef, sends: tuple[SendSummary, ...], via: str | None
                 ) -> HelperSummary:
        model = self.model
        klass = model.class_of(function)
        is_method = klass is not None and model.tree.parent(model.tree.parent(function) or function) is klass
        params = function.params
        positional = [p.name.value for p in (*params.posonly_params, *params.params)]
        if is_method and positional and not _is_static(function):
            positional = positional[1:]
        var_keyword = params.star_kwarg.name.value if type(params.star_kwarg) is cst.Param else None
        name = f"{klass.name.value}.{function.name.value}" if is_method and klass is not None else function.name.value
        return HelperSummary(
            name=name, line=self._line(function.name), is_method=is_method, positional=tuple(positional),
            keyword_only=tuple(p.name.value for p in params.kwonly_params), var_keyword=var_keyword, sends=sends,
            via=via, has_var_positional=type(params.star_arg) is cst.Param,
        )

    def _params(self, function: cst.FunctionDef) -> list[str]:
        params = function.params
        names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
        if type(params.star_kwarg) is cst.Param:
            names.append(params.star_kwarg.name.value)
        return [n for n in names if n not in ("self", "cls")]

    def _bound(self, function: cst.FunctionDef) -> list[str]:
        """The parameters, and the fields of parameters the function reads (`request.path`)."""
        known = self._bound_memo.get(id(function))
        if known is None:
            params = self._params(function)
            known = self._bound_memo[id(function)] = params + field_reads(self.model, function, params)
        return known

    def _string_env(self, function: cst.FunctionDef) -> Env:
        return Env(function, {n: cst.SimpleString(f'"{marker(n)}"') for n in self._bound(function)})

    def _dict_env(self, function: cst.FunctionDef) -> Env:
        return Env(function, {
            n: cst.Dict([cst.DictElement(cst.SimpleString(f'"{marker(n)}"'), cst.Integer("0"))])
            for n in self._bound(function)
        })

    def _send(self, function: cst.FunctionDef, site: "RequestSite") -> SendSummary | None:
        """What one request of `function` takes from its parameters; None when it takes nothing."""
        model = self.model
        from binlint.analysis.requests import _method_text
        from binlint.analysis.sdk import argument, keyword_argument

        texts = self._string_env(function)
        url = string_value(model, site.url_expr, env=texts) if site.url_expr is not None else None
        method, method_param = site.method, None
        if method is None:
            method_expr = (argument(site.call, ("method",), 0) if site.request_call is None
                           else argument(site.request_call, ("method",), 5))
            given = string_value(model, method_expr, env=texts) if method_expr is not None else None
            method_param = _only_marker(given.text) if given is not None else None
            method = _method_text(model, method_expr) if method_param is None else None
        signing = self.analysis.signing
        keys = signing.sent_keys(site, self._dict_env(function))
        payload_param = next((k[1:-1] for k in keys.keys if k.startswith(OPEN) and k.endswith(CLOSE)), None)
        if payload_param is None and url is not None and "?" in url.text:
            payload_param = _only_marker(url.text.split("?", 1)[1].split("&", 1)[0])
        adds = tuple(sorted(k for k in keys.keys if OPEN not in k))
        complete = keys.complete and keyword_argument(site.call, "auth") is None and not any(
            type(sent) is cst.Attribute and type(sent.value) is cst.Name
            and passes_whole(model, function, sent.value.value, site.call)
            for sent in (site.params, site.data, site.json))  # an `auth=` handler or a `sign(request)` callback may sign
        url_text = url.text if url is not None else None
        if not (method_param or payload_param or (url_text is not None and OPEN in url_text)
                or (site.is_binance and site.path_known)):
            return None  # neither a helper nor a fixed Binance endpoint
        api_key_param = self._api_key_param(function, site)
        secret_param = self._secret_param(function, site)
        retried, backs_off, retry = self._retried(function, site.call, method_param)
        star = function.params.star_kwarg
        flows = [f for f in self._signings_by_site.get(id(site), ()) if f.digest is not None]
        signature = None
        changed: list[tuple[str, int]] = []
        if flows and flows[0].digest is not None and flows[0].digest.kind in ("hmac", "hash"):
            digest = flows[0].digest
            signature = (digest.kind, digest.algorithm or "", digest.output, model.line(digest.call))
        for flow in flows:
            for change in signing.changes_after(flow):
                if change.kind not in ("pop", "popitem", "delitem", "clear", "remove"):
                    changed.extend((key, model.line(change.node)) for key in sorted(change.keys(model)) or ("?",))
        return SendSummary(
            library=site.library, url=url_text, method=method, method_param=method_param,
            payload_param=payload_param,
            payload_kwargs=type(star) is cst.Param and star.name.value == payload_param,
            adds=adds, adds_complete=complete, api_key_param=api_key_param, secret_param=secret_param,
            sends_api_key_header=site.sends_api_key_header,
            timeout=site.timeout is not None or site.session_timeout, retried=retried, backs_off=backs_off,
            binance=site.is_binance, line=self._line(site.call), retry=retry, signature=signature,
            changed_after_signing=tuple(changed),
        )

    def _forward(self, caller: cst.FunctionDef, call: cst.Call, inner: HelperSummary, send: SendSummary,
                 bound: cst.Call | None = None) -> SendSummary | None:
        """`send` as `caller` makes it by calling the helper `inner` with its own parameters (`bound`:
        the call as the helper sees it, when `call` runs it through an executor)."""
        model = self.model
        bound = bound or call
        arguments = inner.bind(bound)
        if arguments is None:
            return None
        texts = self._string_env(caller)
        url = send.url
        if url is not None:
            for param in send.url_params:
                given = given_for(model, arguments, param)
                value = string_value(model, given, env=texts) if given is not None else None
                url = url.replace(marker(param), value.text if value is not None else HOLE)
        method, method_param = send.method, None
        if send.method_param is not None:
            given = given_for(model, arguments, send.method_param)
            value = string_value(model, given, env=texts) if given is not None else None
            method_param = _only_marker(value.text) if value is not None else None
            if method_param is None and value is not None and value.exact:
                method = value.text.strip().upper() or None
        adds, complete, payload_param = send.adds, send.adds_complete, None
        if any(type(arg.value) is cst.Name and passes_whole(model, caller, arg.value.value, call)
               for arg in bound.args):
            complete = False  # the object it passes went through a callback first (`self.sign(request)`)
        if send.payload_param is not None:
            given = given_for(model, arguments, send.payload_param)
            if given is not None:
                keys = self.analysis.signing.dict_keys(given, self._dict_env(caller), call)
                payload_param = next((k[1:-1] for k in keys.keys if k.startswith(OPEN)), None)
                adds = tuple(sorted({*adds, *(k for k in keys.keys if OPEN not in k)}))
                complete = complete and keys.complete
        if not (method_param or payload_param or (url is not None and OPEN in url) or _fixed_path(send, url)):
            return None
        star = caller.params.star_kwarg
        retried, backs_off, retry = self._retried(caller, call)
        return SendSummary(
            library=send.library, url=url, method=method, method_param=method_param, payload_param=payload_param,
            payload_kwargs=type(star) is cst.Param and star.name.value == payload_param,
            adds=adds, adds_complete=complete,
            api_key_param=self._passed_param(caller, given_for(model, arguments, send.api_key_param or "")),
            secret_param=self._passed_param(caller, given_for(model, arguments, send.secret_param or "")),
            sends_api_key_header=send.sends_api_key_header, timeout=send.timeout,
            retried=send.retried or retried, backs_off=(send.backs_off or not send.retried) and
            (backs_off or not retried), binance=send.binance, line=send.line, retry=send.retry or retry, signature=send.signature,
            changed_after_signing=send.changed_after_signing,
        )

    # --- credentials and retries ------------------------------------------------------------

    def _api_key_param(self, function: cst.FunctionDef, site: "RequestSite") -> str | None:
        """The parameter sent as the `X-MBX-APIKEY` header value."""
        headers = site.headers
        if headers is None:
            return None
        model = self.model
        values: list[cst.BaseExpression] = []
        shape = dict_shape(model, headers)
        if shape is not None:
            values.extend(i.value for i in shape.items if (i.key or "").lower() == binance.API_KEY_HEADER)
        if type(headers) in (cst.Name, cst.Attribute):
            for mutation in mutations_of(model, headers):
                if (mutation.key or "").lower() == binance.API_KEY_HEADER and mutation.value is not None:
                    values.append(mutation.value)
        for value in values:
            found = self._passed_param(function, value)
            if found is not None:
                return found
        return None

    def _secret_param(self, function: cst.FunctionDef, site: "RequestSite") -> str | None:
        """The parameter the signature sent by `site` is keyed with."""
        for flow in self._signings_by_site.get(id(site), ()):
            if flow.digest is None or flow.digest.key is None:
                continue
            found = self._passed_param(function, flow.digest.key, flow.digest.env)
            if found is not None:
                return found
        return None

    @cached_property
    def _signings_by_site(self) -> dict[int, list["Signing"]]:
        found: dict[int, list[Signing]] = {}
        for flow in self.analysis.signing.signings:
            if flow.site is not None:
                found.setdefault(id(flow.site), []).append(flow)
        return found

    def _passed_param(self, function: cst.FunctionDef, expr: cst.BaseExpression | None,
                      env: Env | None = None) -> str | None:
        """The parameter of `function` that `expr` is (through names, `bytes(...)`, `.encode()`)."""
        model = self.model
        for _ in range(8):
            if expr is None:
                return None
            if type(expr) is cst.Name:
                if env is not None:
                    passed = env.lookup(model, expr)
                    if passed is not None:
                        expr, env = passed
                        continue
                resolved = model.value_of(expr)
                if resolved is not expr:
                    expr = resolved
                    continue
                if model.function_of(expr) is function and not model.bindings(expr) \
                        and expr.value in self._params(function):
                    return expr.value
                return None
            if type(expr) is cst.Call:
                func = expr.func
                if type(func) is cst.Attribute and func.attr.value in ("encode", "strip"):
                    expr = func.value
                    continue
                if model.call_name(expr) in ("builtins.bytes", "builtins.bytearray", "builtins.str") and expr.args:
                    expr = expr.args[0].value
                    continue
            return None
        return None

    def _retried(self, function: cst.FunctionDef, node: cst.CSTNode, method_param: str | None = None
                 ) -> tuple[bool, bool, tuple[Any, ...]]:
        """Whether a retry construct of `function` itself runs `node` again, whether all such back
        off, and the one a call site in another module is told about (`SendSummary.retry`): none
        when the retry is decided by a test of the method parameter (`should_retry(e, method)`,
        which may retry only GET and DELETE)."""
        tree = self.model.tree
        retries = self.analysis.retries
        own = [c for c in retries.enclosing(node)
               if c.function is function or (tree.contains(function, c.node) and c.node is not function)]
        if not own:
            return False, True, ()
        told: tuple[Any, ...] = ()
        for construct in reversed(own):
            triggers = retries.triggers(construct, node)
            if method_param is not None and any(t.node is not None and self._tests_name(t.node, method_param) for t in triggers):
                return True, all(c.backs_off for c in own), ()
            outcome = "unknown" if any(t.outcome == "unknown" for t in triggers) else "not-placed" if all(
                t.outcome == "not-placed" for t in triggers) else "other"
            words = next((t.words for t in triggers if t.outcome == outcome), triggers[0].words)
            # Its line only where the summary is stored for other modules (placing a loop costs).
            candidate = (self._line(construct.node), construct.waits, construct.grows, construct.bounded,
                         construct.reads_retry_after, outcome, words)
            if not told or outcome != "not-placed":
                told = candidate
            if outcome != "not-placed":
                break
        return True, all(c.backs_off for c in own), told

    def _tests_name(self, node: cst.CSTNode, name: str) -> bool:
        """Whether a test in `node` (a handler, a condition) reads `name`."""
        tree = self.model.tree
        tests: list[cst.CSTNode] = [node] if type(node) is not cst.ExceptHandler else []
        tests.extend(n.test for n in tree.within(node, cst.If))
        return any(n.value == name for test in tests for n in tree.within(test, cst.Name))


def _fixed_path(send: SendSummary, url: str | None) -> bool:
    """A Binance request whose whole path is known."""
    from binlint.analysis.requests import split_url

    if not send.binance or url is None or OPEN in url:
        return False
    path = split_url(StrValue(url, HOLE not in url))[1]
    return path is not None and HOLE not in path


def _only_marker(text: str) -> str | None:
    """The parameter a text is exactly the marker of."""
    if text.startswith(OPEN) and text.endswith(CLOSE) and text.count(OPEN) == 1:
        return text[1:-1]
    return None


def _is_static(function: cst.FunctionDef) -> bool:
    return any(type(d.decorator) is cst.Name and d.decorator.value == "staticmethod" for d in function.decorators)


# --- applying a summary at a call site ---------------------------------------------------------


def apply_summary(analysis: "Analysis", call: cst.Call, summary: HelperSummary) -> list[HelperRequest]:
    """The requests a call of `summary`'s helper makes, read with the call site's arguments."""
    from binlint.analysis.requests import split_url

    model = analysis.model
    arguments = summary.bind(call)
    if arguments is None:
        return []
    found: list[HelperRequest] = []
    method_given = None
    for send in summary.sends:
        method = send.method
        if send.method_param is not None:
            given = given_for(model, arguments, send.method_param)
            value = string_value(model, given) if given is not None else None
            method = value.text.strip().upper() if value is not None and value.exact else None
            method_given = method
        url: StrValue | None = None
        if send.url is not None:
            text, exact = send.url, HOLE not in send.url
            for param in send.url_params:
                given = given_for(model, arguments, param)
                value = string_value(model, given) if given is not None else None
                text = text.replace(marker(param), value.text if value is not None else HOLE)
                exact = exact and value is not None and value.exact
            url = StrValue(text, exact)
        host, path, _ = split_url(url)
        payload = given_for(model, arguments, send.payload_param) if send.payload_param is not None else None
        keys = _payload_keys(analysis, payload, call) if send.payload_param is not None else KeySet()
        keys = KeySet(keys.keys | frozenset(send.adds), keys.complete and send.adds_complete)
        known = path is not None and HOLE not in path
        is_binance = send.binance or host in binance.REST_HOSTS or (
            path is not None and endpoints.is_binance_path(path) and model.is_binance)
        found.append(HelperRequest(
            call, summary, send, method, url, host, path, payload, keys, model.function_of(call), is_binance,
            bool(is_binance and known and endpoints.is_signed(method, path or "")),
            bool(is_binance and known and endpoints.is_order(method, path or "")),
        ))
    if len(found) > 1 and method_given is None:
        fixed = {r.method for r in found}
        if len(fixed) > 1:
            return []  # which branch runs depends on something the call site does not show
    if len(found) > 1:
        found = [r for r in found if r.send.method_param is not None or r.method == method_given] or found[:1]
    return found


def _payload_keys(analysis: "Analysis", payload: cst.BaseExpression | None, call: cst.Call) -> KeySet:
    if payload is None:
        return KeySet()  # nothing passed: the default (usually `{}` or None)
    if type(payload) is cst.Name and payload.value == "None":
        return KeySet()
    signing = analysis.signing
    if signing.is_textual(payload, None):
        return signing._text_keys(signing.string_parts(payload, None))
    if type(payload) is cst.Dict and analysis.model.tree.order(payload) < 0:
        return _made_up_keys(analysis, payload)
    return signing.dict_keys(payload, None, before=call)


def _made_up_keys(analysis: "Analysis", node: cst.Dict) -> KeySet:
    """The keys of the dict `bind` makes from a call's extra keywords."""
    keys = {literal_text(e.key) for e in node.elements if type(e) is cst.DictElement}
    keys.discard(None)
    return KeySet(frozenset(keys), True)  # type: ignore[arg-type]


# --- the module's view --------------------------------------------------------------------------


class HelperModel:
    """The request helpers of one module and their calls in it (`analysis.helpers`)."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.model: ModuleModel = analysis.model
        self.imported: dict[str, HelperSummary] = {}

    def use(self, summaries: "dict[str, HelperSummary]") -> None:
        """Helpers of other modules, by the qualified name calls resolve to through imports
        (`exchange.binanceus_request`): their calls here are read as requests too. To be given
        before `requests` is first read."""
        self.imported.update(summaries)

    @cached_property
    def summaries(self) -> dict[str, HelperSummary]:
        """Every request helper of the module (what other modules are told of it)."""
        return summarize(self.analysis, lines=False)

    @cached_property
    def _by_function(self) -> dict[int, HelperSummary]:
        """The helpers the module itself calls, by function: all its own check reads."""
        index = module_index(self.model)
        found: dict[int, HelperSummary] = {}
        for name, summary in summarize(self.analysis, lines=False, called_here=True).items():
            if "." in name:
                klass_name, method = name.split(".", 1)
                klass = index.classes.get(klass_name)
                function = index.methods.get((id(klass), method)) if klass is not None else None
            else:
                function = index.module_functions.get(name)
            if function is not None:
                found[id(function)] = summary
        return found

    def summary_of(self, function: cst.FunctionDef | None) -> HelperSummary | None:
        return self._by_function.get(id(function)) if function is not None else None

    @cached_property
    def requests(self) -> list[HelperRequest]:
        """Every call of a helper of this module, read as the requests it makes, in source order."""
        if not self._by_function and not self._imported:
            return []
        found: list[HelperRequest] = []
        for function_id, calls in self.analysis.requests._callers.items():
            summary = self._by_function.get(function_id)
            if summary is None:
                continue
            for call in calls:
                caller = self.summary_of(self.model.function_of(call))
                if caller is not None and caller.via == summary.name and any(s.takes_parameters for s in caller.sends):
                    continue  # a helper passing its own parameters on: its callers make the request
                found.extend(apply_summary(self.analysis, call, summary))
        found.extend(self.imported_requests)
        found.sort(key=lambda r: self.model.tree.order(r.call))
        return found

    @cached_property
    def _imported(self) -> dict[str, HelperSummary]:
        """The helpers given with `use`, and those of the other modules of the project."""
        from binlint.analysis.helper_index import imported_helpers

        found = imported_helpers(self.model.project)
        found.update(self.imported)
        return found

    @cached_property
    def imported_requests(self) -> list[HelperRequest]:
        """Calls of helpers of other modules, read as the requests they make, in source order."""
        imported = self._imported
        if not imported:
            return []
        found: list[HelperRequest] = []
        for call in self.model.calls():
            name = self._callee(call) or ""
            summary = imported.get(name)
            if summary is not None:
                found.extend(replace(r, origin=name) for r in apply_summary(self.analysis, call, summary))
        return found

    @cached_property
    def judged_here(self) -> list[HelperRequest]:
        """Binance requests made through a helper whose own request is not known as a Binance one
        where it is sent (a generic REST client given the host at run time): what is wrong inside
        the helper (its timeout, how it signs) is judged here, at the first such call of each."""
        found: list[HelperRequest] = []
        seen: set[tuple[str, SendSummary]] = set()
        for request in self.requests:
            key = (request.helper.name, request.send)
            if request.is_binance and not request.send.binance and key not in seen:
                seen.add(key)
                found.append(request)
        return found

    def _callee(self, call: cst.Call) -> str | None:
        """The qualified name a call calls; for a method of an object built in place
        (`RestClient(url, key, secret).request(...)`), the class's method."""
        name = self.model.call_name(call)
        func = call.func
        if name is None and type(func) is cst.Attribute and type(func.value) is cst.Call:
            klass = self.model.instance_type(func.value)
            return f"{klass}.{func.attr.value}" if klass else None
        return name

    @cached_property
    def _by_call(self) -> dict[int, list[HelperRequest]]:
        found: dict[int, list[HelperRequest]] = {}
        for request in self.requests:
            found.setdefault(id(request.call), []).append(request)
        return found

    def for_call(self, call: cst.CSTNode) -> list[HelperRequest]:
        return self._by_call.get(id(call), [])

    @cached_property
    def _helper_calls(self) -> dict[int, list["HelperCall"]]:
        found: dict[int, list[HelperCall]] = {}
        for helper_call in self.analysis.requests.helper_calls:
            found.setdefault(id(helper_call.call), []).append(helper_call)
        return found

    def retries_inside(self, call: cst.CSTNode) -> list["RetryConstruct"]:
        """The retry constructs inside the helper `call` calls (or the helpers it passes the request
        on to) that run its request again, outermost first. A helper of another module gives one
        construct of kind "helper" at the call, made from what its summary says of its retry."""
        requests = self.for_call(call)
        if not any(r.send.retried for r in requests):
            return []
        model = self.model
        retries = self.analysis.retries
        found: list[RetryConstruct] = []
        for helper_call in self._helper_calls.get(id(call), ()):
            for construct in retries.enclosing(helper_call.site.call):
                owner = construct.function or model.function_of(construct.node)
                if self.summary_of(owner) is not None and construct not in found:
                    found.append(construct)
        if not found and type(call) is cst.Call:
            found.extend(self._imported_retry(call, r.send.retry) for r in requests[:1] if r.send.retry)
        return found

    def retried_request(self, call: cst.CSTNode, construct: "RetryConstruct") -> cst.CSTNode:
        """The request a construct of `retries_inside(call)` runs again: the request inside the helper
        (what its triggers are read at), or `call` itself for a helper of another module."""
        retries = self.analysis.retries
        for helper_call in self._helper_calls.get(id(call), ()):
            if construct in retries.enclosing(helper_call.site.call):
                return helper_call.site.call
        return call

    def _imported_retry(self, call: cst.Call, retry: tuple[Any, ...]) -> "RetryConstruct":
        """The retry inside a helper of another module, as a construct at the called name
        (nothing of this module runs again: the call's arguments are made once)."""
        from binlint.analysis.retries import RetryConstruct
        from binlint.analysis.retry_helpers import RetryHelper

        line, waits, grows, bounded, reads_retry_after, failure, words = retry
        name = self.model.call_name(call) or dotted_text(call.func) or "?"
        helper = RetryHelper(name=name, line=line, form="call", parameter="", position=-1, waits=waits,
                             grows=grows, bounded=bounded, reads_retry_after=reads_retry_after, failure=failure,
                             failure_words=words)
        return RetryConstruct(kind="helper", node=call.func, roots=(), function=None, waits=waits, grows=grows,
                              bounded=bounded, reads_retry_after=reads_retry_after, rate_limit=None, wait=None,
                              helper=helper)


def label(model: "ModuleModel", call: cst.Call) -> str:
    """`binanceus_request(...)` / `self._signed(...)` for messages."""
    return f"`{dotted_text(call.func) or model.code(call.func)}(...)`"


def through(model: "ModuleModel", endpoint: "EndpointCall") -> str:
    """` through `signed_request(...)``, when the endpoint is requested by calling a helper; else ""."""
    if endpoint.site is not None and endpoint.call is endpoint.site.call:
        return ""
    return f" through {label(model, endpoint.call)}"


__all__ = ["HelperModel", "HelperRequest", "HelperSummary", "SendSummary", "apply_summary", "marker", "summarize"]
