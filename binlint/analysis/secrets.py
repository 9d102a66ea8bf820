"""Credentials in a module: key literals and where they go, and where key-holding values leak.

`SecretModel(analysis)` (as `analysis.secrets`) is read by the BL1 rules (and by any rule
that needs to know whether an expression is the API key or the secret):

- `literals` — every credential literal worth a finding, once per literal (`SecretLiteral`):
  a key-shaped string, PEM private key or passphrase that reaches a sink (an SDK key or
  secret argument, ccxt's `{"apiKey": ..., "secret": ...}`, the `X-MBX-APIKEY` header,
  the key of `hmac.new` in Binance code) or is bound to a credential name (variable,
  attribute, dict key, keyword argument, parameter default, `os.getenv` default),
  directly or through constants (`API_KEY = "..."; Client(API_KEY, ...)`). By name alone
  a literal needs Binance evidence: the module is Binance code or the name says binance.
- `literals_for(code)` — those of one rule (BL101 key, BL102 secret, BL103 private key
  or passphrase); `pair_literal(lit)` — the other half of a leaked key pair, if any.
- `holder(expr)` — the credential an expression holds (`api_secret`, `self.api_key`,
  `os.environ["BINANCE_API_SECRET"]`, a key literal), as a `Holder`, or None.
- `exposures` — every place a key or secret is printed, logged, put into an exception,
  written out or sent other than as the `X-MBX-APIKEY` header value (`Exposure`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterator, cast

import libcst as cst

from binlint.analysis import binance
from binlint.analysis.credentials import (
    CREDENTIAL_WORD, KIND_LABELS, Kind, classify_name, doc_sample, doc_sample_kind, is_hex_digest,
    is_hex_key_candidate, is_key_candidate, is_passphrase_candidate, is_pem_private_key, may_hold_credential,
    may_hold_doc_sample, mentions_binance, name_tokens,
)
from binlint.analysis.sdk import argument
from binlint.analysis.values import (
    class_constant, dict_shape, dotted_text, literal_text, literal_value, mutations_of, subscript_key,
)
from binlint.constructors import plain_init

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.requests import RequestSite

_MAX_DEPTH = 6
_GETENV = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_HMAC = frozenset({"hmac.new", "hmac.HMAC"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log",
                          "success", "trace"})
_LOGGER_NAMES = frozenset({"logger", "log", "_logger", "_log", "logging", "LOGGER", "LOG", "_LOGGER", "_LOG"})
_WRITE_METHODS = frozenset({"write", "writelines", "write_text", "write_bytes", "writerow", "writerows"})
_DUMP_FUNCTIONS = frozenset({"json.dump", "yaml.dump", "yaml.safe_dump", "pickle.dump", "toml.dump", "tomli_w.dump"})
_SEND_METHODS = frozenset({"send", "sendall", "send_json", "send_str", "send_bytes", "publish"})
# Calls whose result holds their arguments' text: a key passed through them is still the key.
_TRANSPARENT_CALLS = frozenset({
    "builtins.str", "builtins.repr", "builtins.dict", "builtins.format", "json.dumps", "urllib.parse.urlencode",
    "urllib.parse.quote", "urllib.parse.quote_plus", "builtins.bytes",
})
_TRANSPARENT_METHODS = frozenset({"encode", "decode", "strip", "rstrip", "lstrip", "format", "join"})

CODE_OF_KIND: dict[str, str] = {"key": "BL101", "secret": "BL102", "private_key": "BL103", "passphrase": "BL103"}


@dataclass(frozen=True, slots=True)
class Slot:
    """A place a value goes that says which credential it is."""

    kind: Kind
    description: str  # "is passed to `Client(...)` as its API key"
    sink: bool  # an SDK argument, the API-key header or the HMAC key: no name needed
    name: str | None  # the credential name, when the slot is a name
    node: cst.CSTNode  # where the slot is (for its line)
    getenv: cst.Call | None = None  # `os.getenv("X", <value>)`: the call a fix replaces
    env_var: str | None = None  # "X" of that call


@dataclass(frozen=True, slots=True)
class SecretLiteral:
    """A credential written into the source, and where it goes."""

    node: cst.BaseExpression  # the string literal
    value: str
    kind: Kind
    code: str  # BL101, BL102 or BL103
    slot: Slot | None  # None: a PEM key sitting in a Binance module
    via: cst.BaseExpression | None  # the name it reaches the slot through, if not directly
    is_bytes: bool
    pem: bool

    @property
    def doc_sample(self) -> bool:
        return doc_sample(self.value)

    @property
    def hex_shaped(self) -> bool:
        """64 hex characters: the shape of futures-testnet keys (a key by where it goes)."""
        return is_hex_digest(self.value)

    @property
    def replaced(self) -> cst.CSTNode:
        """What a fix replaces: the `os.getenv(...)` call the literal is the default of, else the literal."""
        if self.slot is not None and self.slot.getenv is not None and self.via is None:
            return self.slot.getenv
        return self.node


@plain_init
@dataclass(frozen=True, slots=True)
class Holder:
    """An expression that holds an API key or secret."""

    expr: cst.BaseExpression
    kind: Kind
    label: str  # how a message names it: "`api_secret`", "the literal `AbCd…yZ`"
    value: str | None = None  # the literal's text, to scrub from output
    container_key: str | None = None  # the dict key or header name it sits under


@dataclass(frozen=True, slots=True)
class Exposure:
    """A key or secret leaving through output, an exception, a file or the network."""

    node: cst.Call
    channel: str  # "print", "log", "raise", "write", "request", "header", "send"
    how: str  # "is printed by `print(...)`"
    holders: tuple[Holder, ...]


class SecretModel:
    """The credentials of one module: literals with their sinks, holders and exposures."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.model = analysis.model
        self._holders_memo: dict[tuple[int, str | None, int], tuple[cst.BaseExpression, list[Holder]]] = {}

    # --- literals ----------------------------------------------------------------------

    @cached_property
    def literals(self) -> list[SecretLiteral]:
        """Every credential literal worth a finding, in source order, once each."""
        if not may_hold_credential(self.model.source):
            return []  # no key-shaped run, no PEM key, no passphrase anywhere in the text
        reached: dict[int, list[tuple[Slot, cst.BaseExpression | None]]] = {}
        nodes: dict[int, cst.BaseExpression] = {}
        for value, slot in self._slots():
            for literal, via in self._literals_of(value):
                reached.setdefault(id(literal), []).append((slot, via))
                nodes[id(literal)] = literal
        found: list[SecretLiteral] = []
        is_binance = self.analysis.is_binance
        for key, uses in reached.items():
            literal = nodes[key]
            made = self._judge(literal, uses, is_binance)
            if made is not None:
                found.append(made)
        judged = {id(lit.node) for lit in found}
        for sample in self._doc_samples():  # Binance's sample keys, wherever they are written
            if id(sample.node) not in judged:
                found.append(sample)
        if is_binance:  # a PEM private key anywhere in Binance code
            for literal in self._string_nodes():
                if id(literal) not in reached and "PRIVATE KEY" in self._raw(literal):
                    text = literal_value(literal)
                    if text is not None and is_pem_private_key(text[0]):
                        found.append(SecretLiteral(literal, text[0], "private_key", "BL103", None, None, text[1], True))
        found.sort(key=lambda lit: self.model.tree.order(lit.node))
        return found

    @cached_property
    def testnet_in_play(self) -> bool:
        """Whether the module talks to a Binance test network: a testnet host in a string, or
        an SDK client made with `testnet=True` / `demo=True`."""
        model = self.model
        if any(binance.mentions_testnet_host(text) for text in model.string_literals()):
            return True
        for arg in model.tree.of_type(cst.Arg):
            keyword = arg.keyword
            if keyword is not None and keyword.value in ("testnet", "demo") and type(arg.value) is cst.Name \
                    and arg.value.value == "True":
                return True
        return False

    def literals_for(self, code: str) -> list[SecretLiteral]:
        return [lit for lit in self.literals if lit.code == code]

    def pair_literal(self, literal: SecretLiteral) -> SecretLiteral | None:
        """The secret of a leaked key (or the key of a leaked secret) in this module."""
        other = {"BL101": "BL102", "BL102": "BL101"}.get(literal.code)
        if other is None:
            return None
        found = self.literals_for(other)
        return found[0] if found else None

    def _judge(self, literal: cst.BaseExpression, uses: list[tuple[Slot, cst.BaseExpression | None]],
               is_binance: bool) -> SecretLiteral | None:
        text = literal_value(literal)
        if text is None:
            return None
        value, is_bytes = text
        order = self.model.tree.order
        uses = sorted(uses, key=lambda use: (not use[0].sink, order(use[0].node)))
        slot, via = uses[0]
        names = [use[0].name for use in uses if use[0].name] + [self.model.code(use[1]) for use in uses if use[1]]
        kind = slot.kind
        if kind in ("key", "secret") and doc_sample(value):  # public samples: by value, Binance code or not
            return SecretLiteral(literal, value, kind, CODE_OF_KIND[kind], slot, via, is_bytes, False)
        if not slot.sink and not is_binance and not any(mentions_binance(name) for name in names) \
                and not self._read_by_binance(slot):
            return None
        if is_pem_private_key(value):
            return SecretLiteral(literal, value, "private_key", "BL103", slot, via, is_bytes, True)
        if kind in ("key", "secret", "private_key") and is_key_candidate(value):
            return SecretLiteral(literal, value, kind, CODE_OF_KIND[kind], slot, via, is_bytes, False)
        if kind in ("key", "secret") and is_hex_key_candidate(value) and not self._test_vectors:
            # A hex value where a key goes is a key (futures-testnet keys are hex); by name
            # alone only in Binance code or under a name that says binance (checked above).
            return SecretLiteral(literal, value, kind, CODE_OF_KIND[kind], slot, via, is_bytes, False)
        if kind == "passphrase" and is_passphrase_candidate(value):
            return SecretLiteral(literal, value, kind, "BL103", slot, via, is_bytes, False)
        return None

    def _read_by_binance(self, slot: Slot) -> bool:
        """Whether `slot` is a module constant that a Binance module of the project imports
        (`api_key = "..."` in a `config.py` that the bot's Binance code reads)."""
        view = self.model.project
        if view is None or slot.name is None or type(slot.node) not in (cst.Assign, cst.AnnAssign):
            return False
        parent = self.model.tree.parent(slot.node)
        return parent is not None and self.model.tree.parent(parent) is self.model.module \
            and view.read_by_binance(slot.name)

    def _doc_samples(self) -> Iterator[SecretLiteral]:
        """String literals (docstrings aside) whose whole value is a sample key from Binance's docs."""
        if not may_hold_doc_sample(self.model.source):
            return
        tree = self.model.tree
        for literal in self._string_nodes():
            if len(self._raw(literal)) < 66 or type(tree.parent(literal)) is cst.Expr:
                continue
            text = literal_value(literal)
            kind = doc_sample_kind(text[0]) if text is not None else None
            if kind is not None:
                yield SecretLiteral(literal, text[0], kind, CODE_OF_KIND[kind], None, None, text[1], False)  # type: ignore[index]

    @cached_property
    def _test_vectors(self) -> bool:
        """Whether the module holds a hex digest it checks against (an expected signature, a
        compared digest): then its other hex values are test vectors, not keys."""
        tree = self.model.tree
        for literal in tree.of_type(cst.SimpleString):
            raw = literal.value
            if len(raw) < 66 or not is_hex_digest(raw.strip("\"'bBrRuU")):
                continue
            parent = tree.parent(literal)
            if isinstance(parent, (cst.Comparison, cst.ComparisonTarget, cst.Assert)):
                return True
            if isinstance(parent, cst.Arg) and parent.keyword is not None:
                name = parent.keyword.value
            elif isinstance(parent, cst.DictElement):
                name = literal_text(parent.key) or ""
            elif isinstance(parent, (cst.Assign, cst.AnnAssign)):
                targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
                name = " ".join(dotted_text(t) or "" for t in targets)
            else:
                continue
            if _VECTOR_WORDS.intersection(name_tokens(name)):
                return True
        return False

    def _string_nodes(self) -> Iterator[cst.BaseExpression]:
        tree = self.model.tree
        for node in tree.of_type(cst.SimpleString, cst.ConcatenatedString):
            if type(tree.parent(node)) is not cst.ConcatenatedString:
                yield node

    @staticmethod
    def _raw(node: cst.BaseExpression) -> str:
        if type(node) is cst.SimpleString:
            return node.value
        if type(node) is cst.ConcatenatedString:
            return SecretModel._raw(node.left) + SecretModel._raw(node.right)
        return ""

    def _literals_of(self, expr: cst.BaseExpression, via: cst.BaseExpression | None = None,
                     depth: int = 0) -> list[tuple[cst.BaseExpression, cst.BaseExpression | None]]:
        """The string literals an expression's value comes from, and the name it came through."""
        if depth > _MAX_DEPTH:
            return []
        if type(expr) in (cst.SimpleString, cst.ConcatenatedString):
            return [(expr, via)]
        if type(expr) is cst.Call:
            func = expr.func
            if type(func) is cst.Attribute and func.attr.value in ("encode", "decode", "strip"):
                return self._literals_of(func.value, via, depth + 1)
            if self.model.call_name(expr) in ("builtins.bytes", "builtins.str", "builtins.bytearray") and expr.args:
                return self._literals_of(expr.args[0].value, via, depth + 1)
            return []
        if type(expr) is cst.BooleanOperation:
            return self._literals_of(expr.left, via, depth + 1) + self._literals_of(expr.right, via, depth + 1)
        if type(expr) is cst.IfExp:
            return self._literals_of(expr.body, via, depth + 1) + self._literals_of(expr.orelse, via, depth + 1)
        if type(expr) in (cst.Name, cst.Attribute):
            resolved = self.model.value_of(expr)
            if resolved is expr:
                resolved = class_constant(self.model, expr) or expr
            if resolved is expr:
                return []
            return self._literals_of(resolved, via or expr, depth + 1)
        return []

    # --- where values go ------------------------------------------------------------------

    def _slots(self) -> Iterator[tuple[cst.BaseExpression, Slot]]:
        """(value expression, slot) for every place that says which credential a value is."""
        yield from self._sdk_slots()
        yield from self._project_slots()
        yield from self._header_slots()
        yield from self._hmac_slots()
        yield from self._named_slots()

    def _sdk_slots(self) -> Iterator[tuple[cst.BaseExpression, Slot]]:
        model = self.model
        for construction in self.analysis.sdk.constructions:
            cls = construction.sdk_class
            callee = f"`{model.code(construction.call.func)}(...)`"
            wanted: list[tuple[Kind, tuple[str, ...], int | None]] = [
                ("key", cls.key_args, cls.key_position),
                ("secret", cls.secret_args, cls.secret_position),
                ("private_key", cls.private_key_args, None),
                ("passphrase", cls.passphrase_args, None),
            ]
            for kind, keywords, position in wanted:
                if not keywords and position is None:
                    continue
                value = construction.argument(keywords, position)
                if value is not None:
                    yield value, Slot(kind, f"is passed to {callee} as its {KIND_LABELS[kind]}", True, None,
                                      construction.call)
            if cls.config_dict:
                shape = dict_shape(model, construction.argument(("config",), 0))
                for item in shape.items if shape is not None else ():
                    kind_of_field: Kind | None = (
                        "key" if item.key in cls.config_key_fields
                        else "secret" if item.key in cls.config_secret_fields else None
                    )
                    if kind_of_field is not None:
                        yield item.value, Slot(kind_of_field, f"is the `{item.key}` of {callee}", True, None,
                                               construction.call)

    def _project_slots(self) -> Iterator[tuple[cst.BaseExpression, Slot]]:
        """Module constants another module of the project passes to an SDK as a key or secret
        (`Client(config.API_KEY, ...)` elsewhere makes `API_KEY = "..."` here a key)."""
        view = self.model.project
        if view is None:
            return
        sinks = view.key_sinks()
        if not sinks:
            return
        for statement in self.model.module.body:
            if type(statement) is not cst.SimpleStatementLine:
                continue
            for small in statement.body:
                value: cst.BaseExpression
                if type(small) is cst.Assign:
                    targets, value = [t.target for t in small.targets], small.value
                elif type(small) is cst.AnnAssign and small.value is not None:
                    targets, value = [small.target], small.value
                else:
                    continue
                for target in targets:
                    if type(target) is cst.Name and target.value in sinks:
                        kind, user = sinks[target.value]
                        slot_kind = cast("Kind", kind)  # "key" or "secret"
                        yield value, Slot(
                            slot_kind, f"is passed to a Binance client as its {KIND_LABELS[slot_kind]} in `{user}`", True,
                            target.value, small)

    def _header_slots(self) -> Iterator[tuple[cst.BaseExpression, Slot]]:
        model = self.model
        description = "is sent as the `X-MBX-APIKEY` header"
        for element in model.tree.of_type(cst.DictElement):
            if _mentions_header(element.key) and binance.is_api_key_header(literal_text(element.key)):
                yield element.value, Slot("key", description, True, None, element)
        for assign in model.tree.of_type(cst.Assign):
            for target in assign.targets:
                if type(target.target) is cst.Subscript and _mentions_header(target.target) \
                        and binance.is_api_key_header(subscript_key(target.target)):
                    yield assign.value, Slot("key", description, True, None, assign)
        for call in model.calls():
            func = call.func
            if type(func) is cst.Attribute and func.attr.value in ("add_header", "putheader", "__setitem__") \
                    and len(call.args) >= 2 and _mentions_header(call.args[0].value) \
                    and binance.is_api_key_header(literal_text(call.args[0].value)):
                yield call.args[1].value, Slot("key", description, True, None, call)

    def _hmac_slots(self) -> Iterator[tuple[cst.BaseExpression, Slot]]:
        if not self.analysis.is_binance:
            return
        for call in self.model.calls():
            if _last_name(call.func) in ("new", "HMAC") and self.model.call_name(call) in _HMAC:
                key = argument(call, ("key",), 0)
                if key is not None:
                    yield key, Slot("secret", f"is the key of `{self.model.code(call.func)}(...)`, so it is the "
                                              "secret key", True, None, call)

    def _named_slots(self) -> Iterator[tuple[cst.BaseExpression, Slot]]:
        model = self.model
        tree = model.tree

        def named(name: str | None, value: cst.BaseExpression, description: "str | Callable[[], str]",
                  node: cst.CSTNode) -> Iterator[tuple[cst.BaseExpression, Slot]]:
            kind = classify_name(name) if name and CREDENTIAL_WORD.search(name) else None
            if kind is not None:
                text = description if isinstance(description, str) else description()
                yield value, Slot(kind, text, False, name, node)

        assigns: list[cst.Assign | cst.AnnAssign] = tree.of_type(cst.Assign, cst.AnnAssign)
        for assign in assigns:
            if isinstance(assign, cst.Assign):
                targets = [t.target for t in assign.targets]
            else:
                targets = [assign.target]
            value = assign.value
            if value is None:
                continue
            for target in targets:
                if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)) \
                        and len(target.elements) == len(value.elements):
                    for inner_target, inner_value in zip(target.elements, value.elements):
                        name = _target_name(inner_target.value)
                        yield from named(name, inner_value.value, f"is assigned to `{name}`", assign)
                    continue
                name = _target_name(target)
                # The target's code is rendered only for a credential name (a codegen per assignment adds up).
                def describe(target: cst.BaseAssignTargetExpression = target) -> str:
                    return f"is assigned to `{model.code(target)}`"

                yield from named(name, value, describe, assign)
        for walrus in tree.of_type(cst.NamedExpr):
            name = _target_name(walrus.target)
            yield from named(name, walrus.value, f"is assigned to `{name}`", walrus)
        for element in tree.of_type(cst.DictElement):
            if type(element.key) is cst.SimpleString and CREDENTIAL_WORD.search(element.key.value):
                key = literal_text(element.key)
                yield from named(key, element.value, f"is the value of the `{key}` entry", element)
        for arg in tree.of_type(cst.Arg):
            if arg.keyword is not None and CREDENTIAL_WORD.search(arg.keyword.value):
                call = tree.parent(arg)
                callee = f"`{model.code(call.func)}(...)`" if type(call) is cst.Call else "a call"
                yield from named(arg.keyword.value, arg.value, f"is passed as `{arg.keyword.value}=` to {callee}", arg)
        for param in tree.of_type(cst.Param):
            if param.default is not None:
                name = param.name.value
                yield from named(name, param.default, f"is the default of the parameter `{name}`", param)
        for call in model.calls():
            if call.args and _last_name(call.func) in ("getenv", "get", "setdefault") \
                    and model.call_name(call) in _GETENV:
                var = literal_text(call.args[0].value)
                default = argument(call, ("default", "value"), 1)
                kind = classify_name(var) if var else None
                if kind is not None and default is not None and var is not None:
                    description = f"is the default of `{model.code(call.func)}(\"{var}\", ...)`"
                    yield default, Slot(kind, description, False, var, call, getenv=call, env_var=var)

    # --- holders and exposures ---------------------------------------------------------------

    def holder(self, expr: cst.BaseExpression, depth: int = 0) -> Holder | None:
        """The API key or secret `expr` holds, if it holds one (Binance evidence required)."""
        if depth > _MAX_DEPTH:
            return None
        model = self.model
        if type(expr) is cst.Call:
            func = expr.func
            if type(func) is cst.Attribute and func.attr.value in ("encode", "decode", "strip"):
                inner = self.holder(func.value, depth + 1)
                return Holder(expr, inner.kind, inner.label, inner.value) if inner else None
            name = model.call_name(expr)
            if name in ("builtins.str", "builtins.bytes") and expr.args:
                inner = self.holder(expr.args[0].value, depth + 1)
                return Holder(expr, inner.kind, inner.label, inner.value) if inner else None
            if (name in _GETENV or (type(func) is cst.Attribute and func.attr.value in ("get", "getenv"))) \
                    and expr.args:
                return self._named_holder(expr, literal_text(expr.args[0].value))
            return None
        if type(expr) in (cst.SimpleString, cst.ConcatenatedString):
            text = literal_value(expr)
            found = self._literal_by_value.get(text[0]) if text is not None else None
            if found is not None:
                from binlint.model import redact_value

                return Holder(expr, found.kind, f"the literal `{redact_value(found.value)}`", found.value)
            return None
        if type(expr) is cst.Subscript:
            return self._named_holder(expr, subscript_key(expr))
        if type(expr) is cst.Name or type(expr) is cst.Attribute:
            name = expr.value if type(expr) is cst.Name else cast(cst.Attribute, expr).attr.value
            direct = self._named_holder(expr, name)
            if direct is not None:
                return direct
            resolved = model.value_of(expr)
            if resolved is not expr:
                inner = self.holder(resolved, depth + 1)
                if inner is not None:
                    return Holder(expr, inner.kind, f"`{model.code(expr)}`", inner.value)
        return None

    def _named_holder(self, expr: cst.BaseExpression, name: str | None) -> Holder | None:
        if not name:
            return None
        kind = classify_name(name)
        if kind not in ("key", "secret"):
            return None
        if not (self.analysis.is_binance or mentions_binance(name)):
            return None
        return Holder(expr, kind, f"`{self.model.code(expr)}`")

    @cached_property
    def _literal_by_value(self) -> dict[str, SecretLiteral]:
        """Key and secret literals by their text: the same key written twice is the same key."""
        return {lit.value: lit for lit in self.literals if lit.kind in ("key", "secret") and not lit.pem}

    def holders_in(self, expr: cst.BaseExpression | None, key: str | None = None, depth: int = 0) -> list[Holder]:
        """The keys and secrets whose text ends up in the value of `expr` (f-strings, dicts, `+`, `%`...)."""
        if expr is None or depth > _MAX_DEPTH:
            return []
        # The same values (a module constant, a shared dict) are reached from many requests:
        # remembered (the node is kept in the entry, so its id cannot be reused while it lives).
        memo = self._holders_memo
        known = memo.get((id(expr), key, depth))
        if known is not None and known[0] is expr:
            return list(known[1])
        found = self._holders_in(expr, key, depth)
        memo[(id(expr), key, depth)] = (expr, found)
        return list(found)

    def _holders_in(self, expr: cst.BaseExpression, key: str | None, depth: int) -> list[Holder]:
        # Node classes tested by exact type (see module._NAME_TYPES).
        found = self.holder(expr)
        if found is not None:
            return [Holder(found.expr, found.kind, found.label, found.value, key)]
        inner: list[tuple[cst.BaseExpression, str | None]] = []
        if type(expr) is cst.FormattedString:
            inner = [(p.expression, key) for p in expr.parts if type(p) is cst.FormattedStringExpression]
        elif type(expr) is cst.ConcatenatedString:
            inner = [(expr.left, key), (expr.right, key)]
        elif type(expr) is cst.BinaryOperation and type(expr.operator) in (cst.Add, cst.Modulo):
            inner = [(expr.left, key), (expr.right, key)]
        elif type(expr) is cst.Tuple or type(expr) is cst.List or type(expr) is cst.Set:
            inner = [(e.value, key) for e in expr.elements]
        elif type(expr) is cst.Dict:
            for element in expr.elements:
                if type(element) is cst.DictElement:
                    inner.append((element.value, literal_text(element.key)))
                else:
                    inner.append((element.value, key))
        elif type(expr) is cst.Call:
            func = expr.func
            transparent = self.model.call_name(expr) in _TRANSPARENT_CALLS or (
                type(func) is cst.Attribute and func.attr.value in _TRANSPARENT_METHODS)
            if transparent:
                inner = [(a.value, a.keyword.value if a.keyword else key) for a in expr.args]
                if type(func) is cst.Attribute and func.attr.value == "format":
                    inner.append((func.value, key))
        elif type(expr) is cst.Name or type(expr) is cst.Attribute:
            resolved = self.model.value_of(expr)
            if resolved is not expr:
                inner.append((resolved, key))
            for mutation in mutations_of(self.model, expr):
                if mutation.kind == "setitem":
                    inner.append((mutation.value, mutation.key))  # type: ignore[arg-type]
                elif mutation.kind == "update" and type(mutation.node) is cst.Call:
                    inner.extend((a.value, a.keyword.value if a.keyword else key) for a in mutation.node.args)
        result: list[Holder] = []
        for value, inner_key in inner:
            if value is not None:
                result.extend(self.holders_in(value, inner_key, depth + 1))
        return result

    @cached_property
    def exposures(self) -> list[Exposure]:
        """Every print, log, raise, write or send that carries a key or secret."""
        found: list[Exposure] = []
        for call in self.model.calls():
            exposure = self._exposure(call)
            if exposure is not None:
                found.append(exposure)
        return found

    def _exposure(self, call: cst.Call) -> Exposure | None:
        model = self.model
        func = call.func
        last = _last_name(func)
        if not call.args or last is None:
            return None
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        method = type(func) is cst.Attribute
        receiver = func.value if type(func) is cst.Attribute else None
        if last == "print" and model.call_name(call) == "builtins.print":
            return self._make(call, "print", "is printed by", positional)
        if receiver is not None and last in _LOG_METHODS and self._is_logger(receiver):
            message = [a.value for a in call.args if a.keyword is None or a.keyword.value in ("msg", "message")]
            return self._make(call, "log", "is logged by", message)
        if last == "warn" and model.call_name(call) == "warnings.warn":
            return self._make(call, "log", "is shown by", positional[:1])
        parent = model.tree.parent(call)
        if type(parent) is cst.Raise and parent.exc is call:
            return self._make(call, "raise", "is put into the message of the exception raised by",
                              [a.value for a in call.args])
        if method and last in _WRITE_METHODS:
            return self._make(call, "write", "is written out by", positional)
        if last in ("dump", "safe_dump") and model.call_name(call) in _DUMP_FUNCTIONS:
            return self._make(call, "write", "is written to a file by", positional[:1])
        if receiver is not None and last == "update" and (dotted_text(receiver) or "").endswith(".headers"):
            return self._make(call, "header", "is sent as an HTTP header by", positional[:1],
                              lambda h: _sent_wrongly(h, True))
        if method and last in _SEND_METHODS:
            return self._make(call, "send", "is sent over the connection by", positional, lambda h: h.kind == "secret")
        site = self.analysis.requests.site_for(call)
        if site is not None:
            return self._request_exposure(call, site)
        return None

    def _request_exposure(self, call: cst.Call, site: "RequestSite") -> Exposure | None:
        parts = [("params", site.params), ("data", site.data), ("json", site.json), ("headers", site.headers),
                 ("URL", site.url_expr)]
        holders: list[Holder] = []
        where: list[str] = []
        for label, expr in parts:
            found = [h for h in self.holders_in(expr) if _sent_wrongly(h, label == "headers")]
            if found:
                holders.extend(found)
                where.append(f"`{label}=`" if label != "URL" else "the URL")
        if not holders:
            return None
        how = f"is sent in {' and '.join(where)} of `{self.model.code(call.func)}(...)`"
        return Exposure(call, "request", how, tuple(holders))

    def _make(self, call: cst.Call, channel: str, verb: str, values: list[cst.BaseExpression],
              keep: "Callable[[Holder], bool] | None" = None) -> Exposure | None:
        holders = [h for value in values for h in self.holders_in(value) if keep is None or keep(h)]
        if not holders:
            return None
        return Exposure(call, channel, f"{verb} `{self.model.code(call.func)}(...)`", tuple(holders))

    def _is_logger(self, receiver: cst.BaseExpression) -> bool:
        qualified = self.model.qualname(receiver) or ""
        if qualified.split(".", 1)[0] in ("logging", "loguru", "structlog"):
            return True
        text = dotted_text(receiver) or ""
        last = text.rsplit(".", 1)[-1]
        return last in _LOGGER_NAMES or last.lower().endswith("logger")


