import os

from binance.client import Client


class Manager:
    def __init__(self):
        self.client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
