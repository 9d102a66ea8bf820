"""Parameters: which parameters a request sends, and where a value given to a request parameter
(`timestamp`, `recvWindow`) is written."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import libcst as cst

from binlint.analysis.requests import EndpointCall, RequestSite
from binlint.analysis.sdk import keyword_argument
from binlint.analysis.values import Env, called_function, dotted_text, literal_text, mentions, module_index
from binlint.analysis.signing.common import UNKNOWN_KEYS, KeySet, ParamValue, after_question_mark, target_expr
from binlint.analysis.signing.flows import FlowReader

if TYPE_CHECKING:
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.walk import TreeIndex


class ParameterReader(FlowReader):
    """The parameters requests send."""

    def sent_keys(self, site: RequestSite, env: Env | None = None) -> KeySet:
        """The parameters a request sends: URL query, params, and a form body (found once per site and
        environment: several rules ask)."""
        key = (id(site), id(env))
        known = self._sent_keys_memo.get(key)
        if known is None or known[0] is not site or known[1] is not env:
            known = self._sent_keys_memo[key] = (site, env, self._sent_keys(site, env))
        return known[2]

    def _sent_keys(self, site: RequestSite, env: Env | None) -> KeySet:
        result = KeySet()
        if site.url_expr is not None and site.query is not None:
            parts = self.string_parts(site.url_expr, env)
            query_parts = after_question_mark(parts)
            result = result | (self._text_keys(query_parts) if query_parts else UNKNOWN_KEYS)
        for expr in (site.params, site.data):
            if expr is None:
                continue
            if self.is_textual(expr, env):
                result = result | self._text_keys(self.string_parts(expr, env))
            else:
                result = result | self.dict_keys(expr, env, before=site.call)
        return result

    @cached_property
    def signed_endpoint_requests(self) -> list[tuple[EndpointCall, KeySet]]:
        """Requests to a SIGNED Binance path whose parameters the code shows (no JSON body, no
        `auth=` handler), each with the keys it sends; a helper's call is read with its arguments."""
        requests = self.analysis.requests
        envs: dict[int, Env] = {}
        for helper in requests.helper_calls:
            envs.setdefault(id(helper.call), helper.env)
        found = []
        for endpoint in requests.endpoint_calls():
            site = endpoint.site
            if site is None:
                if endpoint.is_signed_path and endpoint.helper is not None:
                    found.append((endpoint, endpoint.helper.keys))  # a helper of another module
                continue
            if endpoint.is_signed_path and site.json is None and keyword_argument(site.call, "auth") is None:
                found.append((endpoint, self.sent_keys(site, envs.get(id(endpoint.call)))))
        return found

    # --- parameter values -------------------------------------------------------------------

    def parameter_values(self, *names: str) -> list[ParamValue]:
        """Every value given to a request parameter named one of `names`, where it is written."""
        memo = self._parameter_values_memo
        if names not in memo:  # several rules ask for `timestamp` and `recvWindow`: found once
            memo[names] = self._parameter_values(names)
        return list(memo[names])

    def _parameter_values(self, names: tuple[str, ...]) -> list[ParamValue]:
        wanted = set(names)
        found: list[ParamValue] = []
        model = self.model
        for element in model.tree.of_type(cst.DictElement):
            if not mentions(element.key, *wanted):
                continue
            key = literal_text(element.key)
            if key in wanted:
                found.append(ParamValue(key, element.value, element, "dict"))
        for mutations in module_index(model).mutations().values():
            for mutation in mutations:
                if mutation.kind == "setitem" and mutation.key in wanted and mutation.value is not None:
                    found.append(ParamValue(mutation.key, mutation.value, mutation.node, "setitem"))
        for call in model.calls():
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in wanted:
                    found.append(ParamValue(arg.keyword.value, arg.value, arg, "keyword"))
        for fstring in model.tree.of_type(cst.FormattedString):
            parts = list(fstring.parts)
            for index, part in enumerate(parts[:-1]):
                if type(part) is cst.FormattedStringText:
                    match = re.search(r"(?:^|[&?])([A-Za-z_]\w*)=$", part.value)
                    following = parts[index + 1]
                    if match and match.group(1) in wanted and type(following) is cst.FormattedStringExpression:
                        found.append(ParamValue(match.group(1), following.expression, fstring, "query"))
        for binop in model.tree.of_type(cst.BinaryOperation):
            if type(binop.operator) is cst.Add:
                text = self._tail_text(binop.left)
                if text:
                    match = re.search(r"(?:^|[&?])([A-Za-z_]\w*)=$", text)
                    if match and match.group(1) in wanted:
                        found.append(ParamValue(match.group(1), binop.right, binop, "query"))
        found.sort(key=lambda p: model.tree.order(p.node))
        return found

    def request_parameter_values(self, *names: str) -> list[ParamValue]:
        """`parameter_values` limited to values that go into a request: query texts, arguments of SDK
        calls and of same-module request helpers, and dicts that reach a request, a signature, an SDK
        call or a request helper."""
        memo = self._request_parameter_values_memo
        if names not in memo:
            memo[names] = self._request_parameter_values(names)
        return list(memo[names])

    def _request_parameter_values(self, names: tuple[str, ...]) -> list[ParamValue]:
        model = self.model
        found = []
        for value in self.parameter_values(*names):
            if value.context == "query":
                found.append(value)
            elif value.context == "keyword":
                call = model.tree.parent(value.node)
                if type(call) is cst.Call and (
                        id(call) in self._sdk_calls or id(called_function(model, call)) in self._request_functions
                        or self.analysis.helpers.for_call(call)
                        or (model.call_name(call) == "builtins.dict" and self._reaches_request(call, call))):
                    found.append(value)
            else:
                # A dict's value that reaches a request needs no look at the SDK's calls (which a module of
                # hand-signed requests may not otherwise need).
                carrier = model.tree.parent(value.node) if value.context == "dict" else target_expr(value.node)
                if carrier is not None and (self._reaches_request(carrier, value.node)  # type: ignore[arg-type]
                                            or self._in_sdk_call(value.node, self._sdk_calls)):
                    found.append(value)
        return found

    @cached_property
    def _sdk_calls(self) -> set[int]:
        """ids of the SDK's calls and client constructions."""
        sdk = self.analysis.sdk
        return {id(c.call) for c in sdk.calls} | {id(c.call) for c in sdk.constructions}

    def sender_reads(self, text: str) -> list[cst.CSTNode]:
        """Where a name or dotted attribute (`params`, `self.params`) is read inside a function
        that sends or signs a request, in source order."""
        return self._sender_reads.get(text, [])

    @cached_property
    def _sender_reads(self) -> dict[str, list[cst.CSTNode]]:
        senders = self._request_functions
        found: dict[str, list[cst.CSTNode]] = {}
        for kind in (cst.Name, cst.Attribute):
            for node in self.model.tree.of_type(kind):
                function = self.model.function_of(node)
                if function is None or id(function) not in senders:
                    continue
                text = dotted_text(node)
                if text is not None:
                    found.setdefault(text, []).append(node)
        return found

    @cached_property
    def _request_functions(self) -> set[int]:
        """ids of functions that send or sign a request, and of the functions that call those."""
        direct = {id(s.function) for s in self.analysis.requests.sites if s.function is not None}
        direct |= {id(a.function) for a in self.attachments if a.function is not None}
        callers = self.analysis.requests._callers
        found = set(direct)
        for function in self.model.functions():
            if id(function) in direct:
                for call in callers.get(id(function), ()):
                    caller = self.model.function_of(call)
                    if caller is not None:
                        found.add(id(caller))
        return found

    def _reaches_request(self, carrier: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """Whether a dict (or the container `carrier` names) is sent, signed or handed to a request helper.

        The same as `_refers(root, carrier, node)` over every root of `_request_roots`: what
        `_refers` visits from a root does not depend on the carrier, so it is gathered once per
        group of roots (`_Reach`) and each question is a lookup."""
        tree = self.model.tree
        return any(self._request_reach(stage).matches(tree, carrier, node) for stage in range(len(_ROOT_STAGES)))

    def _request_reach(self, stage: int) -> "_Reach":
        """What `_refers` visits from the roots of one stage, gathered on first use (in order, as
        the original loop reached each group only when the ones before it did not match)."""
        while len(self._reach_stages) <= stage:
            roots = getattr(self, _ROOT_STAGES[len(self._reach_stages)])()
            self._reach_stages.append(_Reach.gather(self.model, roots, self._names))
        return self._reach_stages[stage]

    def _site_roots(self) -> Iterator[cst.BaseExpression]:
        for site in self.analysis.requests.binance_sites:
            for expr in (site.url_expr, site.params, site.data, site.json):
                if expr is not None:
                    yield expr

    def _signed_container_roots(self) -> Iterator[cst.BaseExpression]:
        for flow in self.binance_signings:
            payload = flow.payload
            if payload is not None and payload.container is not None and \
                    self.model.tree.order(payload.container) >= 0:
                yield payload.container

    def _digest_roots(self) -> Iterator[cst.BaseExpression]:
        for digest in self.digests:
            if digest.message is not None:
                yield digest.message

    def _helper_argument_roots(self) -> Iterator[cst.BaseExpression]:
        functions = self._request_functions
        for call in self._calls_with_args:
            if id(called_function(self.model, call)) in functions:
                for arg in call.args:
                    yield arg.value
        for request in self.analysis.helpers.imported_requests:  # helpers of other modules
            for arg in request.call.args:
                yield arg.value


    def _in_sdk_call(self, node: cst.CSTNode, sdk_calls: set[int]) -> bool:
        for ancestor in self.model.tree.ancestors(node):
            if type(ancestor) is cst.Call and id(ancestor) in sdk_calls:
                return True
            if isinstance(ancestor, cst.BaseStatement):
                return False
        return False


# The roots `_reaches_request` follows, group by group, in the order it asks them.
_ROOT_STAGES = ("_site_roots", "_signed_container_roots", "_digest_roots", "_helper_argument_roots")
_REFERS_DEPTH = 3  # `_refers` follows bindings this many steps deep


class _Reach:
    """Everything `SigningModel._refers` visits from some roots, whatever the carrier: the tree
    spans of the visited expressions (merged), the visited expressions, and the dotted texts of
    the names in them. `matches(tree, carrier, node)` is then the `_refers` of any root."""

    def __init__(self, starts: list[int], ends: list[int], nodes: dict[int, cst.BaseExpression],
                 texts: frozenset[str]) -> None:
        self.starts = starts
        self.ends = ends
        self.nodes = nodes
        self.texts = texts

    @classmethod
    def gather(cls, model: "ModuleModel", roots: Iterable[cst.BaseExpression],
               names: "Callable[[cst.BaseExpression], list[cst.BaseExpression]]") -> "_Reach":
        visited = _visited(model, roots, names)
        spans = sorted(span for span in map(model.tree.span, visited.values()) if span is not None)
        starts: list[int] = []
        ends: list[int] = []
        for start, end in spans:
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        texts = {dotted_text(name) for expr in visited.values() for name in names(expr)}
        texts.discard(None)
        return cls(starts, ends, visited, frozenset(texts))  # type: ignore[arg-type]

    def matches(self, tree: "TreeIndex", carrier: cst.BaseExpression, node: cst.CSTNode | None) -> bool:
        """Whether some visited expression holds `node` or is `carrier`, or names what `carrier` names."""
        if node is not None:
            if self.nodes.get(id(carrier)) is carrier:
                return True
            position = tree.span(node)
            if position is not None:
                index = bisect_right(self.starts, position[0]) - 1
                if index >= 0 and position[0] < self.ends[index]:
                    return True
        text = dotted_text(carrier)
        return text is not None and text in self.texts


def _visited(model: "ModuleModel", roots: Iterable[cst.BaseExpression],
             names: "Callable[[cst.BaseExpression], list[cst.BaseExpression]]") -> dict[int, cst.BaseExpression]:
    """The expressions `_refers` looks at from `roots`: each root, and the value of every binding
    of a name in a visited expression, up to `_REFERS_DEPTH` steps away."""
    depths: dict[int, int] = {}
    visited: dict[int, cst.BaseExpression] = {}
    stack: list[tuple[cst.BaseExpression, int]] = [(root, 0) for root in roots]
    while stack:
        expr, depth = stack.pop()
        if depths.get(id(expr), _REFERS_DEPTH + 1) <= depth:
            continue  # seen with at least as many steps left
        depths[id(expr)] = depth
        visited[id(expr)] = expr
        if depth == _REFERS_DEPTH:
            continue
        for name in names(expr):
            if type(name) is cst.Name:
                for binding in model.bindings(name):
                    if binding.value is not None and binding.value is not expr:
                        stack.append((binding.value, depth + 1))
    return visited
