"""Binance REST paths as data: which are SIGNED, which place orders, which are public or gone.

From shared reference `binance-facts.md` §2, with the defaults RULES.md sets for paths
not listed: unknown paths under `/sapi/ /fapi/ /dapi/ /eapi/ /papi/` are signed,
unknown `/api/v3/` paths are public. A new endpoint is a one-line change here.

Paths are compared without query string, fragment or trailing slash. A listed path
ending in `*` matches every path that starts with the text before the `*`.

    is_signed("GET", "/api/v3/account")      -> True
    is_order("POST", "/api/v3/order")        -> True   (places an order)
    is_order("GET", "/api/v3/order")         -> False  (signed, but only reads)
    is_removed("/wapi/v3/withdraw.html")     -> True
"""

from __future__ import annotations

from binlint.analysis.binance import PATH_PREFIXES

# Prefixes whose unknown paths are signed (RULES.md "Details that settle edge cases").
SIGNED_BY_DEFAULT: tuple[str, ...] = ("/sapi/", "/fapi/", "/dapi/", "/eapi/", "/papi/")

_POST = frozenset({"POST"})
_POST_PUT = frozenset({"POST", "PUT"})

# path -> the HTTP methods with which it places an order (or moves money out).
ORDER_PATHS: dict[str, frozenset[str]] = {
    # spot
    "/api/v3/order": _POST,
    "/api/v3/order/test": _POST,
    "/api/v3/order/cancelReplace": _POST,
    "/api/v3/order/oco": _POST,
    "/api/v3/orderList/oco": _POST,
    "/api/v3/orderList/oto": _POST,
    "/api/v3/orderList/otoco": _POST,
    "/api/v3/orderList/opo": _POST,
    "/api/v3/orderList/opoco": _POST,
    "/api/v3/sor/order": _POST,
    "/api/v3/sor/order/test": _POST,
    "/api/v3/order/amend/keepPriority": frozenset({"PUT"}),
    # USD-M futures
    "/fapi/v1/order": _POST_PUT,
    "/fapi/v1/order/test": _POST,
    "/fapi/v1/batchOrders": _POST_PUT,
    "/fapi/v1/algoOrder": _POST,
    # COIN-M futures
    "/dapi/v1/order": _POST_PUT,
    "/dapi/v1/batchOrders": _POST_PUT,
    # margin
    "/sapi/v1/margin/order": _POST,
    "/sapi/v1/margin/order/oco": _POST,
    "/sapi/v1/margin/order/oto": _POST,
    "/sapi/v1/margin/order/otoco": _POST,
    # options
    "/eapi/v1/order": _POST,
    "/eapi/v1/batchOrders": _POST,
    # portfolio margin
    "/papi/v1/um/order": _POST,
    "/papi/v1/cm/order": _POST,
    "/papi/v1/um/conditional/order": _POST,
    "/papi/v1/cm/conditional/order": _POST,
    "/papi/v1/margin/order": _POST,
    # withdrawals: money leaves the account
    "/sapi/v1/capital/withdraw/apply": _POST,
    "/sapi/v1/localentity/withdraw/apply": _POST,
}

WITHDRAWAL_PATHS: frozenset[str] = frozenset(
    {"/sapi/v1/capital/withdraw/apply", "/sapi/v1/localentity/withdraw/apply", "/wapi/v3/withdraw.html"}
)

# Signed paths under /api/v3/ (everything else there is public by default).
SIGNED_PATHS: frozenset[str] = frozenset(
    {
        *(p for p in ORDER_PATHS if p.startswith("/api/v3/")),
        "/api/v3/account", "/api/v3/openOrders", "/api/v3/allOrders", "/api/v3/myTrades",
        "/api/v3/orderList", "/api/v3/allOrderList", "/api/v3/openOrderList", "/api/v3/rateLimit/order",
        "/api/v3/myPreventedMatches", "/api/v3/myAllocations", "/api/v3/account/commission",
        "/api/v3/order/amendments", "/api/v3/myFilters",
    }
)

# Paths under the signed-by-default prefixes that are not signed: market data (NONE or
# MARKET_DATA) and listenKey management (USER_STREAM: API key, no signature).
PUBLIC_PATHS: frozenset[str] = frozenset(
    {
        "/sapi/v1/system/status",
        "/sapi/v1/margin/allAssets", "/sapi/v1/margin/allPairs", "/sapi/v1/margin/priceIndex",
        "/sapi/v1/userDataStream", "/sapi/v1/userDataStream/isolated",
        "/fapi/v1/listenKey", "/dapi/v1/listenKey", "/eapi/v1/listenKey", "/papi/v1/listenKey",
        "/papi/v1/ping",
        *(
            f"/{api}/v1/{name}"
            for api in ("fapi", "dapi")
            for name in (
                "ping", "time", "exchangeInfo", "depth", "trades", "historicalTrades", "aggTrades", "klines",
                "continuousKlines", "indexPriceKlines", "markPriceKlines", "premiumIndexKlines", "premiumIndex",
                "fundingRate", "fundingInfo", "ticker*", "openInterest", "indexInfo", "assetIndex",
                "constituents", "lvtKlines",
            )
        ),
        "/fapi/v2/ticker*",
        *(
            f"/eapi/v1/{name}"
            for name in (
                "ping", "time", "exchangeInfo", "depth", "trades", "historicalTrades", "klines", "mark",
                "ticker", "index", "exerciseHistory", "openInterest", "blockTrades",
            )
        ),
    }
)

