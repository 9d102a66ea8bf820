API_KEY = "@KEY@"  # expect: BL101
API_SECRET = "@SECRET@"  # expect: BL102
SYMBOL = "BTCUSDT"
