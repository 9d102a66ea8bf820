"""The Binance surface as data: hosts, path prefixes, and the lookups over the SDK table.

Facts from shared reference `binance-facts.md` §1.1 and §3. Adding a host is a one-line
change here; an SDK is one entry in `analysis/sdk_facts.py`. No rule holds its own list.
"""

from __future__ import annotations

import re

from binlint.analysis import sdk_facts
from binlint.analysis.sdk_facts import SdkClass

__all__ = ["SdkClass"]  # re-exported: the model names client classes by this module

REST_HOSTS: frozenset[str] = frozenset(
    {
        "api.binance.com", "api1.binance.com", "api2.binance.com", "api3.binance.com",
        "api4.binance.com", "api-gcp.binance.com", "testnet.binance.vision",
        "demo-api.binance.com", "fapi.binance.com", "demo-fapi.binance.com",
        "testnet.binancefuture.com", "dapi.binance.com", "eapi.binance.com",
        "papi.binance.com", "api.binance.us", "data-api.binance.vision",
    }
)

# Hosts of Binance's test networks (spot testnet, futures testnet, demo trading) and their streams.
TESTNET_HOSTS: frozenset[str] = frozenset(
    {
        "testnet.binance.vision", "testnet.binancefuture.com", "demo-api.binance.com",
        "demo-fapi.binance.com", "stream.binancefuture.com", "dstream.binancefuture.com",
    }
)

PATH_PREFIXES: tuple[str, ...] = ("/api/v3/", "/sapi/", "/fapi/", "/dapi/", "/eapi/", "/papi/")

# A Binance REST host anywhere in a string (scheme optional).
HOST_PATTERN = re.compile(
    r"(?i)(?:^|[/@.\s\"'])(" + "|".join(re.escape(h) for h in sorted(REST_HOSTS, key=len, reverse=True)) + r")(?![A-Za-z0-9.-])"
)
# A word every REST host holds (tests/test_data_tables.py checks it): a string without it names none.
_HOST_WORD = "binance"
# A string that mentions any binance.* host (websocket streams and the like included).
ANY_BINANCE_HOST = re.compile(r"(?i)\b[a-z0-9.-]*binance(?:future)?\.(?:com|us|vision)\b")
# `http://` followed by a Binance host (REST, data, testnet, .us, .vision); group 1 is the host.
HTTP_URL = re.compile(r"(?i)\bhttp://((?:[a-z0-9-]+\.)*binance(?:future)?\.(?:com|us|vision))(?![a-z0-9.-])")

API_KEY_HEADER = "x-mbx-apikey"


def is_api_key_header(text: str | None) -> bool:
    """Whether a header name is Binance's API-key header (`X-MBX-APIKEY`, any case)."""
    return text is not None and text.strip().lower() == API_KEY_HEADER


def mentions_testnet_host(text: str) -> bool:
    """Whether a text names one of Binance's test-network hosts."""
    lower = text.lower()
    return ("binancefuture.com" in lower or "testnet.binance" in lower or "demo-" in lower) and any(
        host in lower for host in TESTNET_HOSTS)


def sdk_class(qualified_name: str | None) -> SdkClass | None:
    """The SDK client class a qualified name denotes, if any."""
    if not qualified_name:
        return None
    registry = sdk_facts.REGISTRY
    found = registry.classes.get(qualified_name)
    if found is not None:
        return found
    # Modular SDK clients, as user code imports them: binance_sdk_spot.spot.Spot,
    # binance_sdk_wallet.Wallet, ... (not the SDK's inner classes, e.g. rest_api.api.trade_api.TradeApi)
    for prefix, sdk in registry.client_module_prefixes:
        if (qualified_name.startswith(prefix) and qualified_name.count(".") <= 2
                and qualified_name.rsplit(".", 1)[-1][:1].isupper()):
            return SdkClass(sdk, (qualified_name,))
    return None


def is_sdk_module(module: str) -> bool:
    """Whether importing `module` is evidence of Binance code."""
    top = module.split(".", 1)[0]
    registry = sdk_facts.REGISTRY
    return top in registry.modules or any(top.startswith(p) for p in registry.module_prefixes)


def binance_host(text: str) -> str | None:
    """The Binance REST host mentioned in `text`, lower-cased, if any."""
    if text.isascii() and _HOST_WORD not in text.lower():
        return None  # asked of every string of a module: most name no host (every REST host holds the word)
    match = HOST_PATTERN.search(text)
    return match.group(1).lower() if match else None


def binance_path(text: str) -> str | None:
    """The part of `text` from a Binance path prefix on (`/api/v3/order?...`), if any."""
    indices = [i for i in (text.find(prefix) for prefix in PATH_PREFIXES) if i >= 0]
    return text[min(indices):] if indices else None


def sdk_class_by_method(method: str, keywords: frozenset[str]) -> str | None:
    """The SDK client class a method call implies on a receiver of unknown type, if any: a method only
    an SDK client has (`SdkFacts.only_methods`), or a common one with the keywords that make it one."""
    registry = sdk_facts.REGISTRY
    found = registry.only_methods.get(method)
    if found is None and method in registry.keyword_methods:
        wanted, client = registry.keyword_methods[method]
        return client if wanted <= keywords else None
    return found
