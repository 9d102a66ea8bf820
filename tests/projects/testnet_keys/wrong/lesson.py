from config import api_key, api_secret
from orders import signed_post


def market_buy(symbol, quantity):
    params = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": quantity}
    return signed_post("/fapi/v1/order", params, api_key, api_secret)  # expect: BL401
