BASE = "https://api.binance.com"
uri_path = "/api/v3/order"
# the bot only reads its orders now
uri_path = "/api/v3/openOrders"
