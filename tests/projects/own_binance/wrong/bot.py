import os

from binance.client import Client

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])


def buy(quantity):
    for _ in range(5):  # expect: BL402
        try:
            return client.market_buy("BTCUSDT", quantity)  # expect: BL403
        except Exception:
            continue
    return None


buy("0.01")
