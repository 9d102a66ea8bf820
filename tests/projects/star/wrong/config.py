import os

__all__ = ["MAIN", "API_SECRET", "BASE"]

MAIN = "@KEY@"  # expect: BL101
API_SECRET = os.environ["BINANCE_API_SECRET"]
BASE = "https://api.binance.com"
