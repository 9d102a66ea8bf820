import os

from binance.client import Client

from orders import place

client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
place(client, "BTCUSDT", "0.01")
