import os
import uuid

from binance.client import Client

from utils import retry, retry_on_error

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])


def sell(quantity, cid):
    return client.order_market_sell(symbol="BTCUSDT", quantity=quantity, newClientOrderId=cid)


@retry_on_error
def buy(quantity, cid):
    return client.order_market_buy(symbol="BTCUSDT", quantity=quantity, newClientOrderId=cid)


retry(sell, "0.01", f"bot-{uuid.uuid4().hex[:20]}")
buy("0.01", f"bot-{uuid.uuid4().hex[:20]}")
