"""Retry, backoff and rate-limit facts as data: libraries, sleeps, wait strategies, 429 names.

Read by the retry model (`analysis/retries.py` and its parts). The SDKs' rate-limit
exception names live in the SDK table (`analysis/sdk_facts.py`); `rate_limit_names()`
joins them with the HTTP libraries' own.
"""

from __future__ import annotations

from binlint.analysis import sdk_facts

SLEEPS = frozenset(
    {"time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep", "eventlet.sleep",
     "eventlet.greenthread.sleep"}
)
TENACITY_DECORATORS = frozenset({"tenacity.retry"})
TENACITY_RETRYING = frozenset(
    {"tenacity.Retrying", "tenacity.AsyncRetrying", "tenacity.asyncio.AsyncRetrying", "tenacity.TornadoRetrying"}
)
BACKOFF_DECORATORS = frozenset({"backoff.on_exception", "backoff.on_predicate"})
RETRYING_DECORATORS = frozenset({"retrying.retry"})
URLLIB3_RETRY = frozenset(
    {"urllib3.Retry", "urllib3.util.Retry", "urllib3.util.retry.Retry", "requests.adapters.Retry",
     "requests.packages.urllib3.util.retry.Retry", "requests.packages.urllib3.Retry",
     "requests.packages.urllib3.util.Retry"}
)
HTTP_ADAPTERS = frozenset({"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"})

# tenacity wait strategies, by name.
GROWING_WAITS = frozenset(
    {"wait_exponential", "wait_random_exponential", "wait_full_jitter", "wait_exponential_jitter",
     "wait_incrementing", "wait_chain"}
)
CONSTANT_WAITS = frozenset({"wait_fixed", "wait_random", "wait_none", "wait_combine"})
# backoff wait generators.
BACKOFF_GROWING = frozenset({"backoff.expo", "backoff.fibo"})
BACKOFF_CONSTANT = frozenset({"backoff.constant"})
BACKOFF_RUNTIME = frozenset({"backoff.runtime"})
# retrying's keyword arguments.
RETRYING_WAITS = frozenset(
    {"wait_fixed", "wait_random_min", "wait_random_max", "wait_exponential_multiplier", "wait_exponential_max",
     "wait_incrementing_start", "wait_incrementing_increment", "wait_func"}
)
RETRYING_GROWING = frozenset(
    {"wait_exponential_multiplier", "wait_exponential_max", "wait_incrementing_increment", "wait_func"}
)
RETRYING_STOPS = frozenset({"stop_max_attempt_number", "stop_max_delay", "stop_func"})

# What tells a rate-limit answer apart: status codes, HTTP libraries' names for 429, and the
# SDKs' exception classes (`SdkFacts.rate_limit_exceptions`).
RATE_LIMIT_STATUS = frozenset({"429", "418"})
HTTP_RATE_LIMIT_NAMES = frozenset({"TOO_MANY_REQUESTS", "TooManyRequests"})


def rate_limit_names() -> frozenset[str]:
    """Names whose mention tells a rate-limit answer apart."""
    return HTTP_RATE_LIMIT_NAMES | sdk_facts.REGISTRY.rate_limit_exceptions
RETRY_AFTER_NAMES = frozenset({"retry_after", "retryAfter", "RETRY_AFTER"})
# Calls that block until time passes or something arrives: `event.wait(5)`, `queue.get()`, `ws.recv()`.
WAIT_METHODS = frozenset({"wait", "wait_for", "join", "recv", "receive", "get_message", "select", "input",
                           "run_forever", "serve_forever", "idle"})
TIME_CALLS = frozenset({"time.time", "time.monotonic", "time.perf_counter", "datetime.datetime.now"})
# The keyword that says which failures a library retries after (its default: any exception).
PREDICATE_KEYWORDS = {"tenacity": "retry", "retrying": "retry_on_exception"}
# How many levels of same-module calls the model follows from retried code.
MAX_REACH = 4
# Retry libraries, by top-level module: their decorators make a function retry itself (`@retry`,
# `@backoff.on_exception`, `@stamina.retry`); the model looks for their constructs only where one is imported.
RETRY_LIBRARIES = ("tenacity", "backoff", "retrying", "retry", "stamina")
