import os

import ccxt

from strategy import Strategy


class BinanceStrategy(Strategy):
    def __init__(self):
        self.exchange = ccxt.binance({"apiKey": os.environ["BINANCE_API_KEY"], "secret": os.environ["BINANCE_API_SECRET"]})


BinanceStrategy().place("0.01")
