import uuid

from exchange import signed_post


def buy(quantity):
    cid = f"bot-{uuid.uuid4().hex[:20]}"
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity, "newClientOrderId": cid}
    return signed_post("/api/v3/order", params)  # expect: BL405


buy("0.01")
