"""What changes a dict or query string after it was built or signed: in-place changes, through
same-module helpers it is passed to, and the changes made after the signature was computed."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Iterator

import libcst as cst

from binlint.analysis.values import Mutation, bind_arguments, called_function, dotted_text, literal_text, module_index
from binlint.analysis.signing.common import KeySet, Signing, SigningBase, names_in

if TYPE_CHECKING:
    from binlint.analysis.signing.model import SigningModel


class ChangeReader(SigningBase):
    """In-place changes to containers, and the keys they set."""

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
            for name, value in bind_arguments(call, helper).items():
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


def changes_after(reader: SigningModel, signing: Signing) -> list[Mutation]:
    """Changes made to the signed container (or signed query string) after the signature was
    computed; adding `signature` itself is not one."""
    payload = signing.payload
    digest = signing.digest
    if payload is None or digest is None:
        return []
    model = reader.model
    point_order = model.tree.order(model.statement_of(signing.point))
    attached = reader.attached_nodes
    candidates: list[Mutation] = []
    if payload.container is not None and payload.container_env is None:
        candidates.extend(reader.mutations(payload.container))
    message = digest.message
    if message is not None and digest.env is None:
        stripped, _ = reader._strip_encode(message, None)
        if type(stripped) is cst.Name:
            candidates.extend(m for m in reader.mutations(stripped) if m.kind == "augassign")
    found = []
    for mutation in candidates:
        if mutation.order <= point_order or id(mutation.node) in attached:
            continue
        if mutation.key == "signature" or "signature" in mutation.keys(model):
            continue
        if mutation.kind in ("append", "insert") and reader._pair_key(mutation) == "signature":
            continue
        if mutation.kind in ("sort", "reverse"):
            continue
        if signing.site is not None and mutation.order > model.tree.order(signing.site.call) \
                and model.function_of(mutation.node) is model.function_of(signing.site.call):
            continue  # changed after the request went out
        found.append(mutation)
    return found

def rebinding_after(reader: SigningModel, signing: Signing) -> cst.Assign | None:
    """`params = {k: v for k, v in params.items() if v is not None}` after the signature."""
    payload = signing.payload
    if payload is None or type(payload.container) is not cst.Name:
        return None
    model = reader.model
    point_order = model.tree.order(model.statement_of(signing.point))
    container = payload.container
    for binding in model.bindings(container):
        if binding.order > point_order and type(binding.statement) is cst.Assign and \
                binding.value is not None and any(dotted_text(n) == container.value for n in names_in(binding.value)):
            if signing.site is None or binding.order < model.tree.order(signing.site.call):
                return binding.statement
    return None
