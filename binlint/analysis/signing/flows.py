"""Flows: where a signature joins a request (attachments) and which request sends it."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Iterator, cast

import libcst as cst

from binlint.analysis.requests import HelperCall, RequestSite
from binlint.analysis.values import (
    HOLE, Env, Mutation, bind_arguments, called_function, dotted_text, literal_text, mentions, module_index,
    returned_values,
)
from binlint.analysis.signing.common import WS_SEND, Attachment, Digest, Signing, keys_in_text, names_in, target_expr
from binlint.analysis.signing.payloads import PayloadReader

if TYPE_CHECKING:
    pass


class FlowReader(PayloadReader):
    """Attachments of a signature, followed back to the digest and on to the request."""

    # --- attachments ----------------------------------------------------------------------

    @cached_property
    def attached_nodes(self) -> frozenset[int]:
        """ids of the nodes where a signature is added: one set for every signing of the module."""
        return frozenset(id(a.node) for a in self.attachments)

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
        target = target_expr(node)
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
                                     model.function_of(fstring), keys_in_text(after), True)
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
                                         keys_in_text(after), True)

    def _tail_text(self, expr: cst.BaseExpression) -> str | None:
        """The literal text a `+` chain ends with."""
        return self._end_text(expr, last=True)

    def _leading_text(self, expr: cst.BaseExpression) -> str | None:
        """The literal text a `+` chain starts with."""
        return self._end_text(expr, last=False)

    def _end_text(self, expr: cst.BaseExpression, last: bool) -> str | None:
        text = literal_text(expr)
        if text is not None:
            return text
        if type(expr) is cst.BinaryOperation and type(expr.operator) is cst.Add:
            return self._end_text(expr.right if last else expr.left, last)
        if last and type(expr) is cst.FormattedString and expr.parts \
                and type(expr.parts[-1]) is cst.FormattedStringText:
            return expr.parts[-1].value
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
        return keys_in_text("".join(texts))


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
        for site in requests.sites_in(attachment.function):
            where = self._carries(site, carrier, attachment.node)
            if where is not None:
                return replace(signing, site=site, sent_as=where[0], sent_expr=where[1])
        # Built in a helper that returns it: `params=self._sign(params)`.
        function = attachment.function
        if function is not None and any(dotted_text(v) == dotted_text(carrier) for v in returned_values(
                self.model, function)) and dotted_text(carrier) is not None:
            for call in requests._calls_of(function):
                for site in requests.sites_in(self.model.function_of(call)):
                    where = self._carries(site, call, call)
                    if where is not None:
                        return replace(signing, site=site, sent_as=where[0], sent_expr=where[1])
        # Passed to a same-module helper that sends it.
        for call in self._calls_with_args_by_function.get(id(attachment.function), ()):
            function = called_function(self.model, call)
            if function is None:
                continue
            arguments = bind_arguments(call, function)
            for name, value in arguments.items():
                if not self._refers(value, carrier, attachment.node):
                    continue
                for site in requests.sites_in(function):
                    where = self._carries(site, cst.Name(name), None, function)
                    if where is not None:
                        helper = self._helper_call_by_id.get(id(call))
                        env = helper.env if helper is not None else Env(function, arguments, None)
                        return replace(signing, site=site, helper=helper, sent_as=where[0], sent_expr=where[1],
                                       site_env=env)
        # Sent as a WebSocket API message (`ws.send(json.dumps({"method": ..., "params": params}))`):
        # another protocol, signed over sorted, unencoded parameters.
        for call in self._ws_sends.get(id(attachment.function), ()):
            if any(self._refers(arg.value, carrier, attachment.node) for arg in call.args):
                return replace(signing, transport="websocket")
        return signing

    @cached_property
    def _ws_sends(self) -> dict[int, list[cst.Call]]:
        """WebSocket sends by the function they are made in (its id; id(None) at the top level)."""
        found: dict[int, list[cst.Call]] = {}
        for call in self.model.calls():
            if type(call.func) is cst.Attribute and call.func.attr.value in WS_SEND and call.args:
                found.setdefault(id(self.model.function_of(call)), []).append(call)
        return found

    @cached_property
    def _helper_call_by_id(self) -> dict[int, HelperCall]:
        return {id(h.call): h for h in self.analysis.requests.helper_calls}

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
        """`names_in(expr)`, remembered per expression."""
        known = self._names_memo.get(id(expr))
        if known is not None and known[0] is expr:
            return known[1]
        tree = self.model.tree
        if tree.span(expr) is None:
            found = list(names_in(expr))
        else:  # the same nodes, read off the tree's lists (in another order; callers only test them)
            attribute_names = self._attribute_names
            found = [name for name in tree.within(expr, cst.Name)
                     if name is expr or id(name) not in attribute_names]
            found.extend(tree.within(expr, cst.Attribute))
        self._names_memo[id(expr)] = (expr, found)
        return found

    @cached_property
    def _attribute_names(self) -> set[int]:
        """ids of the names that are the `attr` of an attribute (`b` in `a.b`): `names_in` does not enter them."""
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


    def binance_signings_for(self, site: RequestSite) -> list[Signing]:
        """The Binance signings sent by the request at `site` (looked up, not searched: asked per order)."""
        return self._binance_signings_by_call.get(id(site.call), [])

    @cached_property
    def _binance_signings_by_call(self) -> dict[int, list[Signing]]:
        found: dict[int, list[Signing]] = {}
        for signing in self.binance_signings:
            if signing.site is not None:
                found.setdefault(id(signing.site.call), []).append(signing)
        return found

    @cached_property
    def _calls_with_args(self) -> list[cst.Call]:
        return [call for call in self.model.calls() if call.args and called_function(self.model, call) is not None]

    @cached_property
    def _calls_with_args_by_function(self) -> dict[int, list[cst.Call]]:
        """`_calls_with_args` by the function they are made in (its id; id(None) at the top level)."""
        found: dict[int, list[cst.Call]] = {}
        for call in self._calls_with_args:
            found.setdefault(id(self.model.function_of(call)), []).append(call)
        return found


    def signed_functions(self) -> set[int]:
        """ids of functions that attach a signature (directly)."""
        return {id(s.attachment.function) for s in self.signings if s.attachment.function is not None}
