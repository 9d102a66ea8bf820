"""The HTTP libraries bots send Binance requests with: their request functions and session classes.

Data only (no libcst), so that the project index reads it as cheaply as the request model does.
A new library is one entry in each table.
"""

from __future__ import annotations

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")

# Module-level request functions: qualified name -> library.
MODULE_FUNCTIONS: dict[str, str] = {
    **{f"requests.{m}": "requests" for m in (*HTTP_METHODS, "request")},
    **{f"requests.api.{m}": "requests" for m in (*HTTP_METHODS, "request")},
    **{f"httpx.{m}": "httpx" for m in (*HTTP_METHODS, "request")},
    "aiohttp.request": "aiohttp",
}

# Session / client classes: qualified name -> library.
SESSION_CLASSES: dict[str, str] = {
    "requests.Session": "requests", "requests.session": "requests", "requests.sessions.Session": "requests",
    "requests.sessions.session": "requests",
    "httpx.Client": "httpx", "httpx.AsyncClient": "httpx",
    "aiohttp.ClientSession": "aiohttp", "aiohttp.client.ClientSession": "aiohttp",
}
