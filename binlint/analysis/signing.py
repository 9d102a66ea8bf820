"""How requests are signed: payload -> signature -> sent bytes, within a function and its helpers.

`SigningModel(analysis)` (as `analysis.signing`) starts from every place a `signature`
joins a request (an *attachment*: `params["signature"] = sig`, `{"signature": sig}`,
`f"{query}&signature={sig}"`, `query += "&signature=" + sig`, `("signature", sig)`)
and follows it back:

- the **digest** that made the value (`Digest`): `hmac.new(key, msg, digestmod)` with its
  output (`.hexdigest()`, `.digest()`, base64), a plain `hashlib.sha256(...)`, or an
  RSA/Ed25519 `.sign(...)`; through names, `quote(...)`, `.decode()`, and helpers of the
  same module (`def sign(query): return hmac.new(...).hexdigest()`, `self._sign(q)`) whose
  parameters are bound to the caller's arguments (`values.Env`);
- the **payload** the digest signs (`Payload`): `urlencode(params)`, `"&".join(...)`,
  an f-string or `+` chain of `k=v`, `json.dumps(params)`, `str(params)`, or bare
  values; with the container it was built from (`params`), whether it was sorted,
  whether its values are percent-encoded, and its parameter names (`KeySet`);
- the **request** that sends it (`RequestSite`, also through a helper), and where the
  signature travels (`sent_as`: "url", "params", "data" or "json").

Each flow is a `Signing`. `SigningModel.signings` lists them; `SigningModel.digests` lists
every signature computation in the module (attached or not); `changes_after(signing)`
lists the changes made to the signed container after signing; `sent_keys(...)` says
which parameters a request sends (`signed_endpoint_requests`: for every request to a SIGNED
path); `parameter_values(name)` finds every value given to a request parameter
(`timestamp`, `recvWindow`) in dicts, query strings and SDK calls.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, cast

import libcst as cst

from binlint.analysis.loops import short_text
from binlint.analysis.requests import EndpointCall, HelperCall, RequestSite
from binlint.analysis.sdk import keyword_argument
from binlint.analysis.values import (
    HOLE, Env, Mutation, called_function, dict_shape, dotted_text, literal_text, mentions, module_index,
    returned_values,
)
from binlint.analysis.values import bind_arguments as _bind_arguments

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import Binding, ModuleModel
    from binlint.analysis.walk import TreeIndex

_MAX_DEPTH = 8
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
_BRACES = re.compile(r"\{([^{}]*)\}")
_KEY_IN_TEXT = re.compile(r"(?:^|[&?])([A-Za-z_][A-Za-z0-9_.\[\]]*)=")
_URLENCODE = frozenset({"urllib.parse.urlencode", "urllib.urlencode", "requests.compat.urlencode",
                        "six.moves.urllib.parse.urlencode"})
URLENCODE = _URLENCODE  # the names of urlencode, for readers outside the signing model
_QUOTE = frozenset({"urllib.parse.quote", "urllib.parse.quote_plus", "urllib.quote", "urllib.quote_plus",
                    "requests.utils.quote", "six.moves.urllib.parse.quote", "six.moves.urllib.parse.quote_plus"})
_B64 = frozenset({"base64.b64encode", "base64.standard_b64encode", "base64.urlsafe_b64encode",
                  "base64.encodebytes"})
_HMAC = frozenset({"hmac.new", "hmac.HMAC"})
_HASHES = frozenset({"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b",
                     "blake2s", "new"})
_WS_SEND = frozenset({"send", "send_json", "send_str", "send_text", "send_message", "send_request"})
_DIGEST_CALLS = frozenset({"new", "HMAC", *_HASHES})
_JSON = frozenset({"json.dumps", "ujson.dumps", "orjson.dumps", "simplejson.dumps", "rapidjson.dumps"})


# --- small value types ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeySet:
    """Parameter names a payload or request holds; `complete` when no unknown part can add more."""

    keys: frozenset[str] = frozenset()
    complete: bool = True

    def __or__(self, other: "KeySet") -> "KeySet":
        return KeySet(self.keys | other.keys, self.complete and other.complete)

    def lacks(self, key: str) -> bool:
        """Known not to hold `key`."""
        return self.complete and key not in self.keys

    def has(self, key: str) -> bool:
        return key in self.keys


UNKNOWN_KEYS = KeySet(frozenset(), False)


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a string being built: literal `text`, or an expression (`expr`, under `env`)."""

    text: str | None = None
    expr: cst.BaseExpression | None = None
    env: Env | None = None


@dataclass(frozen=True, slots=True)
class Digest:
    """One signature computation."""

    node: cst.BaseExpression  # the whole expression that yields the signature value
    kind: str  # "hmac", "hash" (plain hashlib), "asymmetric" (RSA/Ed25519 .sign)
    call: cst.Call  # hmac.new(...), hashlib.sha256(...), key.sign(...)
    key: cst.BaseExpression | None
    message: cst.BaseExpression | None
    digestmod: cst.BaseExpression | None
    output: str  # "hex", "digest", "base64", "base64-bytes", "object"
    function: cst.FunctionDef | None
    env: Env | None = None  # bindings of the helper's parameters, when reached through a caller

    @property
    def algorithm(self) -> str | None:
        """`sha256`, `md5`, ... as named by the digestmod (or the hashlib function for "hash")."""
        if self.kind == "hash":
            func = self.call.func
            name = func.attr.value if type(func) is cst.Attribute else None
            if name == "new" and self.call.args:
                return literal_text(self.call.args[0].value)
            return name
        return _algorithm_name(self.digestmod)


@dataclass(frozen=True, slots=True)
class Payload:
    """What a digest signs."""

    expr: cst.BaseExpression  # the message with `.encode()`/`bytes(...)` taken off
    kind: str  # "urlencode", "join", "format", "json", "repr", "values", "unknown"
    container: cst.BaseExpression | None  # the dict/list the payload is built from
    container_env: Env | None
    sorted: bool  # built from a sorted copy of the container
    encoded: bool  # its values are percent-encoded
    keys: KeySet
    unencoded_values: tuple[cst.BaseExpression, ...] = ()  # values joined in without percent-encoding
    is_str: bool = True  # the message passed to the digest is a str, not bytes


@dataclass(frozen=True, slots=True)
class Attachment:
    """Where `signature` joins a request."""

    node: cst.CSTNode  # dict element, assignment, call or string that adds it
    value: cst.BaseExpression  # the expression sent as the signature
    container: cst.BaseExpression | None  # the dict it goes into (as written), for dict attachments
    string: cst.BaseExpression | None  # the string being built, for text attachments
    function: cst.FunctionDef | None
    trailing_keys: tuple[str, ...] = ()  # parameters written after `signature` in the same string/dict
    raw_in_text: bool = False  # the value is pasted into a query/body text as it is


@dataclass(frozen=True, slots=True)
class Signing:
    """One signature: how it is computed, from what, and how it is sent."""

    attachment: Attachment
    digest: Digest | None
    payload: Payload | None
    point: cst.CSTNode  # where the signature is computed, in the function that attaches it
    quoted: bool  # the signature value went through quote()/urlencode once before attaching
    site: RequestSite | None = None
    helper: HelperCall | None = None
    sent_as: str | None = None  # "url", "params", "data", "json"
    sent_expr: cst.BaseExpression | None = None  # the argument that carries the signature
    site_env: Env | None = None
    transport: str = "http"  # "websocket" when the signed parameters go into a WebSocket API message


@dataclass(frozen=True, slots=True)
class ParamValue:
    """A value given to a request parameter (`timestamp`, `recvWindow`)."""

    key: str
    value: cst.BaseExpression
    node: cst.CSTNode
    context: str  # "dict", "setitem", "update", "query", "keyword", "constant"


# --- the model --------------------------------------------------------------------------------