# Names of a hex value a test checks against: an expected signature, digest or checksum.
_VECTOR_WORDS = frozenset({"expected", "signature", "sig", "digest", "hash", "sha256", "checksum", "hmac", "vector",
                           "want", "result"})


def _sent_wrongly(holder: Holder, in_headers: bool) -> bool:
    """The secret is never sent; the key only as the `X-MBX-APIKEY` header."""
    if holder.kind == "secret":
        return True
    return not (in_headers and binance.is_api_key_header(holder.container_key))


def _target_name(target: cst.BaseExpression) -> str | None:
    if type(target) is cst.Name:
        return target.value
    if type(target) is cst.Attribute:
        return target.attr.value
    if type(target) is cst.Subscript:
        return subscript_key(target) if CREDENTIAL_WORD.search(_raw_index(target)) else None
    return None


def _raw_index(node: cst.Subscript) -> str:
    return "".join(e.slice.value.value for e in node.slice
                   if type(e.slice) is cst.Index and type(e.slice.value) is cst.SimpleString)


def _last_name(func: cst.BaseExpression) -> str | None:
    """`os.environ.get` -> "get", `getenv` -> "getenv": what a call calls, unresolved."""
    if type(func) is cst.Attribute:
        return func.attr.value
    if type(func) is cst.Name:
        return func.value
    return None


def _mentions_header(node: cst.CSTNode) -> bool:
    """Whether a subscript or string literal can spell `X-MBX-APIKEY` (checked before evaluating it)."""
    if type(node) is cst.Subscript:
        return any(type(e.slice) is cst.Index and _mentions_header(e.slice.value) for e in node.slice)
    return type(node) is cst.SimpleString and "mbx" in node.value.lower()
