from config import api_key, api_secret
from orders import signed_post


def set_leverage(symbol, leverage):
    params = {"symbol": symbol, "leverage": leverage}
    return signed_post("/fapi/v1/leverage", params, api_key, api_secret)
