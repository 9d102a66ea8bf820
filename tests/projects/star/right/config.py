import os

__all__ = ["MAIN", "API_SECRET", "BASE"]

MAIN = os.environ["BINANCE_API_KEY"]
API_SECRET = os.environ["BINANCE_API_SECRET"]
BASE = "https://api.binance.com"
