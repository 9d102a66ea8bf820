"""The values the retry model hands out: a retry construct, a failure that triggers it, a urllib3 retry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import libcst as cst

from binlint.analysis.loops import short_text
from binlint.constructors import plain_init

if TYPE_CHECKING:
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.retry_helpers import RetryHelper


@dataclass(eq=False)
class RetryConstruct:
    """One way the code runs something again after a failure."""

    kind: str  # "loop", "recursion", "tenacity", "retrying", "backoff"
    node: cst.CSTNode  # where findings point: the loop, the decorator, the Retrying call, the recursive call
    roots: tuple[cst.CSTNode, ...]  # the code that runs again on each attempt
    function: cst.FunctionDef | None  # the function called again (decorators, recursion)
    waits: bool
    grows: bool
    bounded: bool
    reads_retry_after: bool
    rate_limit: cst.CSTNode | None  # where it handles 429/418 and goes round again
    wait: cst.CSTNode | None  # the sleep call or `wait=` argument
    hot_path: str | None = None  # a failure branch that goes round again at once while others wait
    helper: "RetryHelper | None" = None  # the module's own retry helper that runs it (kind "helper")

    def describe(self, model: "ModuleModel") -> str:
        """How messages name it: "the `while True` loop on line 7", "`@retry(...)` on `buy`"."""
        node = self.node
        defined = "" if self.helper is None else (
            f" (the retry helper `{self.helper.name}` on line {self.helper.line})" if self.helper.line
            else f" (the retry helper `{self.helper.name}`)")
        if type(node) is cst.Decorator:
            name = self.function.name.value if self.function else "?"
            return f"`@{model.short(node.decorator, 60)}` on `{name}`" \
                + defined
        if self.kind == "helper":
            return f"`{model.short(node, 60)}` on line {model.line(node)}{defined}"
        if self.kind == "loop" and isinstance(node, (cst.For, cst.While)):
            if isinstance(node, cst.For):
                head = f"for {model.code(node.target)} in {model.code(node.iter)}"
            else:
                head = f"while {model.code(node.test)}"
            return f"the `{short_text(head, 50)}` loop on line {model.line(node)}"
        if type(node) is cst.For:
            iterated = model.short(node.iter, 60)
            return f"`for {model.code(node.target)} in {iterated}` on line {model.line(node)}"
        if self.kind == "recursion":
            return f"the recursive call `{model.short(node, 60)}` on line {model.line(node)}"
        return f"`{model.short(node, 60)}` on line {model.line(node)}"

    @property
    def backs_off(self) -> bool:
        """A bounded retry that waits a growing delay or the server's Retry-After."""
        return not self.problems()

    def problems(self) -> list[str]:
        """What keeps this construct from being a backoff, in words for messages."""
        found = []
        if not self.waits:
            found.append("retries at once with no delay")
        elif self.hot_path is not None:
            found.append(f"retries at once with no delay {self.hot_path} (other paths wait)")
        elif not (self.grows or self.reads_retry_after):
            found.append("waits the same delay on every attempt")
        if not self.bounded:
            found.append("has no bound on attempts")
        if self.rate_limit is not None and not self.reads_retry_after:
            found.append("handles 429/418 without waiting for the `Retry-After` header")
        return found


@plain_init
@dataclass(frozen=True, slots=True)
class Trigger:
    """A failure after which a construct runs its code again, and what it says about an order."""

    outcome: str  # "unknown" (may have been placed), "not-placed", or "other" (binlint cannot tell)
    node: cst.CSTNode | None  # the `except` handler, the status test, the `retry=` argument
    # For messages ("its `except Exception` on line 12"); a function when the words quote code or
    # give a line: most triggers are only compared, and placing the code costs more than judging it.
    said: str | Callable[[], str]

    @property
    def words(self) -> str:
        said = self.said
        return said if isinstance(said, str) else said()


@dataclass(frozen=True, eq=False)
class HttpRetry:
    """A urllib3 `Retry(...)`, and the session it is mounted on (when it is)."""

    retry: cst.Call
    allows_post: bool  # `allowed_methods` holds POST or is None, or `method_whitelist=False`
    methods_arg: cst.Arg | None
    backoff: bool  # `backoff_factor` > 0
    adapter: cst.Call | None
    mount: cst.Call | None
    session: cst.BaseExpression | None
    prefix: str | None  # the URL prefix it is mounted for