# Removed or deprecated paths (BL505).
REMOVED_PATHS: frozenset[str] = frozenset(
    {"/wapi/*", "/api/v1/order*", "/api/v3/userDataStream", "/api/v3/order/oco"}
)


def normalize(path: str) -> str:
    """`path` without query string, fragment and trailing slash."""
    for mark in ("?", "#"):
        path = path.split(mark, 1)[0]
    return path.rstrip("/") or "/"


def _listed(path: str, table: frozenset[str] | dict[str, frozenset[str]]) -> bool:
    if path in table:
        return True
    return any(entry.endswith("*") and path.startswith(entry[:-1]) for entry in table)


def is_binance_path(path: str) -> bool:
    """Whether `path` starts with a Binance REST prefix (`/api/v3/`, `/sapi/`, ...)."""
    return normalize(path).startswith(PATH_PREFIXES) or path.startswith("/wapi/")


def is_signed(method: str | None, path: str) -> bool:
    """Whether a request to `path` must carry `timestamp` and `signature`."""
    path = normalize(path)
    if _listed(path, SIGNED_PATHS):
        return True
    if path.startswith(SIGNED_BY_DEFAULT):
        return not _listed(path, PUBLIC_PATHS)
    return False


def is_order(method: str | None, path: str) -> bool:
    """Whether `method path` places an order or a withdrawal.

    With the method unknown, a path counts only when every method it accepts for
    writing places orders and it has no read-only use (`/api/v3/order/test`, not
    `/api/v3/order`, which is also read with GET).
    """
    path = normalize(path)
    methods = ORDER_PATHS.get(path)
    if methods is None:
        return False
    if method is None:
        return path not in _ALSO_READ
    return method.upper() in methods


# Order paths that are also used with GET/DELETE (query, cancel).
_ALSO_READ: frozenset[str] = frozenset(
    {"/api/v3/order", "/fapi/v1/order", "/fapi/v1/batchOrders", "/dapi/v1/order", "/dapi/v1/batchOrders",
     "/sapi/v1/margin/order", "/eapi/v1/order", "/eapi/v1/batchOrders", "/papi/v1/um/order", "/papi/v1/cm/order",
     "/papi/v1/margin/order", "/papi/v1/um/conditional/order", "/papi/v1/cm/conditional/order"}
)


# Paths that read orders back (by `origClientOrderId`, or as a list): how a bot finds out
# whether an order whose outcome was unknown was placed (binance-facts.md §1.8, §5).
ORDER_QUERY_PATHS: frozenset[str] = frozenset(
    {"/api/v3/order", "/api/v3/openOrders", "/api/v3/allOrders", "/api/v3/orderList", "/api/v3/openOrderList",
     "/api/v3/myTrades", "/fapi/v1/order", "/fapi/v1/openOrder", "/fapi/v1/openOrders", "/fapi/v1/allOrders",
     "/fapi/v1/userTrades", "/dapi/v1/order", "/dapi/v1/openOrder", "/dapi/v1/openOrders", "/dapi/v1/allOrders",
     "/sapi/v1/margin/order", "/sapi/v1/margin/openOrders", "/sapi/v1/margin/allOrders", "/eapi/v1/order",
     "/eapi/v1/openOrders", "/papi/v1/um/order", "/papi/v1/cm/order", "/papi/v1/margin/order",
     "/papi/v1/um/openOrders", "/papi/v1/cm/openOrders"}
)


def is_order_query(method: str | None, path: str) -> bool:
    """Whether `method path` reads orders back (GET on an order or open-orders path)."""
    return (method is None or method.upper() == "GET") and normalize(path) in ORDER_QUERY_PATHS


def is_removed(path: str) -> bool:
    """Whether `path` is a removed or deprecated endpoint."""
    return _listed(normalize(path), REMOVED_PATHS)


def is_withdrawal(path: str) -> bool:
    """Whether `path` withdraws funds."""
    return normalize(path) in WITHDRAWAL_PATHS


def is_public(method: str | None, path: str) -> bool:
    """Whether `path` needs no signature (NONE, MARKET_DATA or USER_STREAM)."""
    return not is_signed(method, path)