class SigningModel:
    """Signature computations and the flows from payload to sent request, for one module."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.model: ModuleModel = analysis.model
        self._refers_memo: dict[tuple[int, int, int, int], tuple[object, object, object, bool]] = {}
        self._names_memo: dict[int, tuple[cst.BaseExpression, list[cst.BaseExpression]]] = {}
        self._reach_stages: list[_Reach] = []
        self._mutations_memo: dict[tuple[int, str], list[Mutation]] = {}

    # --- digests ------------------------------------------------------------------------

    @cached_property
    def digests(self) -> list[Digest]:
        """Every signature computation in the module, as written (no caller bindings)."""
        found: list[Digest] = []
        seen: set[int] = set()
        for call in self.model.calls():
            func = call.func
            last = func.attr.value if type(func) is cst.Attribute else (
                func.value if type(func) is cst.Name else None)
            if last not in _DIGEST_CALLS and not (type(func) is cst.Name and func.value in self.model.imports):
                continue
            name = self.model.call_name(call)
            if name in _HMAC:
                digest = self._hmac_digest(call)
            elif name and name.startswith("hashlib.") and name.split(".", 1)[1] in _HASHES:
                digest = self._hash_digest(call)
            else:
                continue
            if digest is not None and id(digest.node) not in seen:
                seen.add(id(digest.node))
                found.append(digest)
        return found

    @cached_property
    def _digest_by_node(self) -> dict[int, Digest]:
        return {id(d.node): d for d in self.digests}

    def _hmac_digest(self, call: cst.Call) -> Digest | None:
        from binlint.analysis.sdk import argument

        key = argument(call, ("key",), 0)
        message = argument(call, ("msg",), 1)
        digestmod = argument(call, ("digestmod",), 2)
        node, output = self._output(call)
        if message is None:  # h = hmac.new(key, digestmod=...); h.update(msg)
            message = self._updated_message(call)
        return Digest(node, "hmac", call, key, message, digestmod, output, self.model.function_of(call))

    def _hash_digest(self, call: cst.Call) -> Digest | None:
        node, output = self._output(call)
        if output == "object":
            return None
        message = call.args[0].value if call.args and call.func and not _is_new(call) else (
            call.args[1].value if len(call.args) > 1 else None)
        return Digest(node, "hash", call, None, message, None, output, self.model.function_of(call))

    def _output(self, call: cst.Call) -> tuple[cst.BaseExpression, str]:
        """The expression that turns a hash object into the signature, and its form."""
        tree = self.model.tree
        node: cst.BaseExpression = call
        parent = tree.parent(call)
        target = None
        if type(parent) is cst.Attribute and parent.value is call:
            outer = tree.parent(parent)
            if type(outer) is cst.Call and outer.func is parent:
                target = (outer, parent.attr.value)
        elif type(parent) is cst.Assign and len(parent.targets) == 1 \
                and type(parent.targets[0].target) is cst.Name:
            target = self._method_on_name(parent.targets[0].target, ("hexdigest", "digest"))
        if target is None:
            return node, "object"
        node, method = target
        output = {"hexdigest": "hex", "digest": "digest"}.get(method, "object")
        if output == "digest":
            # `.digest().hex()` is the hex digest too.
            up = tree.parent(node)
            if type(up) is cst.Attribute and up.attr.value == "hex":
                outer = tree.parent(up)
                if type(outer) is cst.Call:
                    return outer, "hex"
        return node, output

    def _method_on_name(self, name: cst.Name, methods: tuple[str, ...]) -> tuple[cst.Call, str] | None:
        scope = self.model.scope_of(name)
        for call in self.model.calls():
            func = call.func
            if type(func) is cst.Attribute and func.attr.value in methods and type(func.value) is cst.Name \
                    and func.value.value == name.value and self.model.scope_of(call) is scope:
                return call, func.attr.value
        return None

    def _updated_message(self, call: cst.Call) -> cst.BaseExpression | None:
        parent = self.model.tree.parent(call)
        if type(parent) is cst.Assign and type(parent.targets[0].target) is cst.Name:
            found = self._method_on_name(parent.targets[0].target, ("update",))
            if found is not None and found[0].args:
                return found[0].args[0].value
        return None

    # --- attachments ----------------------------------------------------------------------

    @cached_property
    def attachments(self) -> list[Attachment]:
        """Every place `signature` is added to a dict, list or string."""
        model = self.model
        found: list[Attachment] = []
        for node in model.tree.of_type(cst.DictElement):
            if mentions(node.key, "signature") and literal_text(node.key) == "signature":
                parent = model.tree.parent(node)
                if type(parent) is cst.Dict and self._update_argument(parent):
                    continue  # `params.update({"signature": sig})` is a change to `params`
                trailing: tuple[str, ...] = ()
                if type(parent) is cst.Dict:
                    position = list(parent.elements).index(node)
                    trailing = tuple(
                        k for e in parent.elements[position + 1:]
                        if type(e) is cst.DictElement and (k := literal_text(e.key)) is not None
                    )
                found.append(Attachment(node, node.value, parent if type(parent) is cst.Dict else None, None,
                                        model.function_of(node), trailing))
        index = module_index(model)
        for mutations in index.mutations().values():
            for mutation in mutations:
                attach = self._mutation_attachment(mutation)
                if attach is not None:
                    found.append(attach)
        for tuple_node in model.tree.of_type(cst.Tuple):
            elements = tuple_node.elements
            if len(elements) == 2 and mentions(elements[0].value, "signature") \
                    and literal_text(elements[0].value) == "signature":
                container = self._list_owner(tuple_node)
                found.append(Attachment(tuple_node, elements[1].value, container, None, model.function_of(tuple_node)))
        for call in model.calls():
            if type(call.func) is cst.Name and call.func.value == "dict" and model.call_name(call) == "builtins.dict":
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value == "signature":
                        found.append(Attachment(arg, arg.value, call, None, model.function_of(call)))
        found.extend(self._text_attachments())
        found.sort(key=lambda a: model.tree.order(a.node))
        return found

    def _update_argument(self, node: cst.Dict) -> bool:
        arg = self.model.tree.parent(node)
        call = self.model.tree.parent(arg) if type(arg) is cst.Arg else None
        return type(call) is cst.Call and type(call.func) is cst.Attribute and call.func.attr.value == "update"

    def _mutation_attachment(self, mutation: Mutation) -> Attachment | None:
        model = self.model
        node = mutation.node
        target = _target_expr(node)
        if mutation.kind == "setitem" and mutation.key == "signature" and mutation.value is not None:
            return Attachment(node, mutation.value, target, None, model.function_of(node))
        if mutation.kind == "update" and type(node) is cst.Call:
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "signature":
                    return Attachment(node, arg.value, target, None, model.function_of(node))
                if type(arg.value) is cst.Dict:
                    for element in arg.value.elements:
                        if type(element) is cst.DictElement and mentions(element.key, "signature") \
                                and literal_text(element.key) == "signature":
                            return Attachment(node, element.value, target, None, model.function_of(node))
        if mutation.kind in ("append", "insert") and type(node) is cst.Call:
            # lists of pairs: `params.append(("signature", sig))` is found with the tuples.
            return None
        return None

    def _list_owner(self, node: cst.CSTNode) -> cst.BaseExpression | None:
        parent = self.model.tree.parent(node)
        if type(parent) is cst.Arg:
            call = self.model.tree.parent(parent)
            if type(call) is cst.Call and type(call.func) is cst.Attribute:
                return call.func.value
        return None

    def _text_attachments(self) -> Iterator[Attachment]:
        """`f"{q}&signature={sig}"`, `q + "&signature=" + sig`, `"...&signature=%s" % (...)`."""
        model = self.model
        for fstring in model.tree.of_type(cst.FormattedString):
            parts = list(fstring.parts)
            for index, part in enumerate(parts):
                if type(part) is cst.FormattedStringText and part.value.endswith("signature=") \
                        and index + 1 < len(parts) and type(parts[index + 1]) is cst.FormattedStringExpression:
                    after = "".join(p.value if type(p) is cst.FormattedStringText else HOLE
                                    for p in parts[index + 2:])
                    sent = cast(cst.FormattedStringExpression, parts[index + 1]).expression
                    yield Attachment(fstring, sent, None, fstring,
                                     model.function_of(fstring), _keys_in_text(after), True)
        for binop in model.tree.of_type(cst.BinaryOperation):
            if type(binop.operator) is cst.Add:
                text = self._tail_text(binop.left)
                if text is not None and text.endswith("signature="):
                    outer = self._outermost_add(binop)
                    holder = model.tree.parent(outer)
                    node: cst.CSTNode = outer
                    string: cst.BaseExpression = outer
                    if type(holder) is cst.AugAssign and holder.value is outer:
                        node, string = holder, holder.target  # `query += "&signature=" + sig`
                    yield Attachment(node, binop.right, None, string, model.function_of(binop),
                                     self._keys_after(outer, binop), True)
            elif type(binop.operator) is cst.Modulo:
                template = literal_text(binop.left)
                if template and "signature=%s" in template:
                    values = [e.value for e in binop.right.elements] if type(binop.right) is cst.Tuple \
                        else [binop.right]
                    position = template[: template.index("signature=%s")].count("%s")
                    if position < len(values):
                        after = template[template.index("signature=%s") + len("signature=%s"):]
                        yield Attachment(binop, values[position], None, binop, model.function_of(binop),
                                         _keys_in_text(after), True)

    def _tail_text(self, expr: cst.BaseExpression) -> str | None:
        """The literal text a `+` chain ends with."""
        text = literal_text(expr)
        if text is not None:
            return text
        if type(expr) is cst.BinaryOperation and type(expr.operator) is cst.Add:
            return self._tail_text(expr.right)
        if type(expr) is cst.FormattedString and expr.parts and type(expr.parts[-1]) is cst.FormattedStringText:
            return expr.parts[-1].value
        return None

    def _leading_text(self, expr: cst.BaseExpression) -> str | None:
        text = literal_text(expr)
        if text is not None:
            return text
        if type(expr) is cst.BinaryOperation and type(expr.operator) is cst.Add:
            return self._leading_text(expr.left)
        return None

    def _outermost_add(self, node: cst.BinaryOperation) -> cst.BaseExpression:
        current: cst.BaseExpression = node
        while True:
            parent = self.model.tree.parent(current)
            if type(parent) is cst.BinaryOperation and type(parent.operator) is cst.Add:
                current = parent
            else:
                return current

    def _keys_after(self, outer: cst.BaseExpression, inner: cst.BinaryOperation) -> tuple[str, ...]:
        """Parameter names a `+` chain writes after the signature value."""
        texts: list[str] = []
        current: cst.BaseExpression = inner
        while current is not outer:
            parent = self.model.tree.parent(current)
            if type(parent) is not cst.BinaryOperation:
                break
            if parent.left is current:
                text = literal_text(parent.right)
                texts.append(text if text is not None else HOLE)
            current = parent
        return _keys_in_text("".join(texts))

    # --- following a value back -------------------------------------------------------------

    def trace(self, expr: cst.BaseExpression, env: Env | None = None, depth: int = 0
              ) -> tuple[Digest | None, bool, cst.CSTNode | None]:
        """The digest an expression's value comes from, whether it was percent-quoted on the
        way, and where (in the expression's own function) it was computed."""
        model = self.model
        if depth > _MAX_DEPTH:
            return None, False, None
        if type(expr) is cst.Name and env is not None:
            passed = env.lookup(model, expr)
            if passed is not None:
                digest, quoted, _ = self.trace(passed[0], passed[1], depth + 1)
                return digest, quoted, passed[0]
        found = self._digest_by_node.get(id(expr))
        if found is not None:
            return _with_env(found, env), False, expr
        if type(expr) in (cst.Name, cst.Attribute):
            resolved = model.value_of(expr)
            if resolved is not expr:
                digest, quoted, point = self.trace(resolved, env, depth + 1)
                return digest, quoted, point if digest is None else _binding_statement(model, expr) or point
            return None, False, None
        if type(expr) is cst.Await:
            return self.trace(expr.expression, env, depth + 1)
        if type(expr) is cst.Call:
            name = model.call_name(expr)
            func = expr.func
            if name in _QUOTE and expr.args:
                digest, _, point = self.trace(expr.args[0].value, env, depth + 1)
                return digest, True, point
            if type(func) is cst.Attribute and func.attr.value in ("decode", "lower", "upper", "strip"):
                return self.trace(func.value, env, depth + 1)
            if name == "builtins.str" and expr.args:
                return self.trace(expr.args[0].value, env, depth + 1)
            if name in _B64 and expr.args:
                inner, quoted, point = self.trace(expr.args[0].value, env, depth + 1)
                if inner is not None:
                    output = "base64-bytes" if inner.output != "asymmetric" else "base64-bytes"
                    decoded = type(model.tree.parent(expr)) is cst.Attribute
                    return _replace_output(inner, expr, "base64" if decoded else output), quoted, point
                asym = self._asymmetric(expr.args[0].value, env)
                if asym is not None:
                    decoded = type(model.tree.parent(expr)) is cst.Attribute
                    return _replace_output(asym, expr, "base64" if decoded else "base64-bytes"), quoted, expr
                return None, quoted, point
            helper = called_function(model, expr)
            if helper is not None:
                arguments = _bind_arguments(expr, helper)
                inner_env = Env(helper, arguments, env)
                for value in returned_values(model, helper):
                    digest, quoted, _ = self.trace(value, inner_env, depth + 1)
                    if digest is not None:
                        return digest, quoted, expr
                return None, False, None
        return None, False, None

    def _asymmetric(self, expr: cst.BaseExpression, env: Env | None) -> Digest | None:
        """`private_key.sign(payload, ...)`, `signer.sign(...)` -> an RSA/Ed25519 digest."""
        value = self.model.value_of(expr) if type(expr) in (cst.Name, cst.Attribute) else expr
        if type(value) is cst.Call and type(value.func) is cst.Attribute and value.func.attr.value == "sign":
            message = value.args[0].value if value.args else None
            if type(message) is cst.Call and type(message.func) is cst.Attribute \
                    and message.func.attr.value == "new" and message.args:  # PKCS1_v1_5: sign(SHA256.new(m))
                message = message.args[0].value
            return Digest(value, "asymmetric", value, value.func.value, message, None, "object",
                          self.model.function_of(value), env)
        return None

    # --- payloads ---------------------------------------------------------------------------

    def payload(self, digest: Digest) -> Payload | None:
        """What `digest` signs, classified."""
        if digest.message is None:
            return None
        message, is_str = self._strip_encode(digest.message, digest.env)
        return self._classify(message, digest.env, is_str, 0)

    def _strip_encode(self, expr: cst.BaseExpression, env: Env | None) -> tuple[cst.BaseExpression, bool]:
        """`x.encode()` -> (x, False); `bytes(x, "utf-8")` -> (x, False); else (x, whether it is a str)."""
        model = self.model
        if type(expr) is cst.Call:
            func = expr.func
            if type(func) is cst.Attribute and func.attr.value == "encode":
                return func.value, False
            if model.call_name(expr) in ("builtins.bytes", "builtins.bytearray") and expr.args:
                return expr.args[0].value, False
        if type(expr) in (cst.Name, cst.Attribute):
            if env is not None and type(expr) is cst.Name:
                passed = env.lookup(model, expr)
                if passed is not None:
                    inner, is_str = self._strip_encode(passed[0], passed[1])
                    return (inner if inner is not passed[0] else expr), is_str
            resolved = model.value_of(expr)
            if resolved is not expr:
                inner, is_str = self._strip_encode(resolved, env)
                if not is_str:
                    return inner, False
                return expr, self._is_str(resolved, env)
            return expr, self._is_str(expr, env)
        return expr, self._is_str(expr, env)

    def _is_str(self, expr: cst.BaseExpression, env: Env | None) -> bool:
        """Known to be a str (not bytes): text literals, f-strings, urlencode, join, json.dumps."""
        model = self.model
        if literal_text(expr) is not None or type(expr) is cst.FormattedString:
            return True
        if type(expr) is cst.Call:
            name = model.call_name(expr)
            if name in _URLENCODE or name in _JSON and name != "orjson.dumps" or name == "builtins.str":
                return True
            func = expr.func
            if type(func) is cst.Attribute and func.attr.value in ("join", "format") and literal_text(
                    func.value) is not None:
                return True
        if type(expr) is cst.BinaryOperation and type(expr.operator) in (cst.Add, cst.Modulo):
            return self._is_str(expr.left, env)
        if type(expr) is cst.Subscript and model.qualname(expr.value) == "os.environ":
            return True
        if type(expr) is cst.Call and model.call_name(expr) in ("os.getenv", "os.environ.get"):
            return True
        return False

    def is_str(self, expr: cst.BaseExpression, env: Env | None = None) -> bool:
        """Whether `expr` is known to hold a str where bytes are needed (no `.encode()` on the way)."""
        return self._strip_encode(expr, env)[1]

    def _classify(self, expr: cst.BaseExpression, env: Env | None, is_str: bool, depth: int) -> Payload:
        model = self.model
        unknown = Payload(expr, "unknown", None, env, False, False, UNKNOWN_KEYS, (), is_str)
        if depth > _MAX_DEPTH:
            return unknown
        if type(expr) is cst.Name and env is not None:
            passed = env.lookup(model, expr)
            if passed is not None:
                return self._classify(passed[0], passed[1], is_str, depth + 1)
        if type(expr) in (cst.Name, cst.Attribute):
            resolved = self._string_value_expr(expr)
            if resolved is not expr:
                inner = self._classify(resolved, env, is_str, depth + 1)
                return inner
            return unknown
        if type(expr) is cst.Call:
            name = model.call_name(expr)
            func = expr.func
            if name in _URLENCODE and expr.args:
                container, was_sorted, cenv = self._container(expr.args[0].value, env)
                keys = self.dict_keys(container, cenv, before=expr) if container is not None else UNKNOWN_KEYS
                local = self._container(expr.args[0].value, None)[0]
                if type(local) is cst.Name and env is not None and env.lookup(model, local) is not None:
                    keys = self.dict_keys(local, env, before=expr)  # a helper's parameter: and what it sets on it
                return Payload(expr, "urlencode", container, cenv, was_sorted, True, keys, (), is_str)
            if name in _JSON and expr.args:
                container, was_sorted, cenv = self._container(expr.args[0].value, env)
                return Payload(expr, "json", container, cenv, was_sorted, False, UNKNOWN_KEYS, (), is_str)
            if name in ("builtins.str", "builtins.repr") and expr.args:
                container, was_sorted, cenv = self._container(expr.args[0].value, env)
                return Payload(expr, "repr", container, cenv, was_sorted, False, UNKNOWN_KEYS, (), is_str)
            if type(func) is cst.Attribute and func.attr.value == "join" and expr.args:
                return self._join_payload(expr, env, is_str)
            helper = called_function(model, expr)
            if helper is not None:
                inner_env = Env(helper, _bind_arguments(expr, helper), env)
                for value in returned_values(model, helper):
                    payload = self._classify(value, inner_env, is_str, depth + 1)
                    if payload.kind != "unknown":
                        return payload
            return unknown
        if type(expr) in (cst.FormattedString, cst.BinaryOperation, cst.ConcatenatedString):
            parts = self.string_parts(expr, env)
            return self._text_payload(expr, parts, env, is_str, depth)
        return unknown

    def _string_value_expr(self, expr: cst.BaseExpression) -> cst.BaseExpression:
        """Follow a name to its value, joining `q = ...; q += ...` chains into one `+`."""
        model = self.model
        resolved = model.value_of(expr)
        if resolved is not expr:
            return resolved
        if type(expr) is cst.Name:
            bindings = [b for b in model.bindings(expr)
                        if b.order < model.tree.order(expr) and not model.tree.contains(b.statement, expr)]
            if len(bindings) == 1 and bindings[0].value is not None:
                return bindings[0].value
            if len(bindings) >= 2 and bindings[0].value is not None and all(
                    type(b.statement) is cst.AugAssign and type(b.statement.operator) is cst.AddAssign
                    for b in bindings[1:]):
                joined: cst.BaseExpression = bindings[0].value
                for binding in bindings[1:]:
                    joined = cst.BinaryOperation(joined, cst.Add(), cast(cst.AugAssign, binding.statement).value)
                return joined
        return expr

    def _container(self, expr: cst.BaseExpression, env: Env | None
                   ) -> tuple[cst.BaseExpression | None, bool, Env | None]:
        """The dict behind `params`, `sorted(params.items())`, `params.items()`, `list(params.items())`."""
        model = self.model
        was_sorted = False
        for _ in range(4):
            if type(expr) is cst.Call:
                name = model.call_name(expr)
                func = expr.func
                if name == "builtins.sorted" and expr.args:
                    was_sorted = True
                    expr = expr.args[0].value
                    continue
                if name in ("builtins.list", "builtins.tuple", "builtins.dict", "collections.OrderedDict") \
                        and len(expr.args) == 1:
                    expr = expr.args[0].value
                    continue
                if type(func) is cst.Attribute and func.attr.value == "items":
                    expr = func.value
                    continue
            if type(expr) is cst.Name:
                resolved = model.value_of(expr)
                if type(resolved) is cst.Call and model.call_name(resolved) == "builtins.sorted":
                    expr = resolved
                    continue
            break
        if type(expr) is cst.Name and env is not None:
            passed = env.lookup(model, expr)
            if passed is not None:
                inner, inner_sorted, inner_env = self._container(passed[0], passed[1])
                return inner, was_sorted or inner_sorted, inner_env
        return expr, was_sorted, env

    def _join_payload(self, call: cst.Call, env: Env | None, is_str: bool) -> Payload:
        """`"&".join(f"{k}={v}" for k, v in params.items())` and friends."""
        model = self.model
        func = call.func
        assert type(func) is cst.Attribute
        separator = literal_text(func.value)
        argument = call.args[0].value
        if type(argument) in (cst.Name, cst.Attribute):
            argument = model.value_of(argument)
        container: cst.BaseExpression | None = None
        cenv = env
        was_sorted = False
        element: cst.BaseExpression | None = None
        if isinstance(argument, (cst.GeneratorExp, cst.ListComp)):
            element = argument.elt
            container, was_sorted, cenv = self._container(argument.for_in.iter, env)
        elif isinstance(argument, (cst.List, cst.Tuple)):
            parts: list[Part] = []
            for index, item in enumerate(argument.elements):
                if index and separator:
                    parts.append(Part(text=separator))
                parts.extend(self.string_parts(item.value, env))
            return self._text_payload(call, parts, env, is_str, 1)
        else:
            container, was_sorted, cenv = self._container(argument, env)
        if separator is None or separator not in ("&", ""):
            return Payload(call, "values", container, cenv, was_sorted, False, UNKNOWN_KEYS, (), is_str)
        encoded = element is not None and self._element_encoded(element)
        if not encoded and container is not None and self._values_safe(container, cenv, call):
            encoded = True  # numbers and plain ASCII words need no percent-encoding
        keys = self.dict_keys(container, cenv, before=call) if container is not None else UNKNOWN_KEYS
        if element is not None and not self._element_is_pair(element):
            return Payload(call, "values", container, cenv, was_sorted, False, keys, (), is_str)
        unencoded = () if encoded else ((element,) if element is not None else ())
        return Payload(call, "join", container, cenv, was_sorted, encoded, keys, unencoded, is_str)

    def _values_safe(self, container: cst.BaseExpression, env: Env | None, before: cst.CSTNode) -> bool:
        """Every value the dict can hold at `before` is known to need no percent-encoding."""
        model = self.model
        resolved = container
        if type(container) is cst.Name and env is not None:
            passed = env.lookup(model, container)
            if passed is not None:
                return self._values_safe(passed[0], passed[1], before)
        shape = dict_shape(model, resolved)
        if shape is None or not shape.complete:
            return False
        if not all(self._safe_value(item.value, env) for item in shape.items):
            return False
        limit = model.tree.order(before)
        for mutation in self.mutations(container) if type(container) in (cst.Name, cst.Attribute) else ():
            if 0 <= limit <= mutation.order:
                continue
            if mutation.kind == "setitem" and mutation.value is not None:
                if not self._safe_value(mutation.value, env):
                    return False
            elif mutation.kind not in ("pop", "delitem", "sort"):
                return False
        return True

    def _element_is_pair(self, element: cst.BaseExpression) -> bool:
        """`f"{k}={v}"`, `k + "=" + v`, `"%s=%s" % (k, v)`, `"{}={}".format(k, v)`."""
        text = self.model.code(element) if type(element) is not cst.Tuple else ""
        return "=" in text

    def _element_encoded(self, element: cst.BaseExpression) -> bool:
        for node in _walk_calls(element):
            if self.model.call_name(node) in _QUOTE or self.model.call_name(node) in _URLENCODE:
                return True
        return False

    def _text_payload(self, expr: cst.BaseExpression, parts: list[Part], env: Env | None, is_str: bool,
                      depth: int = 0) -> Payload:
        """A payload written as text: `f"symbol={s}&timestamp={ts}"`, `query + "&recvWindow=5000"`."""
        keys: set[str] = set()
        complete = True
        unencoded: list[cst.BaseExpression] = []
        containers: list[tuple[cst.BaseExpression, bool, Env | None]] = []
        any_pair = False
        encoded_sections = 0
        previous = ""
        for part in parts:
            if part.text is not None:
                keys.update(_keys_in_text(part.text))
                any_pair = any_pair or "=" in part.text
                previous = part.text
                continue
            assert part.expr is not None
            if previous.endswith("="):
                if not self._safe_value(part.expr, part.env):
                    unencoded.append(part.expr)
            else:
                inner = self._classify(part.expr, part.env, True, depth + 1) if part.expr is not expr else \
                    Payload(expr, "unknown", None, env, False, False, UNKNOWN_KEYS)
                if inner.kind == "urlencode":
                    keys.update(inner.keys.keys)
                    complete = complete and inner.keys.complete
                    if inner.container is not None:
                        containers.append((inner.container, inner.sorted, inner.container_env))
                    encoded_sections += 1
                    any_pair = True
                elif inner.kind in ("join", "format"):
                    keys.update(inner.keys.keys)
                    complete = complete and inner.keys.complete
                    unencoded.extend(inner.unencoded_values)
                    if inner.container is not None:
                        containers.append((inner.container, inner.sorted, inner.container_env))
                    any_pair = True
                else:
                    complete = False
            previous = ""
        if not any_pair:
            return Payload(expr, "values", None, env, False, False, KeySet(frozenset(keys), complete), (), is_str)
        container, was_sorted, cenv = containers[0] if len(containers) == 1 else (None, False, env)
        return Payload(expr, "format" if unencoded or not encoded_sections else "urlencode", container, cenv,
                       was_sorted, not unencoded, KeySet(frozenset(keys), complete), tuple(unencoded), is_str)

    def _safe_value(self, expr: cst.BaseExpression, env: Env | None, depth: int = 0) -> bool:
        """A value that never needs percent-encoding: numbers, quoted text, known ASCII words."""
        model = self.model
        if depth > 4:
            return False
        if type(expr) in (cst.Integer, cst.Float):
            return True
        text = literal_text(expr)
        if text is not None:
            return re.fullmatch(r"[A-Za-z0-9._~-]*", text) is not None
        if type(expr) is cst.Name and env is not None:
            passed = env.lookup(model, expr)
            if passed is not None:
                return self._safe_value(passed[0], passed[1], depth + 1)
        if type(expr) in (cst.Name, cst.Attribute):
            resolved = model.value_of(expr)
            return resolved is not expr and self._safe_value(resolved, env, depth + 1)
        if type(expr) is cst.Call:
            name = model.call_name(expr) or ""
            if name in _QUOTE or name in _URLENCODE or name in ("builtins.int", "builtins.round", "builtins.len"):
                return True
            if name.startswith("time.") or name in ("builtins.float",):
                return True
            if name == "builtins.str" and len(expr.args) == 1:
                return self._safe_value(expr.args[0].value, env, depth + 1)
            helper = called_function(model, expr)
            if helper is not None:
                values = returned_values(model, helper)
                return bool(values) and all(self._safe_value(v, None, depth + 1) for v in values)
        if type(expr) is cst.BinaryOperation and type(expr.operator) not in (cst.Add, cst.Modulo):
            return True  # arithmetic
        return False

    # --- strings as parts ---------------------------------------------------------------------

    def string_parts(self, expr: cst.BaseExpression, env: Env | None, depth: int = 0) -> list[Part]:
        """`expr` as a list of literal texts and embedded expressions."""
        model = self.model
        if depth > _MAX_DEPTH:
            return [Part(expr=expr, env=env)]
        text = literal_text(expr)
        if text is not None:
            return [Part(text=text)]
        if type(expr) is cst.FormattedString:
            parts: list[Part] = []
            for part in expr.parts:
                if type(part) is cst.FormattedStringText:
                    parts.append(Part(text=part.value))
                elif type(part) is cst.FormattedStringExpression:
                    if part.format_spec is None and part.conversion is None:
                        parts.extend(self.string_parts(part.expression, env, depth + 1))
                    else:
                        parts.append(Part(expr=part.expression, env=env))
            return parts
        if type(expr) is cst.ConcatenatedString:
            return self.string_parts(expr.left, env, depth + 1) + self.string_parts(expr.right, env, depth + 1)
        if type(expr) is cst.BinaryOperation and type(expr.operator) is cst.Add:
            return self.string_parts(expr.left, env, depth + 1) + self.string_parts(expr.right, env, depth + 1)
        if type(expr) is cst.BinaryOperation and type(expr.operator) is cst.Modulo:
            template = literal_text(expr.left)
            if template is not None:
                right = expr.right
                values = [e.value for e in right.elements] if type(right) is cst.Tuple else [right]
                return self._template_parts(_PERCENT.split(template), _PERCENT.findall(template), values, {}, env,
                                            depth)
        if type(expr) is cst.Call and type(expr.func) is cst.Attribute and expr.func.attr.value == "format":
            template = literal_text(expr.func.value)
            if template is not None and "{{" not in template:
                positional = [a.value for a in expr.args if a.keyword is None and not a.star]
                named = {a.keyword.value: a.value for a in expr.args if a.keyword is not None}
                return self._template_parts(_BRACES.split(template)[::2], _BRACES.findall(template), positional,
                                            named, env, depth)
        if type(expr) is cst.Name and env is not None:
            passed = env.lookup(model, expr)
            if passed is not None:
                return self.string_parts(passed[0], passed[1], depth + 1)
        if type(expr) in (cst.Name, cst.Attribute):
            resolved = self._string_value_expr(expr)
            if resolved is not expr and type(resolved) in (cst.FormattedString, cst.BinaryOperation,
                                                              cst.ConcatenatedString, cst.SimpleString):
                return self.string_parts(resolved, env, depth + 1)
        return [Part(expr=expr, env=env)]

    def _template_parts(self, texts: list[str], fields: list[str], positional: list[cst.BaseExpression],
                        named: dict[str, cst.BaseExpression], env: Env | None, depth: int) -> list[Part]:
        """`"%s?%s" % (a, b)` / `"{}?{q}".format(a, q=b)` as parts: texts with the values between."""
        parts: list[Part] = []
        counter = 0
        for index, text in enumerate(texts):
            if text:
                parts.append(Part(text=text))
            if index >= len(fields):
                continue
            field_name = fields[index]
            if field_name == "%%":
                parts.append(Part(text="%"))
                continue
            key = field_name.split("!", 1)[0].split(":", 1)[0]
            value: cst.BaseExpression | None
            if key in ("", ) or field_name.startswith("%"):
                value = positional[counter] if counter < len(positional) else None
                counter += 1
            elif key.isdigit():
                value = positional[int(key)] if int(key) < len(positional) else None
            else:
                value = named.get(key)
            plain = field_name in ("%s", "") or (not field_name.startswith("%") and ":" not in field_name
                                                  and "!" not in field_name)
            if value is None:
                parts.append(Part(expr=cst.Name("_unknown_"), env=env))
            elif plain:
                parts.extend(self.string_parts(value, env, depth + 1))
            else:
                parts.append(Part(expr=value, env=env))
        return parts

    # --- keys of dicts ----------------------------------------------------------------------

    def dict_keys(self, expr: cst.BaseExpression | None, env: Env | None, before: cst.CSTNode | None = None,
                  depth: int = 0) -> KeySet:
        """The parameters a dict holds when `before` runs: its literal, then changes made to it."""
        model = self.model
        if expr is None or depth > _MAX_DEPTH:
            return UNKNOWN_KEYS
        if type(expr) is cst.Name and env is not None:
            passed = env.lookup(model, expr)
            if passed is not None:
                outer = self.dict_keys(passed[0], passed[1], _call_of_env(model, passed[0]), depth + 1)
                return outer | self._changes_keys(expr, before, helper_only=True)
        if type(expr) is cst.Dict or (
                type(expr) is cst.Call and model.call_name(expr) in ("builtins.dict", "collections.OrderedDict")):
            shape = dict_shape(model, expr)
            if shape is None:
                return UNKNOWN_KEYS
            keys = KeySet(frozenset(shape.keys()), shape.complete and all(i.key is not None for i in shape.items))
            if type(expr) is cst.Dict:
                starred = self._starred_env_keys(expr, env, depth)
                keys = KeySet(keys.keys | starred.keys, keys.complete or starred.complete)
            return keys
        if type(expr) is cst.Call and type(expr.func) is cst.Attribute and expr.func.attr.value == "copy" \
                and not expr.args:
            return self.dict_keys(expr.func.value, env, expr, depth + 1)  # `data = params.copy()`
        if type(expr) is cst.Call:
            helper = called_function(model, expr)
            if helper is not None:
                inner_env = Env(helper, _bind_arguments(expr, helper), env)
                values = returned_values(model, helper)
                if len(values) == 1:
                    return self.dict_keys(values[0], inner_env, None, depth + 1)
            return UNKNOWN_KEYS
        if type(expr) in (cst.Name, cst.Attribute):
            resolved = model.value_of(expr)
            if resolved is expr:
                if type(expr) is cst.Name:
                    bindings = model.bindings(expr)
                    if bindings and bindings[0].value is not None and all(
                            b.value is not None for b in bindings):
                        # `params = {...}` then `params = {k: v ... if v is not None}`: the first literal
                        base = self.dict_keys(bindings[0].value, env, None, depth + 1)
                        return KeySet(base.keys, base.complete and _derived_only(model, expr, bindings)) | \
                            self._changes_keys(expr, before)
                # A parameter or an unknown value: what is set on it is known, the rest is not.
                return KeySet(self._changes_keys(expr, before).keys, False)
            base = self.dict_keys(resolved, env, None, depth + 1)
            return base | self._changes_keys(expr, before)
        if type(expr) is cst.DictComp:
            return UNKNOWN_KEYS
        return UNKNOWN_KEYS

    def _starred_env_keys(self, node: cst.Dict, env: Env | None, depth: int) -> KeySet:
        """`{**params, ...}` where `params` is a helper parameter bound by the caller: the keys the
        bound values give; complete when every entry is known (literal keys, starred dicts known)."""
        keys: set[str] = set()
        complete = True
        bound = False
        for element in node.elements:
            if type(element) is cst.DictElement:
                key = literal_text(element.key)
                if key is None:
                    complete = False
                else:
                    keys.add(key)
                continue
            passed = env.lookup(self.model, element.value) if env is not None and type(
                element.value) is cst.Name else None
            if passed is not None:
                bound = True
                inner = self.dict_keys(passed[0], passed[1], None, depth + 1)
            else:
                inner = self.dict_keys(element.value, env, None, depth + 1)
            keys.update(inner.keys)
            complete = complete and inner.complete
        return KeySet(frozenset(keys), complete and bound)

    def _changes_keys(self, container: cst.BaseExpression, before: cst.CSTNode | None,
                      helper_only: bool = False) -> KeySet:
        """Keys set on `container` before `before` (in its scope, and in helpers it is passed to)."""
        model = self.model
        limit = model.tree.order(before) if before is not None else None
        keys: set[str] = set()
        complete = True
        for mutation in self.mutations(container):
            if limit is not None and limit >= 0 and mutation.order >= limit:
                continue
            if mutation.kind in ("pop", "delitem", "popitem", "clear", "sort", "reverse", "remove"):
                continue
            found = mutation.keys(model)
            if found:
                keys.update(found)
            elif mutation.kind in ("update", "setitem", "setdefault", "append", "extend", "insert"):
                if mutation.kind in ("append", "insert") and self._pair_key(mutation) is not None:
                    keys.add(self._pair_key(mutation))  # type: ignore[arg-type]
                else:
                    complete = False
        return KeySet(frozenset(keys), complete)

    def _pair_key(self, mutation: Mutation) -> str | None:
        node = mutation.node
        if type(node) is cst.Call and node.args:
            value = node.args[-1].value
            if type(value) is cst.Tuple and len(value.elements) == 2:
                return literal_text(value.elements[0].value)
        return None

    def mutations(self, container: cst.BaseExpression) -> list[Mutation]:
        """In-place changes to `container`, including inside same-module helpers it is passed to."""
        from binlint.analysis.values import mutations_of

        model = self.model
        text = dotted_text(container)
        if text is None:
            return list(mutations_of(model, container))
        # The same for every expression that names the same container where it lives: remembered.
        key = (module_index(model).owner(container, text), text)
        known = self._mutations_memo.get(key)
        if known is None:
            known = self._mutations_memo[key] = self._find_mutations(container)
        return list(known)

    def _find_mutations(self, container: cst.BaseExpression) -> list[Mutation]:
        from binlint.analysis.values import mutations_of

        model = self.model
        found = list(mutations_of(model, container))
        for call, helper, param in self._passed_to_helpers(container):
            order = model.tree.order(call)
            for mutation in self._param_mutations(helper, param):
                found.append(Mutation(mutation.target, mutation.kind, mutation.key, mutation.value, mutation.node,
                                      order))
        found.sort(key=lambda m: m.order)
        return found

    def _param_mutations(self, helper: cst.FunctionDef, param: str) -> list[Mutation]:
        index = module_index(self.model)
        return list(index.mutations().get((id(helper), param), ()))

    def _passed_to_helpers(self, container: cst.BaseExpression) -> Iterator[tuple[cst.Call, cst.FunctionDef, str]]:
        """Calls in the container's scope that pass it to a same-module helper, with the parameter name."""
        model = self.model
        text = dotted_text(container)
        scope_key = module_index(model).owner(container, text or "")
        for call in self._helper_calls_by_arg.get((scope_key, text or ""), ()):
            helper = called_function(model, call)
            if helper is None:
                continue
            for name, value in _bind_arguments(call, helper).items():
                if dotted_text(value) == text:
                    yield call, helper, name

    @cached_property
    def _helper_calls_by_arg(self) -> dict[tuple[int, str], list[cst.Call]]:
        """Calls of same-module functions by (where the name lives, the name) of each argument
        that is a name or attribute chain, in source order."""
        found: dict[tuple[int, str], list[cst.Call]] = {}
        index = module_index(self.model)
        for call in self.model.calls():
            if not call.args:
                continue
            texts = {dotted_text(arg.value) for arg in call.args}
            texts.discard(None)
            if not texts or called_function(self.model, call) is None:
                continue
            for text in texts:
                found.setdefault((index.owner(call, text), text), []).append(call)  # type: ignore[arg-type]
        return found

    # --- flows --------------------------------------------------------------------------------

    @cached_property
    def signings(self) -> list[Signing]:
        """Every attachment of a signature, followed back to its digest and on to its request."""
        found: list[Signing] = []
        for attachment in self.attachments:
            digest, quoted, point = self.trace(attachment.value)
            payload = self.payload(digest) if digest is not None else None
            signing = Signing(attachment, digest, payload, point or attachment.node, quoted)
            found.append(self._with_request(signing))
        return found

    @cached_property
    def binance_signings(self) -> list[Signing]:
        """The signings that go to Binance: sent to a Binance request, or, when the request is not
        found, in a module none of whose requests goes to another known host (a multi-exchange
        bot signs Bybit or Kraken requests its own way)."""
        requests = self.analysis.requests
        foreign = any(site.host is not None and not site.is_binance for site in requests.sites)
        return [s for s in self.signings
                if (s.site.is_binance or (s.helper is not None and s.helper.is_binance) if s.site is not None
                    else not foreign)]

    @cached_property
    def unattached_digests(self) -> list[Digest]:
        """The signature computations no attachment leads back to (not sent yet, or sent in a way not followed)."""
        traced = {id(s.digest.call) for s in self.signings if s.digest is not None}
        return [d for d in self.digests if id(d.call) not in traced]

    def _with_request(self, signing: Signing) -> Signing:
        """Find the request the attachment ends up in."""
        from dataclasses import replace

        attachment = signing.attachment
        carrier = attachment.container if attachment.container is not None else attachment.string
        if carrier is None:
            return signing
        requests = self.analysis.requests
        for site in requests.sites:
            if site.function is not attachment.function:
                continue
            where = self._carries(site, carrier, attachment.node)
            if where is not None:
                return replace(signing, site=site, sent_as=where[0], sent_expr=where[1])
        # Built in a helper that returns it: `params=self._sign(params)`.
        function = attachment.function
        if function is not None and any(dotted_text(v) == dotted_text(carrier) for v in returned_values(
                self.model, function)) and dotted_text(carrier) is not None:
            for call in requests._calls_of(function):
                for site in requests.sites:
                    if site.function is not self.model.function_of(call):
                        continue
                    where = self._carries(site, call, call)
                    if where is not None:
                        return replace(signing, site=site, sent_as=where[0], sent_expr=where[1])
        # Passed to a same-module helper that sends it.
        helpers = {id(h.call): h for h in requests.helper_calls}
        for call in self._calls_with_args:
            if self.model.function_of(call) is not attachment.function:
                continue
            function = called_function(self.model, call)
            if function is None:
                continue
            arguments = _bind_arguments(call, function)
            for name, value in arguments.items():
                if not self._refers(value, carrier, attachment.node):
                    continue
                for site in requests.sites:
                    if site.function is not function:
                        continue
                    where = self._carries(site, cst.Name(name), None, function)
                    if where is not None:
                        helper = helpers.get(id(call))
                        env = helper.env if helper is not None else Env(function, arguments, None)
                        return replace(signing, site=site, helper=helper, sent_as=where[0], sent_expr=where[1],
                                       site_env=env)
        # Sent as a WebSocket API message (`ws.send(json.dumps({"method": ..., "params": params}))`):
        # another protocol, signed over sorted, unencoded parameters.
        for call in self._ws_sends:
            if self.model.function_of(call) is attachment.function and any(
                    self._refers(arg.value, carrier, attachment.node) for arg in call.args):
                return replace(signing, transport="websocket")
        return signing

    @cached_property
    def _ws_sends(self) -> list[cst.Call]:
        return [call for call in self.model.calls()
                if type(call.func) is cst.Attribute and call.func.attr.value in _WS_SEND and call.args]

    def _carries(self, site: RequestSite, carrier: cst.BaseExpression, node: cst.CSTNode | None,
                 function: cst.FunctionDef | None = None) -> tuple[str, cst.BaseExpression] | None:
        for role, expr in (("url", site.url_expr), ("params", site.params), ("data", site.data),
                           ("json", site.json)):
            if expr is not None and self._refers(expr, carrier, node):
                return role, expr
        return None

    def _refers(self, expr: cst.BaseExpression, carrier: cst.BaseExpression, node: cst.CSTNode | None,
                depth: int = 0) -> bool:
        """Whether `expr` is, holds, or is built from `carrier` (the container or string with the signature)."""
        # Asked for every parameter against every request: remembered (the tree never changes;
        # the entry keeps the nodes, so their ids cannot be reused while it lives).
        key = (id(expr), id(carrier), id(node), depth)
        known = self._refers_memo.get(key)
        if known is not None and known[0] is expr and known[1] is carrier and known[2] is node:
            return known[3]
        found = self._refers_uncached(expr, carrier, node, depth)
        self._refers_memo[key] = (expr, carrier, node, found)
        return found

    def _names(self, expr: cst.BaseExpression) -> list[cst.BaseExpression]:
        """`_names_in(expr)`, remembered per expression."""
        known = self._names_memo.get(id(expr))
        if known is not None and known[0] is expr:
            return known[1]
        tree = self.model.tree
        if tree.span(expr) is None:
            found = list(_names_in(expr))
        else:  # the same nodes, read off the tree's lists (in another order; callers only test them)
            attribute_names = self._attribute_names
            found = [name for name in tree.within(expr, cst.Name)
                     if name is expr or id(name) not in attribute_names]
            found.extend(tree.within(expr, cst.Attribute))
        self._names_memo[id(expr)] = (expr, found)
        return found

    @cached_property
    def _attribute_names(self) -> set[int]:
        """ids of the names that are the `attr` of an attribute (`b` in `a.b`): `_names_in` does not enter them."""
        return {id(attribute.attr) for attribute in self.model.tree.of_type(cst.Attribute)}

    def _refers_uncached(self, expr: cst.BaseExpression, carrier: cst.BaseExpression, node: cst.CSTNode | None,
                         depth: int) -> bool:
        model = self.model
        tree = model.tree
        if depth > 3:
            return False
        if node is not None and (tree.contains(expr, node) or expr is carrier):
            return True
        text = dotted_text(carrier)
        for name in self._names(expr):
            if text is not None and dotted_text(name) == text:
                return True
            if type(name) is cst.Name:
                for binding in model.bindings(name):
                    if binding.value is not None and binding.value is not expr and self._refers(
                            binding.value, carrier, node, depth + 1):
                        return True
        return False

    # --- questions rules ask --------------------------------------------------------------------

    def changes_after(self, signing: Signing) -> list[Mutation]:
        """Changes made to the signed container (or signed query string) after the signature was
        computed; adding `signature` itself is not one."""
        payload = signing.payload
        digest = signing.digest
        if payload is None or digest is None:
            return []
        model = self.model
        point_order = model.tree.order(_statement(model, signing.point))
        attached = {id(a.node) for a in self.attachments}
        candidates: list[Mutation] = []
        if payload.container is not None and payload.container_env is None:
            candidates.extend(self.mutations(payload.container))
        message = digest.message
        if message is not None and digest.env is None:
            stripped, _ = self._strip_encode(message, None)
            if type(stripped) is cst.Name:
                candidates.extend(m for m in self.mutations(stripped) if m.kind == "augassign")
        found = []
        for mutation in candidates:
            if mutation.order <= point_order or id(mutation.node) in attached:
                continue
            if mutation.key == "signature" or "signature" in mutation.keys(model):
                continue
            if mutation.kind in ("append", "insert") and self._pair_key(mutation) == "signature":
                continue
            if mutation.kind in ("sort", "reverse"):
                continue
            if signing.site is not None and mutation.order > model.tree.order(signing.site.call) \
                    and model.function_of(mutation.node) is model.function_of(signing.site.call):
                continue  # changed after the request went out
            found.append(mutation)
        return found

    def rebinding_after(self, signing: Signing) -> cst.Assign | None:
        """`params = {k: v for k, v in params.items() if v is not None}` after the signature."""
        payload = signing.payload
        if payload is None or type(payload.container) is not cst.Name:
            return None
        model = self.model
        point_order = model.tree.order(_statement(model, signing.point))
        container = payload.container
        for binding in model.bindings(container):
            if binding.order > point_order and type(binding.statement) is cst.Assign and \
                    binding.value is not None and any(dotted_text(n) == container.value for n in _names_in(binding.value)):
                if signing.site is None or binding.order < model.tree.order(signing.site.call):
                    return binding.statement
        return None

    def sent_keys(self, site: RequestSite, env: Env | None = None) -> KeySet:
        """The parameters a request sends: URL query, params, and a form body."""
        result = KeySet()
        if site.url_expr is not None and site.query is not None:
            parts = self.string_parts(site.url_expr, env)
            query_parts = _after_question_mark(parts)
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

    def is_textual(self, expr: cst.BaseExpression, env: Env | None) -> bool:
        """Whether `expr` is a query string (str or its `.encode()`) rather than a dict of parameters."""
        if type(expr) is cst.Name and env is not None:
            passed = env.lookup(self.model, expr)
            if passed is not None:
                return self.is_textual(passed[0], passed[1])
        value = self._string_value_expr(expr) if type(expr) in (cst.Name, cst.Attribute) else expr
        if type(value) is cst.Call:
            func = value.func
            if type(func) is cst.Attribute and func.attr.value == "encode":
                return self.is_textual(func.value, env)
        if type(value) is cst.BinaryOperation and type(value.operator) is cst.Add:
            return self.is_textual(value.left, env) or self.is_textual(value.right, env)  # `query + "&signature="`
        return self._is_str(value, env)

    def _text_keys(self, parts: list[Part], depth: int = 1) -> KeySet:
        keys: set[str] = set()
        complete = True
        previous = ""
        for part in parts:
            if part.text is not None:
                keys.update(_keys_in_text(part.text))
                previous = part.text
                continue
            if not previous.endswith("="):
                assert part.expr is not None
                inner = self._classify(part.expr, part.env, True, depth)
                keys.update(inner.keys.keys)
                complete = complete and inner.keys.complete and inner.kind != "unknown"
            previous = ""
        return KeySet(frozenset(keys), complete)

    def signings_for(self, site: RequestSite) -> list[Signing]:
        return [s for s in self.signings if s.site is site]

    # --- parameter values -------------------------------------------------------------------

    def parameter_values(self, *names: str) -> list[ParamValue]:
        """Every value given to a request parameter named one of `names`, where it is written."""
        memo = self.__dict__.setdefault("_parameter_values_memo", {})
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
        memo = self.__dict__.setdefault("_request_parameter_values_memo", {})
        if names not in memo:
            memo[names] = self._request_parameter_values(names)
        return list(memo[names])

    def _request_parameter_values(self, names: tuple[str, ...]) -> list[ParamValue]:
        model = self.model
        sdk_calls = {id(c.call) for c in self.analysis.sdk.calls} | {id(c.call) for c in self.analysis.sdk.constructions}
        found = []
        for value in self.parameter_values(*names):
            if value.context == "query":
                found.append(value)
            elif value.context == "keyword":
                call = model.tree.parent(value.node)
                if type(call) is cst.Call and (
                        id(call) in sdk_calls or id(called_function(model, call)) in self._request_functions
                        or self.analysis.helpers.for_call(call)
                        or (model.call_name(call) == "builtins.dict" and self._reaches_request(call, call))):
                    found.append(value)
            else:
                carrier = model.tree.parent(value.node) if value.context == "dict" else _target_expr(value.node)
                if carrier is not None and (self._in_sdk_call(value.node, sdk_calls)
                                            or self._reaches_request(carrier, value.node)):  # type: ignore[arg-type]
                    found.append(value)
        return found

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

    @cached_property
    def _calls_with_args(self) -> list[cst.Call]:
        return [call for call in self.model.calls() if call.args and called_function(self.model, call) is not None]

    def _in_sdk_call(self, node: cst.CSTNode, sdk_calls: set[int]) -> bool:
        for ancestor in self.model.tree.ancestors(node):
            if type(ancestor) is cst.Call and id(ancestor) in sdk_calls:
                return True
            if isinstance(ancestor, cst.BaseStatement):
                return False
        return False

    def signed_functions(self) -> set[int]:
        """ids of functions that attach a signature (directly)."""
        return {id(s.attachment.function) for s in self.signings if s.attachment.function is not None}


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


# --- helpers ---------------------------------------------------------------------------------------


def _keys_in_text(text: str) -> tuple[str, ...]:
    return tuple(match.group(1) for match in _KEY_IN_TEXT.finditer(text.replace(HOLE, "&")))


def _after_question_mark(parts: list[Part]) -> list[Part]:
    for index, part in enumerate(parts):
        if part.text is not None and "?" in part.text:
            rest = part.text.split("?", 1)[1]
            return [Part(text="&" + rest), *parts[index + 1:]]
    return []


def _names_in(expr: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """Names and attribute chains inside an expression (`a.b.c`, `a.b` and `a` all count)."""
    stack: list[cst.CSTNode] = [expr]
    from binlint.analysis.walk import children

    while stack:
        node = stack.pop()
        if type(node) in (cst.Name, cst.Attribute):
            yield node  # type: ignore[misc]
            if type(node) is cst.Attribute:
                stack.append(node.value)
            continue
        stack.extend(children(node))


def _walk_calls(expr: cst.CSTNode) -> Iterator[cst.Call]:
    from binlint.analysis.walk import children

    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if type(node) is cst.Call:
            yield node
        stack.extend(children(node))


def _target_expr(node: cst.CSTNode) -> cst.BaseExpression | None:
    if type(node) is cst.Assign and type(node.targets[0].target) is cst.Subscript:
        return node.targets[0].target.value
    if type(node) is cst.AugAssign and type(node.target) is cst.Subscript:
        return node.target.value
    if type(node) is cst.Call and type(node.func) is cst.Attribute:
        return node.func.value
    return None


def _statement(model: "ModuleModel", node: cst.CSTNode) -> cst.CSTNode:
    return model.statement_of(node)


def _binding_statement(model: "ModuleModel", expr: cst.BaseExpression) -> cst.CSTNode | None:
    bindings = model.bindings(expr) if type(expr) in (cst.Name, cst.Attribute) else []
    return bindings[-1].statement if bindings else None


def _with_env(digest: Digest, env: Env | None) -> Digest:
    if env is None or digest.env is env:
        return digest
    from dataclasses import replace

    return replace(digest, env=env)


def _replace_output(digest: Digest, node: cst.BaseExpression, output: str) -> Digest:
    from dataclasses import replace

    if digest.kind == "asymmetric" or digest.output in ("digest", "object"):
        return replace(digest, node=node, output=output if digest.kind == "asymmetric" else
                       ("base64" if output == "base64" else "base64-bytes"))
    return replace(digest, node=node, output="base64-of-hex")


def _is_new(call: cst.Call) -> bool:
    return type(call.func) is cst.Attribute and call.func.attr.value == "new"


def _algorithm_name(expr: cst.BaseExpression | None) -> str | None:
    if expr is None:
        return None
    text = literal_text(expr)
    if text is not None:
        return text.lower()
    if type(expr) is cst.Attribute:
        return expr.attr.value
    if type(expr) is cst.Name:
        return expr.value
    return None


def _call_of_env(model: "ModuleModel", argument: cst.BaseExpression) -> cst.CSTNode | None:
    """The call an argument expression is passed in."""
    parent = model.tree.parent(argument)
    if type(parent) is cst.Arg:
        return model.tree.parent(parent)
    return None


def _derived_only(model: "ModuleModel", name: cst.Name, bindings: list[Binding]) -> bool:
    """Later bindings only filter the first (`params = {k: v for k, v in params.items() if ...}`)."""
    for binding in bindings[1:]:
        value = binding.value
        if type(value) is not cst.DictComp:
            return False
        if not any(dotted_text(n) == name.value for n in _names_in(value.for_in.iter)):
            return False
    return True


__all__ = [
    "Attachment", "Digest", "KeySet", "ParamValue", "Part", "Payload", "Signing", "SigningModel", "UNKNOWN_KEYS",
]


# --- wording shared by the rules --------------------------------------------------------------


def short(model: "ModuleModel", node: cst.CSTNode, limit: int = 48) -> str:
    """The source of `node` on one line, cut to `limit` characters."""
    return short_text(model.code(node), limit, "…")


def endpoint_label(method: str | None, path: str | None) -> str:
    """`POST /api/v3/order`."""
    return f"{method or 'a request to'} {path or 'this URL'}".strip()


def key_list(keys: Iterable[str]) -> str:
    names = sorted(keys)
    return ", ".join(f"`{k}`" for k in names) if names else "no parameters"


# --- time values --------------------------------------------------------------------------------

_TIME_WRAPPERS = frozenset({"builtins.int", "builtins.round", "math.floor", "math.ceil", "math.trunc"})


@dataclass(frozen=True, slots=True)
class TimeValue:
    """What clock value an expression holds: `unit` is "ms" (right), "ms-float", "s", "s-float" or "ns"."""

    unit: str
    node: cst.BaseExpression  # the expression that makes the value (where a fix goes)
    clock: cst.BaseExpression  # the clock call itself (`time.time()`)


def time_value(model: "ModuleModel", expr: cst.BaseExpression, env: Env | None = None,
               depth: int = 0) -> TimeValue | None:
    """The clock value `expr` holds, following names, `str(...)` and same-module helpers; None when it
    does not come from a clock."""
    if depth > _MAX_DEPTH:
        return None
    if type(expr) is cst.Name and env is not None:
        passed = env.lookup(model, expr)
        if passed is not None:
            return time_value(model, passed[0], passed[1], depth + 1)
    if type(expr) in (cst.Name, cst.Attribute):
        resolved = model.value_of(expr)
        if resolved is not expr:
            return time_value(model, resolved, env, depth + 1)
        from binlint.analysis.values import param_default

        default = param_default(model, expr)
        return time_value(model, default, env, depth + 1) if default is not None else None
    if type(expr) is cst.Call:
        name = model.call_name(expr) or ""
        func = expr.func
        if name == "time.time":
            return TimeValue("s-float", expr, expr)
        if name == "time.time_ns":
            return TimeValue("ns", expr, expr)
        if type(func) is cst.Attribute and func.attr.value == "timestamp" and not expr.args and (
                "datetime" in model.code(func.value) or (model.qualname(func.value) or "").startswith("datetime")
                or type(func.value) is cst.Call):
            return TimeValue("s-float", expr, expr)
        if name in _TIME_WRAPPERS and expr.args:
            inner = time_value(model, expr.args[0].value, env, depth + 1)
            if inner is None:
                return None
            unit = {"s-float": "s", "ms-float": "ms"}.get(inner.unit, inner.unit)
            if len(expr.args) > 1 and name == "builtins.round":
                unit = inner.unit  # round(x, 3) keeps the fraction
            return TimeValue(unit, expr, inner.clock)
        if name == "builtins.str" and len(expr.args) == 1:
            return time_value(model, expr.args[0].value, env, depth + 1)
        helper = called_function(model, expr)
        if helper is not None:
            inner_env = Env(helper, _bind_arguments(expr, helper), env)
            values = returned_values(model, helper)
            if len(values) == 1:
                return time_value(model, values[0], inner_env, depth + 1)
        return None
    if type(expr) is cst.BinaryOperation:
        left = time_value(model, expr.left, env, depth + 1)
        right = time_value(model, expr.right, env, depth + 1)
        inner = left or right
        if inner is None:
            return None
        other = expr.right if left is not None else expr.left
        factor = _number(other)
        operator = expr.operator
        if type(operator) is cst.Multiply and factor is not None:
            if inner.unit in ("s", "s-float") and factor == 1000:
                unit = "ms" if inner.unit == "s" and isinstance(factor, int) else "ms-float"
                return TimeValue(unit, expr, inner.clock)
            return TimeValue(inner.unit, expr, inner.clock)
        if type(operator) in (cst.FloorDivide, cst.Divide) and factor is not None and left is not None:
            if inner.unit == "ns" and factor == 1_000_000:
                return TimeValue("ms" if type(operator) is cst.FloorDivide else "ms-float", expr, inner.clock)
            if inner.unit == "ns" and factor == 1_000_000_000:
                return TimeValue("s" if type(operator) is cst.FloorDivide else "s-float", expr, inner.clock)
            return TimeValue(inner.unit, expr, inner.clock)
        if type(operator) in (cst.Add, cst.Subtract):
            return TimeValue(inner.unit, expr, inner.clock)  # an offset keeps the unit
        return None
    return None


def _number(expr: cst.BaseExpression) -> float | int | None:
    """The value of a numeric literal or a product/power of them (`1000`, `1e3`, `10 ** 6`)."""
    if type(expr) is cst.Integer:
        return int(expr.evaluated_value)
    if type(expr) is cst.Float:
        value = float(expr.evaluated_value)
        return int(value) if value.is_integer() else value
    if type(expr) is cst.UnaryOperation and type(expr.operator) is cst.Minus:
        inner = _number(expr.expression)
        return -inner if inner is not None else None
    if type(expr) is cst.BinaryOperation:
        left, right = _number(expr.left), _number(expr.right)
        if left is None or right is None:
            return None
        if type(expr.operator) is cst.Multiply:
            return left * right
        if type(expr.operator) is cst.Power and abs(right) < 20:
            return left ** right
        if type(expr.operator) is cst.Add:
            return left + right
        if type(expr.operator) is cst.Subtract:
            return left - right
    return None


def number_value(model: "ModuleModel", expr: cst.BaseExpression) -> tuple[float | int, cst.BaseExpression] | None:
    """A numeric constant and the expression that writes it (through names: `RECV = 70000`)."""
    for _ in range(_MAX_DEPTH):
        value = _number(expr)
        if value is not None:
            return value, expr
        if type(expr) in (cst.Name, cst.Attribute):
            resolved = model.value_of(expr)
            if resolved is expr:
                return None
            expr = resolved
            continue
        return None
    return None
