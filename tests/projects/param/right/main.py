import os

from binance.client import Client

from helpers import create_limit_order, create_market_order
from paper import PaperBroker, place

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])


def run():
    create_limit_order(client, "BTCUSDT", "0.01", "30000")
    create_market_order(client, "BTCUSDT", "0.01")
    place(PaperBroker(), "BTCUSDT", "0.01")
