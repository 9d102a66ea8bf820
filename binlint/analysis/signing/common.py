"""The signing model's shared pieces: tables of call names, the value types, small tree helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

import libcst as cst

from binlint.analysis.requests import HelperCall, RequestSite
from binlint.analysis.values import HOLE, Env, Mutation, dotted_text, literal_text
from binlint.constructors import plain_init

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import Binding, ModuleModel
    from binlint.analysis.signing.parameters import _Reach


MAX_DEPTH = 8
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
BRACES = re.compile(r"\{([^{}]*)\}")
KEY_IN_TEXT = re.compile(r"(?:^|[&?])([A-Za-z_][A-Za-z0-9_.\[\]]*)=")
URLENCODE = frozenset({"urllib.parse.urlencode", "urllib.urlencode", "requests.compat.urlencode",
                       "six.moves.urllib.parse.urlencode"})
QUOTE = frozenset({"urllib.parse.quote", "urllib.parse.quote_plus", "urllib.quote", "urllib.quote_plus",
                   "requests.utils.quote", "six.moves.urllib.parse.quote", "six.moves.urllib.parse.quote_plus"})
B64 = frozenset({"base64.b64encode", "base64.standard_b64encode", "base64.urlsafe_b64encode",
                 "base64.encodebytes"})
HMAC = frozenset({"hmac.new", "hmac.HMAC"})
HASHES = frozenset({"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b",
                    "blake2s", "new"})
WS_SEND = frozenset({"send", "send_json", "send_str", "send_text", "send_message", "send_request"})
DIGEST_CALLS = frozenset({"new", "HMAC", *HASHES})
JSON = frozenset({"json.dumps", "ujson.dumps", "orjson.dumps", "simplejson.dumps", "rapidjson.dumps"})


# --- small value types ---------------------------------------------------------------------


@plain_init
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


@plain_init
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
        return algorithm_name(self.digestmod)


@plain_init
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


@plain_init
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


@plain_init
@dataclass(frozen=True, slots=True)
class ParamValue:
    """A value given to a request parameter (`timestamp`, `recvWindow`)."""

    key: str
    value: cst.BaseExpression
    node: cst.CSTNode
    context: str  # "dict", "setitem", "update", "query", "keyword", "constant"


class SigningBase:
    """What every part of the signing model holds: the analysis, the module, and the memos."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.model: ModuleModel = analysis.model
        self._refers_memo: dict[tuple[int, int, int, int], tuple[object, object, object, bool]] = {}
        self._names_memo: dict[int, tuple[cst.BaseExpression, list[cst.BaseExpression]]] = {}
        self._reach_stages: list["_Reach"] = []
        self._parameter_values_memo: dict[tuple[str, ...], list[ParamValue]] = {}
        self._request_parameter_values_memo: dict[tuple[str, ...], list[ParamValue]] = {}
        self._mutations_memo: dict[tuple[int, str], list[Mutation]] = {}
        self._sent_keys_memo: dict[tuple[int, int], tuple[object, object, KeySet]] = {}


# --- helpers --------------------------------------------------------------------------------


def keys_in_text(text: str) -> tuple[str, ...]:
    return tuple(match.group(1) for match in KEY_IN_TEXT.finditer(text.replace(HOLE, "&")))


def after_question_mark(parts: list[Part]) -> list[Part]:
    for index, part in enumerate(parts):
        if part.text is not None and "?" in part.text:
            rest = part.text.split("?", 1)[1]
            return [Part(text="&" + rest), *parts[index + 1:]]
    return []


def names_in(expr: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
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


def walk_calls(expr: cst.CSTNode) -> Iterator[cst.Call]:
    from binlint.analysis.walk import children

    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if type(node) is cst.Call:
            yield node
        stack.extend(children(node))


def target_expr(node: cst.CSTNode) -> cst.BaseExpression | None:
    if type(node) is cst.Assign and type(node.targets[0].target) is cst.Subscript:
        return node.targets[0].target.value
    if type(node) is cst.AugAssign and type(node.target) is cst.Subscript:
        return node.target.value
    if type(node) is cst.Call and type(node.func) is cst.Attribute:
        return node.func.value
    return None


def _statement(model: "ModuleModel", node: cst.CSTNode) -> cst.CSTNode:
    return model.statement_of(node)


def binding_statement(model: "ModuleModel", expr: cst.BaseExpression) -> cst.CSTNode | None:
    bindings = model.bindings(expr) if type(expr) in (cst.Name, cst.Attribute) else []
    return bindings[-1].statement if bindings else None


def with_env(digest: Digest, env: Env | None) -> Digest:
    if env is None or digest.env is env:
        return digest
    from dataclasses import replace

    return replace(digest, env=env)


def replace_output(digest: Digest, node: cst.BaseExpression, output: str) -> Digest:
    from dataclasses import replace

    if digest.kind == "asymmetric" or digest.output in ("digest", "object"):
        return replace(digest, node=node, output=output if digest.kind == "asymmetric" else
                       ("base64" if output == "base64" else "base64-bytes"))
    return replace(digest, node=node, output="base64-of-hex")


def is_new(call: cst.Call) -> bool:
    return type(call.func) is cst.Attribute and call.func.attr.value == "new"


def algorithm_name(expr: cst.BaseExpression | None) -> str | None:
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


def call_of_env(model: "ModuleModel", argument: cst.BaseExpression) -> cst.CSTNode | None:
    """The call an argument expression is passed in."""
    parent = model.tree.parent(argument)
    if type(parent) is cst.Arg:
        return model.tree.parent(parent)
    return None


def derived_only(model: "ModuleModel", name: cst.Name, bindings: list[Binding]) -> bool:
    """Later bindings only filter the first (`params = {k: v for k, v in params.items() if ...}`)."""
    for binding in bindings[1:]:
        value = binding.value
        if type(value) is not cst.DictComp:
            return False
        if not any(dotted_text(n) == name.value for n in names_in(value.for_in.iter)):
            return False
    return True
