import os
import uuid

from api import BinanceAPI

client = BinanceAPI(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])


def buy(quantity, price):
    return client.buy_limit("BTCUSDT", quantity, price, f"bot-{uuid.uuid4().hex[:20]}")
