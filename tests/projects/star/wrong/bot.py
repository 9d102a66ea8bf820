from exchange import *


def buy(quantity):
    data = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity}
    return signed_request("/api/v3/order", data)  # expect: BL401


def sell(quantity):
    while True:  # expect: BL402
        try:
            return client.order_market_sell(symbol="BTCUSDT", quantity=quantity)  # expect: BL403
        except Exception:
            pass


buy("0.01")
sell("0.01")
