from exchange import signed_post


def buy(quantity):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity}
    return signed_post("/api/v3/order", params)  # expect: BL403


buy("0.01")
