"""Payloads: what bytes a digest signs — urlencode, joins, f-strings, JSON — and the parameter
names a dict or query string holds."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

import libcst as cst

from binlint.analysis.objects import constructed_field
from binlint.analysis.values import Env, bind_arguments, called_function, dict_shape, literal_text, returned_values
from binlint.analysis.signing.common import (
    BRACES, JSON, MAX_DEPTH, PERCENT, QUOTE, UNKNOWN_KEYS, URLENCODE, Digest, KeySet, Part, Payload, call_of_env,
    derived_only, keys_in_text, walk_calls,
)
from binlint.analysis.signing.digests import DigestReader

if TYPE_CHECKING:
    pass


class PayloadReader(DigestReader):
    """What a digest signs, as text parts and parameter names."""

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
            if name in URLENCODE or name in JSON and name != "orjson.dumps" or name == "builtins.str":
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
        if depth > MAX_DEPTH:
            return unknown
        if type(expr) in (cst.Name, cst.Attribute) and env is not None:
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
            if name in URLENCODE and expr.args:
                container, was_sorted, cenv = self._container(expr.args[0].value, env)
                keys = self.dict_keys(container, cenv, before=expr) if container is not None else UNKNOWN_KEYS
                local = self._container(expr.args[0].value, None)[0]
                if type(local) is cst.Name and env is not None and env.lookup(model, local) is not None:
                    keys = self.dict_keys(local, env, before=expr)  # a helper's parameter: and what it sets on it
                return Payload(expr, "urlencode", container, cenv, was_sorted, True, keys, (), is_str)
            if name in JSON and expr.args:
                container, was_sorted, cenv = self._container(expr.args[0].value, env)
                return Payload(expr, "json", container, cenv, was_sorted, False, UNKNOWN_KEYS, (), is_str)
            if name in ("builtins.str", "builtins.repr") and expr.args:
                container, was_sorted, cenv = self._container(expr.args[0].value, env)
                return Payload(expr, "repr", container, cenv, was_sorted, False, UNKNOWN_KEYS, (), is_str)
            if type(func) is cst.Attribute and func.attr.value == "join" and expr.args:
                return self._join_payload(expr, env, is_str)
            helper = called_function(model, expr)
            if helper is not None:
                inner_env = Env(helper, bind_arguments(expr, helper), env)
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
        if type(expr) in (cst.Name, cst.Attribute) and env is not None:
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
        for node in walk_calls(element):
            if self.model.call_name(node) in QUOTE or self.model.call_name(node) in URLENCODE:
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
                keys.update(keys_in_text(part.text))
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
        if type(expr) in (cst.Name, cst.Attribute) and env is not None:
            passed = env.lookup(model, expr)
            if passed is not None:
                return self._safe_value(passed[0], passed[1], depth + 1)
        if type(expr) in (cst.Name, cst.Attribute):
            resolved = model.value_of(expr)
            return resolved is not expr and self._safe_value(resolved, env, depth + 1)
        if type(expr) is cst.Call:
            name = model.call_name(expr) or ""
            if name in QUOTE or name in URLENCODE or name in ("builtins.int", "builtins.round", "builtins.len"):
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
        if depth > MAX_DEPTH:
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
                return self._template_parts(PERCENT.split(template), PERCENT.findall(template), values, {}, env,
                                            depth)
        if type(expr) is cst.Call and type(expr.func) is cst.Attribute and expr.func.attr.value == "format":
            template = literal_text(expr.func.value)
            if template is not None and "{{" not in template:
                positional = [a.value for a in expr.args if a.keyword is None and not a.star]
                named = {a.keyword.value: a.value for a in expr.args if a.keyword is not None}
                return self._template_parts(BRACES.split(template)[::2], BRACES.findall(template), positional,
                                            named, env, depth)
        if type(expr) in (cst.Name, cst.Attribute) and env is not None:
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
        if expr is None or depth > MAX_DEPTH:
            return UNKNOWN_KEYS
        if type(expr) in (cst.Name, cst.Attribute) and env is not None:
            passed = env.lookup(model, expr)
            if passed is not None:
                outer = self.dict_keys(passed[0], passed[1], call_of_env(model, passed[0]), depth + 1)
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
        if type(expr) is cst.BooleanOperation and type(expr.operator) is cst.Or:
            # `params or {}`: whichever is sent
            return self.dict_keys(expr.left, env, before, depth + 1) | self.dict_keys(expr.right, env, before,
                                                                                       depth + 1)
        if type(expr) is cst.Call and type(expr.func) is cst.Attribute and expr.func.attr.value == "copy" \
                and not expr.args:
            return self.dict_keys(expr.func.value, env, expr, depth + 1)  # `data = params.copy()`
        if type(expr) is cst.Call:
            helper = called_function(model, expr)
            if helper is not None:
                inner_env = Env(helper, bind_arguments(expr, helper), env)
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
                        return KeySet(base.keys, base.complete and derived_only(model, expr, bindings)) | \
                            self._changes_keys(expr, before)
                if type(expr) is cst.Attribute and type(expr.value) is cst.Name:
                    stored = constructed_field(model, expr.value, expr.attr.value)  # `request.params`
                    if stored is not None:
                        return self.dict_keys(stored, env, None, depth + 1) | self._changes_keys(expr, before)
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

    def is_textual(self, expr: cst.BaseExpression, env: Env | None) -> bool:
        """Whether `expr` is a query string (str or its `.encode()`) rather than a dict of parameters."""
        if type(expr) in (cst.Name, cst.Attribute) and env is not None:
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
                keys.update(keys_in_text(part.text))
                previous = part.text
                continue
            if not previous.endswith("="):
                assert part.expr is not None
                inner = self._classify(part.expr, part.env, True, depth)
                keys.update(inner.keys.keys)
                complete = complete and inner.keys.complete and inner.kind != "unknown"
            previous = ""
        return KeySet(frozenset(keys), complete)
