"""Clock values and receive windows a module sends (`analysis.timing`).

Which clock value each `timestamp` a request sends holds (`time.time()`, seconds or
milliseconds, through names and helpers), and every place a `recvWindow` is set: a
request parameter, an SDK client's option (`SdkFacts.recv_window_options`, ccxt's
`exchange.options["recvWindow"]`) or constructor argument, a constant named like one,
or `recvWindow=` inside a query string. Built once per module; BL302, BL303 and BL305
read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst

from binlint.analysis import sdk_facts
from binlint.analysis.signing import ParamValue, TimeValue, time_value
from binlint.analysis.values import literal_text

if TYPE_CHECKING:
    from binlint.analysis import Analysis

RECV_WINDOW_NAMES = ("recvWindow", "recv_window")
# A constant or attribute named like a receive window: `RECV_WINDOW`, `self.recv_window`.
_RECV_WINDOW_CONSTANT = re.compile(r"(?i)^(?:.*_)?recv_?window$")
# `recvWindow=` in a query string, with its number.
_RECV_WINDOW_IN_TEXT = re.compile(r"(?:^|[&?])recvWindow=(-?\d+(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class SentTimestamp:
    """A `timestamp` a request sends, and the clock value it holds."""

    value: ParamValue
    time: TimeValue


@dataclass(frozen=True, slots=True)
class RecvWindowText:
    """`recvWindow=<number>` inside a string literal."""

    node: cst.SimpleString
    number: str  # as written
    value: float


class TimingModel:
    """The clock values and receive windows of one module."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.model = analysis.model
        self._times: dict[int, TimeValue | None] = {}

    def time_of(self, expr: cst.BaseExpression) -> TimeValue | None:
        """The clock value `expr` holds (`signing.time_value`), once per expression."""
        key = id(expr)
        if key not in self._times:
            self._times[key] = time_value(self.model, expr)
        return self._times[key]

    @cached_property
    def sent_timestamps(self) -> list[SentTimestamp]:
        """Every `timestamp` a request sends that holds a clock value, in the signing model's order."""
        found = []
        for value in self.analysis.signing.request_parameter_values("timestamp"):
            time = self.time_of(value.value)
            if time is not None:
                found.append(SentTimestamp(value, time))
        return found

    @cached_property
    def recv_windows(self) -> list[tuple[cst.BaseExpression, str]]:
        """(expression, name) for every place a `recvWindow` may be set: a keyword `recvWindow=`, a sent
        parameter, an SDK option or constructor argument, then constants named like one."""
        model = self.model
        signing = self.analysis.signing
        sent = {id(v.node) for v in signing.request_parameter_values(*RECV_WINDOW_NAMES)}
        found: list[tuple[cst.BaseExpression, str]] = [
            (v.value, v.key) for v in signing.parameter_values(*RECV_WINDOW_NAMES)
            if (v.context == "keyword" and v.key == "recvWindow") or id(v.node) in sent
            or self._sdk_option(v.node)
        ]
        for assign in model.tree.of_type(cst.Assign, cst.AnnAssign):
            if type(assign) is cst.Assign:
                targets = [t.target for t in assign.targets]
                value: cst.BaseExpression | None = assign.value
            elif type(assign) is cst.AnnAssign:
                targets, value = [assign.target], assign.value
            else:
                continue
            for target in targets:
                name = target.attr.value if type(target) is cst.Attribute else (
                    target.value if type(target) is cst.Name else None)
                if name and _RECV_WINDOW_CONSTANT.match(name) and value is not None:
                    found.append((value, name))
        return found

    @cached_property
    def recv_window_texts(self) -> list[RecvWindowText]:
        """`recvWindow=<number>` in string literals that read as query strings (no white space)."""
        found = []
        for node in self.model.tree.of_type(cst.SimpleString):
            if "recvWindow=" not in node.value:
                continue
            text = literal_text(node)
            if text is None or any(c.isspace() for c in text):
                continue  # a query string holds no white space; this is prose or a code sample
            match = _RECV_WINDOW_IN_TEXT.search(text)
            if match is not None:
                found.append(RecvWindowText(node, match.group(1), float(match.group(1))))
        return found

    @cached_property
    def _constructions(self) -> set[int]:
        return {id(c.call) for c in self.analysis.sdk.constructions}

    def _sdk_option(self, node: cst.CSTNode) -> bool:
        """`exchange.options["recvWindow"] = ...`, or an entry of the config dict given to an SDK client."""
        model = self.model
        if type(node) is cst.Assign:
            target = node.targets[0].target
            return type(target) is cst.Subscript and type(target.value) is cst.Attribute and \
                target.value.attr.value in sdk_facts.REGISTRY.recv_window_options
        for ancestor in model.tree.ancestors(node):
            if type(ancestor) is cst.Call and id(ancestor) in self._constructions:
                return True
            if isinstance(ancestor, cst.BaseStatement):
                return False
        return False
