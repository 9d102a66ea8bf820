"""HTTP requests a module sends: where, to which URL, with what parameters and headers.

`RequestModel(analysis)` (as `analysis.requests`) finds every HTTP call made with
`requests`, `httpx`, `aiohttp` or `urllib.request`, resolved through imports (never by
variable name), and describes each as a `RequestSite`:

- `requests`: `requests.get/post/put/patch/delete/head/options/request(...)`, and the
  same methods on a `requests.Session()` (assigned, `with ... as s`, `self.session` set
  in `__init__`, or a parameter annotated `requests.Session`);
- `httpx`: the module functions and `Client`/`AsyncClient` methods (`async with` too);
- `aiohttp`: `ClientSession` methods (`async with session.get(url) as resp`) and
  `aiohttp.request(method, url)`;
- `urllib`: `urlopen(url)` and `urlopen(Request(url, data=..., headers=..., method=...))`;
  the site is the `urlopen` call, its URL/data/headers/method come from the `Request`.

API (stable; other models and rules read it):

- `RequestModel.sites` — every `RequestSite`, in source order.
- `RequestModel.binance_sites` — those whose `is_binance` is true.
- `RequestModel.site_for(call)` — the site of a `cst.Call`, or None.
- `RequestModel.helper_calls` — `HelperCall`s: calls of a same-module helper whose request
  takes its URL or method from the helper's parameters (`self._signed("POST",
  "/api/v3/order", params)`), with the path and method resolved at the caller. Nested
  helpers (a helper calling a helper) are followed up to three levels.
- `RequestModel.endpoint_calls()` — every place a known Binance endpoint is requested:
  the sites with a known path plus the helper calls (`EndpointCall`: call, site, method,
  path, is_signed_path, is_order_path, function; for a helper of another module no site,
  and `helper`, the `HelperRequest` its call is read as).

`RequestSite` fields: `call`, `library` ("requests" | "httpx" | "aiohttp" | "urllib"),
`method` ("GET", "POST", ... or None when unknown), `url_expr`, `url` (a `StrValue` with
holes, or None), `host` (lower case, or None), `path` (without query string; may hold
`values.HOLE`), `query` (the query string written into the URL, or None), `params`,
`data`, `json`, `headers` (argument expressions or None), `session_expr` (the session or
client the method is called on, or None), `session_call` (the call that built it, when
known), `timeout` (the `timeout=` `cst.Arg` or None), `session_timeout` (the session or
client was built with a `timeout=`), `verify` (the `verify=`/`ssl=`/`verify_ssl=` Arg or
None), `session_verify` (`verify=` given when building the session, or
`session.verify = ...`, as an expression), `function` (enclosing `cst.FunctionDef`),
`is_binance`, `is_signed_path`, `is_order_path` (from `endpoints.py`, for fully known
paths only), `sends_api_key_header` (on the call, through a headers variable and its
updates, a same-module helper returning the headers, the `Request`, or the session:
construction `headers=`, `session.headers.update({...})`, `session.headers[...] = ...`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Iterator
from urllib.parse import urlsplit

import libcst as cst

from binlint.analysis import binance, endpoints
from binlint.analysis.sdk import argument, keyword_argument
from binlint.analysis.values import (
    HOLE, Env, Mutation, StrValue, called_function, dict_shape, dotted_text, literal_text, module_index,
    mutations_of, returned_values, string_value,
)
from binlint.analysis.http_facts import HTTP_METHODS, MODULE_FUNCTIONS, SESSION_CLASSES
from binlint.analysis.values import bind_arguments as _bind_arguments
from binlint.constructors import plain_init

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.helpers import HelperRequest

_URLOPEN = frozenset({"urllib.request.urlopen", "urllib2.urlopen", "six.moves.urllib.request.urlopen"})
_URLLIB_REQUEST = frozenset({"urllib.request.Request", "urllib2.Request", "six.moves.urllib.request.Request"})

_VERBS = frozenset({*HTTP_METHODS, "request", "urlopen"})

# Positional parameters after the URL, per method (requests' signatures).
_POSITIONAL: dict[str, tuple[str, ...]] = {
    "get": ("params",), "post": ("data", "json"), "put": ("data",), "patch": ("data",),
}


@dataclass(frozen=True, slots=True)
class RequestSite:
    """One HTTP call, with everything the source tells about it (see the module docs)."""

    call: cst.Call
    library: str
    method: str | None
    url_expr: cst.BaseExpression | None
    url: StrValue | None
    host: str | None
    path: str | None
    query: str | None
    params: cst.BaseExpression | None
    data: cst.BaseExpression | None
    json: cst.BaseExpression | None
    headers: cst.BaseExpression | None
    session_expr: cst.BaseExpression | None
    session_call: cst.Call | None
    timeout: cst.Arg | None
    session_timeout: bool
    verify: cst.Arg | None
    session_verify: cst.BaseExpression | None
    function: cst.FunctionDef | None
    is_binance: bool
    is_signed_path: bool
    is_order_path: bool
    sends_api_key_header: bool
    request_call: cst.Call | None = None  # urllib: the `Request(...)` the `urlopen` sends

    @property
    def path_known(self) -> bool:
        """Whether the whole path is known (no hole in it)."""
        return self.path is not None and HOLE not in self.path

    @property
    def body(self) -> cst.BaseExpression | None:
        """`data=` or `json=`, whichever is given."""
        return self.data if self.data is not None else self.json


@dataclass(frozen=True, slots=True)
class HelperCall:
    """A call of a same-module helper that sends `site` with a URL/method from its arguments."""

    call: cst.Call
    site: RequestSite
    method: str | None
    url: StrValue | None
    host: str | None
    path: str | None
    function: cst.FunctionDef | None  # where the helper is called
    is_binance: bool
    is_signed_path: bool
    is_order_path: bool
    env: Env


@plain_init
@dataclass(frozen=True, slots=True)
class EndpointCall:
    """Where a Binance endpoint is requested: a site, or the call of a helper that sends one."""

    call: cst.Call
    site: RequestSite | None  # None for the call of a helper of another module (see `helper`)
    method: str | None
    path: str
    function: cst.FunctionDef | None
    is_signed_path: bool
    is_order_path: bool
    helper: "HelperRequest | None" = None  # the call read through a helper of another module


class RequestModel:
    """The HTTP request sites of one module."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.model: ModuleModel = analysis.model

    # --- public API ----------------------------------------------------------------

    @cached_property
    def sites(self) -> list[RequestSite]:
        found = []
        for call in self.model.calls():
            func = call.func
            last = func.attr.value if type(func) is cst.Attribute else (
                func.value if type(func) is cst.Name else None)
            if last not in _VERBS and not (type(func) is cst.Name and func.value in self.model.imports):
                continue
            site = self._site(call)
            if site is not None:
                found.append(site)
        return found

    @cached_property
    def binance_sites(self) -> list[RequestSite]:
        return [site for site in self.sites if site.is_binance]

    @cached_property
    def _by_call(self) -> dict[int, RequestSite]:
        return {id(site.call): site for site in self.sites}

    def site_for(self, call: cst.CSTNode) -> RequestSite | None:
        return self._by_call.get(id(call))

    def sites_in(self, function: cst.FunctionDef | None) -> list[RequestSite]:
        """The sites of one function (None: of the module's top level), in source order."""
        return self._by_function.get(id(function), [])

    @cached_property
    def _by_function(self) -> dict[int, list[RequestSite]]:
        found: dict[int, list[RequestSite]] = {}
        for site in self.sites:
            found.setdefault(id(site.function), []).append(site)
        return found

    @cached_property
    def helper_calls(self) -> list[HelperCall]:
        found: list[HelperCall] = []
        for site in self.sites:
            if site.function is None or site.url_expr is None:
                continue
            if site.path_known and site.method is not None and site.host is not None:
                continue
            found.extend(self._helper_calls(site, site.function, None, 0))
        found.sort(key=lambda h: self.model.tree.order(h.call))
        return found

    def endpoint_calls(self) -> Iterator[EndpointCall]:
        """Every place a fully known Binance path is requested (sites and helper calls)."""
        for site in self.binance_sites:
            if site.path_known and site.path is not None:
                yield EndpointCall(site.call, site, site.method, site.path, site.function,
                                   site.is_signed_path, site.is_order_path)
        for helper in self.helper_calls:
            if helper.is_binance and helper.path is not None and HOLE not in helper.path:
                yield EndpointCall(helper.call, helper.site, helper.method, helper.path, helper.function,
                                   helper.is_signed_path, helper.is_order_path)
        for request in self.analysis.helpers.imported_requests:
            if request.is_binance and request.path_known and request.path is not None:
                yield EndpointCall(request.call, None, request.method, request.path, request.function,
                                   request.is_signed_path, request.is_order_path, request)

    # --- recognising a call -----------------------------------------------------------

    def _site(self, call: cst.Call) -> RequestSite | None:
        model = self.model
        func = call.func
        library: str | None = None
        verb: str | None = None
        session: cst.BaseExpression | None = None
        session_call: cst.Call | None = None
        request_call: cst.Call | None = None
        name = model.call_name(call)
        if name in MODULE_FUNCTIONS:
            library, verb = MODULE_FUNCTIONS[name], name.rsplit(".", 1)[1]
        elif name in _URLOPEN:
            library, verb = "urllib", "urlopen"
        elif type(func) is cst.Attribute and func.attr.value in (*HTTP_METHODS, "request"):
            owner = self._session_class(func.value)
            if owner is not None:
                library, verb, session = SESSION_CLASSES[owner], func.attr.value, func.value
                session_call = self._construction(func.value)
        if library is None or verb is None:
            return None

        method: str | None
        if verb == "urlopen":
            target = call.args[0].value if call.args else None
            request_call = self._urllib_request(target)
            if request_call is not None:
                url_expr = argument(request_call, ("url",), 0)
                data = argument(request_call, ("data",), 1)
                headers = argument(request_call, ("headers",), 2)
                method_expr = argument(request_call, ("method",), 5)
                method = _method_text(model, method_expr) if method_expr is not None else ("POST" if data else "GET")
            else:
                url_expr, data, headers = target, argument(call, ("data",), 1), None
                method = "POST" if data is not None else "GET"
            params = json_arg = None
        else:
            if verb == "request":
                method_expr = argument(call, ("method",), 0)
                method = _method_text(model, method_expr)
                url_expr = argument(call, ("url",), 1)
                positional: tuple[str, ...] = ()
            else:
                method = verb.upper()
                url_expr = argument(call, ("url",), 0)
                positional = _POSITIONAL.get(verb, ()) if library == "requests" else ()
            params = _arg(call, "params", positional)
            data = _arg(call, "data", positional)
            json_arg = _arg(call, "json", positional)
            headers = _arg(call, "headers", positional)

        url = string_value(model, url_expr) if url_expr is not None else None
        host, path, query = split_url(url)
        timeout = keyword_argument(call, "timeout")
        verify = keyword_argument(call, "verify") or keyword_argument(call, "ssl") or keyword_argument(
            call, "verify_ssl")
        if verb == "urlopen":
            timeout = timeout or _positional_arg(call, 2)
            verify = keyword_argument(call, "context")
        api_key = self._has_api_key_header(headers) or (
            request_call is not None and self._urllib_adds_api_key(call.args[0].value if call.args else None))
        if not api_key and session is not None:
            api_key = self._session_has_api_key(session, session_call)
        is_binance = host in binance.REST_HOSTS or api_key or (
            path is not None and endpoints.is_binance_path(path) and model.is_binance)
        known = path is not None and HOLE not in path
        return RequestSite(
            call=call, library=library, method=method, url_expr=url_expr, url=url, host=host, path=path,
            query=query, params=params, data=data, json=json_arg, headers=headers, session_expr=session,
            session_call=session_call, timeout=timeout,
            session_timeout=session_call is not None and keyword_argument(session_call, "timeout") is not None,
            verify=verify, session_verify=self._session_verify(session, session_call),
            function=model.function_of(call), is_binance=is_binance,
            is_signed_path=bool(is_binance and known and endpoints.is_signed(method, path or "")),
            is_order_path=bool(is_binance and known and endpoints.is_order(method, path or "")),
            sends_api_key_header=api_key, request_call=request_call,
        )

    def _session_class(self, receiver: cst.BaseExpression) -> str | None:
        model = self.model
        if type(receiver) is cst.Call:
            name = model.instance_type(receiver)
        else:
            name = model.qualname(receiver)
        return name if name in SESSION_CLASSES else None

    def _construction(self, receiver: cst.BaseExpression) -> cst.Call | None:
        """The call that built a session (`requests.Session()`, `httpx.Client(timeout=5)`)."""
        if type(receiver) is cst.Call:
            return receiver
        for binding in reversed(self.model.bindings(receiver)) if type(receiver) in (cst.Name, cst.Attribute) \
                else ():
            value = binding.value
            if type(value) is cst.Await:
                value = value.expression
            if type(value) is cst.Call and self.model.instance_type(value) in SESSION_CLASSES:
                return value
        return None

    def _urllib_request(self, target: cst.BaseExpression | None) -> cst.Call | None:
        if target is None:
            return None
        value = self.model.value_of(target)
        if type(value) is cst.Call and self.model.call_name(value) in _URLLIB_REQUEST:
            return value
        return None

    # --- headers ------------------------------------------------------------------------

    def _has_api_key_header(self, headers: cst.BaseExpression | None, depth: int = 0) -> bool:
        if headers is None or depth > 3:
            return False
        model = self.model
        shape = dict_shape(model, headers)
        if shape is not None and any(_is_api_key_name(k) for k in shape.keys()):
            return True
        if type(headers) is cst.Call:
            helper = called_function(model, headers)
            if helper is not None:
                return any(self._has_api_key_header(v, depth + 1) for v in returned_values(model, helper))
        # `headers = {...}` then `headers["X-MBX-APIKEY"] = key` / `headers.update(...)`
        if type(headers) in (cst.Name, cst.Attribute):
            for mutation in mutations_of(model, headers):
                if any(_is_api_key_name(k) for k in mutation.keys(model)):
                    return True
            resolved = model.value_of(headers)
            if resolved is not headers and type(resolved) is not cst.Dict:
                return self._has_api_key_header(resolved, depth + 1)
        return False

    def _session_has_api_key(self, session: cst.BaseExpression, construction: cst.Call | None) -> bool:
        model = self.model
        if construction is not None:
            given = keyword_argument(construction, "headers")
            if given is not None and self._has_api_key_header(given.value):
                return True
        return any(
            _is_api_key_name(key)
            for mutation in self._session_header_changes(session)
            for key in mutation.keys(model)
        )

    def _session_header_changes(self, session: cst.BaseExpression) -> list[Mutation]:
        """Changes to `<session>.headers` (`update`, `[...] =`, `headers = {...}`) where the session lives."""
        model = self.model
        text = dotted_text(session)
        if text is None:
            return []
        index = module_index(model)
        owners = {index.owner(session, text)}
        if type(session) is cst.Name:  # a module-level session is changed where it is bound
            owners.update(index.owner(binding.statement, text) for binding in model.bindings(session))
        target = f"{text}.headers"
        found = [m for owner in owners for m in index.mutations().get((owner, target), ())]
        for assign in index.assignments_to(target):
            if index.owner(assign, text) in owners:
                found.append(Mutation(target, "update", None, assign.value, assign, model.tree.order(assign)))
        return found

    def _urllib_adds_api_key(self, target: cst.BaseExpression | None) -> bool:
        """`req.add_header("X-MBX-APIKEY", key)` on the Request a `urlopen` sends."""
        if type(target) is not cst.Name:
            return False
        for call in self.model.calls():
            func = call.func
            if type(func) is cst.Attribute and func.attr.value in ("add_header", "add_unredirected_header") \
                    and type(func.value) is cst.Name and func.value.value == target.value and call.args:
                if _is_api_key_name(literal_text(call.args[0].value)):
                    return True
        return False

    def _session_verify(self, session: cst.BaseExpression | None, construction: cst.Call | None
                        ) -> cst.BaseExpression | None:
        if construction is not None:
            arg = keyword_argument(construction, "verify")
            if arg is not None:
                return arg.value
            connector = keyword_argument(construction, "connector")
            if connector is not None and type(connector.value) is cst.Call:
                ssl = keyword_argument(connector.value, "ssl") or keyword_argument(connector.value, "verify_ssl")
                if ssl is not None:
                    return ssl.value
        if session is not None and type(session) in (cst.Name, cst.Attribute):
            assigns = module_index(self.model).assignments_to(f"{dotted_text(session)}.verify")
            if assigns:
                return assigns[0].value
        return None

    # --- helpers that take the URL from their arguments -------------------------------------

    def _helper_calls(self, site: RequestSite, function: cst.FunctionDef, env: Env | None,
                      depth: int) -> Iterator[HelperCall]:
        if depth >= 3:
            return
        model = self.model
        for call in self._calls_of(function):
            arguments = _bind_arguments(call, function)
            if not arguments:
                continue
            caller_env = Env(function, arguments, None)
            full_env = _chain(env, caller_env)
            url = string_value(model, site.url_expr, env=full_env) if site.url_expr is not None else None
            host, path, _ = split_url(url)
            method = site.method
            if method is None:
                method_expr = (argument(site.call, ("method",), 0) if site.request_call is None
                               else argument(site.request_call, ("method",), 5))
                if method_expr is not None:
                    method = _method_text(model, method_expr, full_env)
            caller = model.function_of(call)
            known = path is not None and HOLE not in path
            if url != site.url or method != site.method:  # the arguments reach the URL or the method
                is_binance = site.is_binance or host in binance.REST_HOSTS or (
                    path is not None and endpoints.is_binance_path(path) and model.is_binance)
                yield HelperCall(
                    call, site, method, url, host, path, caller, is_binance,
                    bool(is_binance and known and endpoints.is_signed(method, path or "")),
                    bool(is_binance and known and endpoints.is_order(method, path or "")), full_env,
                )
            if caller is not None and (not known or method is None):
                yield from self._helper_calls(site, caller, full_env, depth + 1)

    @cached_property
    def _callers(self) -> dict[int, list[cst.Call]]:
        found: dict[int, list[cst.Call]] = {}
        for call in self.model.calls():
            function = called_function(self.model, call)
            if function is not None:
                found.setdefault(id(function), []).append(call)
        return found

    def _calls_of(self, function: cst.FunctionDef) -> list[cst.Call]:
        return self._callers.get(id(function), [])


