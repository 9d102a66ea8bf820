import uuid

from exchange import signed_post


def buy(quantity):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity,
              "newClientOrderId": f"bot-{uuid.uuid4().hex[:20]}"}
    return signed_post("/api/v3/order", params)


buy("0.01")
