BASE = "https://api.binance.com"
uri_path = "/api/v3/openOrders"
# the trading path replaces the query path once the bot goes live
uri_path = "/api/v3/order"
