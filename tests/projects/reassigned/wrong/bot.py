from endpoints import uri_path
from exchange import signed


def cycle(symbol):
    path = "/api/v3/openOrders"
    open_orders = signed("GET", path, {"symbol": symbol})
    path = "/api/v3/order"
    if not open_orders.json():
        signed("POST", path, {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": 1})  # expect: BL401


def go_live(symbol):
    return signed("POST", uri_path, {"symbol": symbol, "side": "SELL", "type": "MARKET", "quantity": 1})  # expect: BL401
