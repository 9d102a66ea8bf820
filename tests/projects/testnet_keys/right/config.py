import os

api_key = os.environ["BINANCE_TESTNET_KEY"]
api_secret = os.environ["BINANCE_TESTNET_SECRET"]