# --- small pure helpers ---------------------------------------------------------------------


def split_url(url: StrValue | None) -> tuple[str | None, str | None, str | None]:
    """(host, path, query) of a URL known in part; path keeps holes, query None when absent."""
    if url is None:
        return None, None, None
    text = url.text
    host: str | None = None
    rest = text
    if text.startswith(("http://", "https://")):
        after = text.split("://", 1)[1]
        netloc, slash, tail = after.partition("/")
        if HOLE not in netloc:
            host = urlsplit(f"//{netloc}").hostname
            rest = slash + tail
        else:  # `BASE + path`: the host is known when the text before the hole is a whole REST host
            known, hole, tail = netloc.partition(HOLE)
            host = known.lower() if known.lower() in binance.REST_HOSTS else None
            rest = hole + tail + slash + after.partition("/")[2]
    else:
        host = binance.binance_host(text)
        if host is not None:
            rest = text[text.lower().find(host) + len(host):]
    if host is None or not rest.startswith("/"):
        found = binance.binance_path(rest)
        if found is None and "/wapi/" in rest:
            found = rest[rest.find("/wapi/"):]
        if found is None and not rest.startswith("/"):
            return host, None, _query(rest)
        rest = found if found is not None else rest
    path, query = rest, None
    if "?" in rest:
        path, query = rest.split("?", 1)
    path = path.split("#", 1)[0]
    return host, path or "/", query


def _query(text: str) -> str | None:
    return text.split("?", 1)[1] if "?" in text else None


def _arg(call: cst.Call, keyword: str, positional: tuple[str, ...]) -> cst.BaseExpression | None:
    position = positional.index(keyword) + 1 if keyword in positional else None
    return argument(call, (keyword,), position)


def _positional_arg(call: cst.Call, position: int) -> cst.Arg | None:
    index = 0
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            if index == position:
                return arg
            index += 1
    return None


def _method_text(model: "ModuleModel", expr: cst.BaseExpression | None, env: Env | None = None) -> str | None:
    if expr is None:
        return None
    value = string_value(model, expr, env=env)
    if value is None or not value.exact:
        return None
    text = value.text.strip().upper()
    return text if text.isalpha() else None


def _is_api_key_name(text: str | None) -> bool:
    return text is not None and text.strip().lower() == binance.API_KEY_HEADER


def _chain(inner: Env | None, outer: Env) -> Env:
    """`inner` (the helper's env) evaluated with `outer` (its caller's) behind it."""
    if inner is None:
        return outer
    return Env(inner.function, inner.arguments, _chain(inner.parent, outer))
