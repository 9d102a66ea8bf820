from endpoints import uri_path
from exchange import signed


def cycle(symbol):
    path = "/api/v3/order"
    path = "/api/v3/openOrders"
    return signed("GET", path, {"symbol": symbol})


def orders(symbol):
    return signed("GET", uri_path, {"symbol": symbol})
