"""Binance SDK objects in a module: where clients are built, and calls on them.

Resolved through imports and assignments: `Client(...)` is python-binance only when
`Client` was imported from `binance`; `client.create_order(...)` is an SDK call when
`client` holds such a client (assigned, `self.client` set in `__init__`, or annotated).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import libcst as cst

from binlint.analysis import binance
from binlint.analysis.module import ModuleModel


@dataclass(frozen=True, slots=True)
class ClientConstruction:
    """`Client(key, secret)`, `ccxt.binance({...})`, `ConfigurationRestAPI(...)`."""

    call: cst.Call
    sdk_class: binance.SdkClass
    qualified_name: str

    def argument(self, keywords: tuple[str, ...], position: int | None) -> cst.BaseExpression | None:
        """The expression passed for a parameter, by keyword or position."""
        return argument(self.call, keywords, position)


@dataclass(frozen=True, slots=True)
class SdkCall:
    """A method call on an SDK client: `client.create_order(...)`."""

    call: cst.Call
    sdk: str
    client_class: str  # qualified name of the client class
    method: str  # the method name as written (`create_order`, `createOrder`, `private_post_order`)
    receiver: cst.BaseExpression  # the client expression the method is called on


def argument(call: cst.Call, keywords: tuple[str, ...], position: int | None = None) -> cst.BaseExpression | None:
    """The expression passed to `call` for a parameter, by keyword or position."""
    index = 0
    for arg in call.args:
        if arg.star:
            if arg.star == "*":
                index += 10_000  # positions after *args are unknown
            continue
        if arg.keyword is not None:
            if arg.keyword.value in keywords:
                return arg.value
            continue
        if position is not None and index == position:
            return arg.value
        index += 1
    return None


def keyword_argument(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


class SdkModel:
    """The SDK clients and SDK calls of one module.

    A receiver whose type nothing declares (a parameter, `self.client` set from outside)
    is an SDK client when the module is Binance code and the method is one only an SDK
    has (`SdkFacts.only_methods` in `analysis/sdk_facts.py`).
    """

    def __init__(self, model: ModuleModel) -> None:
        self.model = model

    def _unknown_receiver_in_binance_code(self, receiver: cst.BaseExpression) -> bool:
        """Whether an untyped receiver may be judged by its methods: Binance code, and not `self`
        (a class calling its own methods is a wrapper, or the SDK itself)."""
        if not self.model.is_binance:
            return False
        if type(receiver) is cst.Name:
            function = self.model.function_of(receiver)
            if function is not None and self.model.class_of(function) is not None:
                params = (*function.params.posonly_params, *function.params.params)
                if params and params[0].name.value == receiver.value:
                    return False
        return True

    @cached_property
    def constructions(self) -> list[ClientConstruction]:
        found = []
        for call in self.model.calls():
            name = self.model.call_name(call)
            cls = binance.sdk_class(name)
            if cls is not None and name is not None:
                found.append(ClientConstruction(call, cls, name))
        return found

    @cached_property
    def calls(self) -> list[SdkCall]:
        """Every method call whose receiver resolves to an SDK client class."""
        found = []
        for call in self.model.calls():
            func = call.func
            if type(func) is not cst.Attribute:
                continue
            receiver = func.value
            receiver_name = self.model.qualname(receiver)
            if receiver_name is None and type(receiver) is cst.Call:  # `Client(k, s).create_order(...)`
                receiver_name = self.model.instance_type(receiver)
            cls = binance.sdk_class(receiver_name)
            # Modular SDKs: client.rest_api.new_order(...)
            if cls is None and type(receiver) is cst.Attribute and receiver.attr.value in ("rest_api", "websocket_api"):
                receiver_name = self.model.qualname(receiver.value)
                cls = binance.sdk_class(receiver_name)
            if cls is None and receiver_name is None and type(receiver) in (cst.Name, cst.Attribute) \
                    and self._unknown_receiver_in_binance_code(receiver):
                receiver_name = binance.sdk_class_by_method(
                    func.attr.value, frozenset(a.keyword.value for a in call.args if a.keyword is not None))
                cls = binance.sdk_class(receiver_name)
            if cls is None or receiver_name is None:
                continue
            if func.attr.value == "create" and cls.sdk == "python-binance":
                continue  # `await AsyncClient.create(...)` builds a client; it is not a call on one

            found.append(SdkCall(call, cls.sdk, receiver_name, func.attr.value, receiver))
        return found
