import os

from binance.client import Client

_client = None


def get_client():
    global _client
    if _client is None:
        _client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
    return _client
