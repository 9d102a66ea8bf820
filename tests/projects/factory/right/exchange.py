from functools import lru_cache

from binance.client import Client

import settings


@lru_cache(maxsize=1)
def client():
    return Client(settings.API_KEY, settings.API_SECRET)
