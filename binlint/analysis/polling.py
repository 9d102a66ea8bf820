"""Loops that call Binance REST with no wait on some path back to the loop head.

`hot_polls(analysis)` gives, for each `while` loop of the module, the first path round it
that makes a Binance REST call (an SDK method that sends a REST request, a request to a
Binance URL, a call of a same-module helper that sends one) and passes no sleep,
`event.wait(timeout)`, rate limiter or other blocking wait. ccxt throttles itself with
`enableRateLimit` (on by default), so its calls count only where that is turned off.
Loops that retry one of their calls belong to the retry analysis (BL402), not here.

Facts: shared reference `binance-facts.md` §1.7 (weights, 429, 418) and §5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from binlint.analysis.loops import LoopWalker, describe_path
from binlint.analysis.values import called_function, literal_text

if TYPE_CHECKING:
    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel

# SDK methods that send no REST request: websocket streams and the WebSocket API, local
# helpers. By prefix / suffix of the method name.
NOT_REST_PREFIXES: tuple[str, ...] = ("ws_", "watch_", "watch", "start_", "stop_", "subscribe", "unsubscribe",
                                      "close", "un_watch", "set_", "load_markets", "market", "amount_to_precision",
                                      "price_to_precision", "parse_", "safe_", "milliseconds", "seconds", "iso8601",
                                      "nonce", "sign", "check_required_credentials", "describe")
NOT_REST_SUFFIXES: tuple[str, ...] = ("_socket", "_stream", "_to_precision")
# Receivers of the modular SDKs that are not REST (`client.websocket_api.new_order(...)`).
NOT_REST_RECEIVERS = frozenset({"websocket_api", "websocket_streams"})


@dataclass(frozen=True, slots=True)
class HotPoll:
    """A `while` loop with a path back to its head that calls Binance REST and never waits."""

    loop: cst.While
    call: cst.Call  # the first REST call on that path
    path: str  # the branch it takes, in words


def is_rest_method(method: str) -> bool:
    """Whether an SDK client method sends a REST request."""
    return not method.startswith(NOT_REST_PREFIXES) and not method.endswith(NOT_REST_SUFFIXES) \
        and not method.startswith("_")


def hot_polls(analysis: "Analysis") -> list[HotPoll]:
    model = analysis.model
    loops = model.tree.of_type(cst.While)
    if not loops:
        return []
    rest = _rest_calls(analysis)
    if not rest:
        return []
    retries = analysis.retries
    functions = _functions_with(analysis, rest)

    def is_call(call: cst.Call) -> bool:
        if id(call) in rest:
            return True
        function = called_function(model, call)
        return function is not None and id(function) in functions

    walker = LoopWalker(model.tree, is_call, retries.throttles, model.call_name)
    found: list[HotPoll] = []
    for loop in loops:
        calls = [c for c in model.tree.within(loop, cst.Call) if is_call(c)]
        if not calls:
            continue
        if any(construct.node is loop for c in calls for construct in retries.enclosing(c)):
            continue  # a retry loop: BL402 judges its waits
        if _pages(model, loop, calls):
            continue  # it pages through history with a cursor: each call asks for new data
        spins = walker.spins(loop)
        if spins and not any(type(step) is cst.ExceptHandler for p in spins for step in p.via) \
                and any(retries.throttles(c) for c in model.tree.within(loop, cst.Call)):
            continue  # it waits on some passes (`if n % 3 == 0: sleep(1)`): a deliberate throttle
        if spins:
            path = spins[0]
            found.append(HotPoll(loop, path.call, describe_path(path, model.code, model.line,  # type: ignore[arg-type]
                                                                model.tree.parent)))
    return found


# A cursor moved by the clock (`ts = int(time.time() * 1000)`) does not page: the call asks again.
_CLOCK_READS = ("time(", "time_ns(", "monotonic(", "now(", "utcnow(")


def _pages(model: "ModuleModel", loop: cst.While, calls: list[cst.Call]) -> bool:
    """Whether the loop's REST calls take a cursor the loop moves on (`startTime=start_ts` with
    `start_ts = rows[-1][0] + step`, `fromId=last_id`): a paginated download, not a poll."""
    moved: set[str] = set()
    for node in model.tree.within(loop, cst.Assign):
        if any(clock in model.code(node.value) for clock in _CLOCK_READS):
            continue
        moved.update(t.target.value for t in node.targets if type(t.target) is cst.Name)
    for augmented in model.tree.within(loop, cst.AugAssign):
        if type(augmented.target) is cst.Name:
            moved.add(augmented.target.value)
    if not moved:
        return False
    return all(any(n.value in moved for arg in call.args for n in model.tree.within(arg.value, cst.Name))
               for call in calls)


def _rest_calls(analysis: "Analysis") -> set[int]:
    """The calls in the module that send a Binance REST request (ids)."""
    found: set[int] = set()
    throttled_ccxt = _ccxt_throttles(analysis)
    for sdk_call in analysis.sdk.calls:
        if sdk_call.sdk == "ccxt" and throttled_ccxt:
            continue
        receiver = sdk_call.receiver
        if type(receiver) is cst.Attribute and receiver.attr.value in NOT_REST_RECEIVERS:
            continue
        if is_rest_method(sdk_call.method):
            found.add(id(sdk_call.call))
    if analysis.is_binance:
        found.update(id(site.call) for site in analysis.requests.binance_sites)
        found.update(id(endpoint.call) for endpoint in analysis.requests.endpoint_calls())
    return found


def _ccxt_throttles(analysis: "Analysis") -> bool:
    """Whether ccxt's own rate limiter stays on (the default) for this module's exchanges."""
    model = analysis.model
    for construction in analysis.sdk.constructions:
        if construction.sdk_class.sdk != "ccxt":
            continue
        for arg in construction.call.args:
            value = model.value_of(arg.value)
            if type(value) is cst.Dict and any(
                    type(e) is cst.DictElement and literal_text(e.key) == "enableRateLimit"
                    and type(e.value) is cst.Name and e.value.value == "False" for e in value.elements):
                return False
    for assign in model.tree.of_type(cst.Assign):
        for target in assign.targets:
            if type(target.target) is cst.Attribute and target.target.attr.value == "enableRateLimit" \
                    and type(assign.value) is cst.Name and assign.value.value == "False":
                return False
    return True


def _functions_with(analysis: "Analysis", rest: set[int]) -> set[int]:
    """Same-module functions that send a Binance REST request, directly or through others (ids)."""
    model = analysis.model
    containing: set[int] = set()
    calls_by_id = {id(c): c for c in model.calls() if id(c) in rest}
    for call in calls_by_id.values():
        function = model.function_of(call)
        if function is not None:
            containing.add(id(function))
    # A few rounds through same-module callers: `poll()` calls `fetch()` which calls the client.
    for _ in range(3):
        added = False
        for call in model.calls():
            function = called_function(model, call)
            if function is None or id(function) not in containing:
                continue
            caller = model.function_of(call)
            if caller is not None and id(caller) not in containing:
                containing.add(id(caller))
                added = True
        if not added:
            break
    return containing
