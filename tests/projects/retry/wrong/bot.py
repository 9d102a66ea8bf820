import os

from binance.client import Client

from utils import retry, retry_on_error

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])


def sell(quantity):
    return client.order_market_sell(symbol="BTCUSDT", quantity=quantity)  # expect: BL403


@retry_on_error  # expect: BL402
def buy(quantity):
    return client.order_market_buy(symbol="BTCUSDT", quantity=quantity)  # expect: BL403


retry(sell, "0.01")  # expect: BL402
buy("0.01")
