import os

from binance.client import Client


class BaseBot:
    def _create_client(self):
        return Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
