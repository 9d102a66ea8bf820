import os

from binance.client import Client

from bot import Bot

Bot(Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])).buy("0.01")
