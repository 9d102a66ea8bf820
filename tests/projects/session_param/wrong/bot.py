from net import SESSION
from orders import signed_get


def balances():
    return signed_get(SESSION, "/api/v3/account", {})["balances"]


def open_orders(symbol):
    return signed_get(SESSION, "/api/v3/openOrders", {"symbol": symbol})
