"""Digests: which primitive and which key sign what — `hmac.new(...)`, plain hashlib, RSA/Ed25519
`.sign(...)` — and following a signature value back to its digest."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst

from binlint.analysis.values import Env, bind_arguments, called_function, returned_values
from binlint.analysis.signing.common import (
    B64, DIGEST_CALLS, HASHES, HMAC, MAX_DEPTH, QUOTE, Digest, binding_statement, is_new, replace_output, with_env,
)
from binlint.analysis.signing.changes import ChangeReader

if TYPE_CHECKING:
    pass


class DigestReader(ChangeReader):
    """Signature computations, and the digest a value comes from."""


    @cached_property
    def digests(self) -> list[Digest]:
        """Every signature computation in the module, as written (no caller bindings)."""
        found: list[Digest] = []
        seen: set[int] = set()
        for call in self.model.calls():
            func = call.func
            last = func.attr.value if type(func) is cst.Attribute else (
                func.value if type(func) is cst.Name else None)
            if last not in DIGEST_CALLS and not (type(func) is cst.Name and func.value in self.model.imports):
                continue
            name = self.model.call_name(call)
            if name in HMAC:
                digest = self._hmac_digest(call)
            elif name and name.startswith("hashlib.") and name.split(".", 1)[1] in HASHES:
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
        message = call.args[0].value if call.args and call.func and not is_new(call) else (
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


    # --- following a value back -------------------------------------------------------------

    def trace(self, expr: cst.BaseExpression, env: Env | None = None, depth: int = 0
              ) -> tuple[Digest | None, bool, cst.CSTNode | None]:
        """The digest an expression's value comes from, whether it was percent-quoted on the
        way, and where (in the expression's own function) it was computed."""
        model = self.model
        if depth > MAX_DEPTH:
            return None, False, None
        if type(expr) is cst.Name and env is not None:
            passed = env.lookup(model, expr)
            if passed is not None:
                digest, quoted, _ = self.trace(passed[0], passed[1], depth + 1)
                return digest, quoted, passed[0]
        found = self._digest_by_node.get(id(expr))
        if found is not None:
            return with_env(found, env), False, expr
        if type(expr) in (cst.Name, cst.Attribute):
            resolved = model.value_of(expr)
            if resolved is not expr:
                digest, quoted, point = self.trace(resolved, env, depth + 1)
                return digest, quoted, point if digest is None else binding_statement(model, expr) or point
            return None, False, None
        if type(expr) is cst.Await:
            return self.trace(expr.expression, env, depth + 1)
        if type(expr) is cst.Call:
            name = model.call_name(expr)
            func = expr.func
            if name in QUOTE and expr.args:
                digest, _, point = self.trace(expr.args[0].value, env, depth + 1)
                return digest, True, point
            if type(func) is cst.Attribute and func.attr.value in ("decode", "lower", "upper", "strip"):
                return self.trace(func.value, env, depth + 1)
            if name == "builtins.str" and expr.args:
                return self.trace(expr.args[0].value, env, depth + 1)
            if name in B64 and expr.args:
                inner, quoted, point = self.trace(expr.args[0].value, env, depth + 1)
                if inner is not None:
                    output = "base64-bytes" if inner.output != "asymmetric" else "base64-bytes"
                    decoded = type(model.tree.parent(expr)) is cst.Attribute
                    return replace_output(inner, expr, "base64" if decoded else output), quoted, point
                asym = self._asymmetric(expr.args[0].value, env)
                if asym is not None:
                    decoded = type(model.tree.parent(expr)) is cst.Attribute
                    return replace_output(asym, expr, "base64" if decoded else "base64-bytes"), quoted, expr
                return None, quoted, point
            helper = called_function(model, expr)
            if helper is not None:
                arguments = bind_arguments(expr, helper)
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
