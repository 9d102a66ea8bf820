import os
import uuid

from binance.client import Client

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])


def buy(quantity):
    return client.market_buy("BTCUSDT", quantity, f"bot-{uuid.uuid4().hex[:20]}")


def sell(quantity):
    return client.order_market_sell("BTCUSDT", quantity, f"bot-{uuid.uuid4().hex[:20]}")


buy("0.01")
sell("0.01")
