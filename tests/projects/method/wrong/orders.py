import os
import time

from api import BinanceAPI

client = BinanceAPI(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])


def buy(quantity, price):
    for _ in range(5):  # expect: BL402
        try:
            return client.buy_limit("BTCUSDT", quantity, price)  # expect: BL403
        except Exception:
            time.sleep(1)
    return None
