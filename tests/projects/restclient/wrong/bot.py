import os

from rest import RestClient

HOST = "https://api.binance.com"
KEY = os.environ["BINANCE_API_KEY"]
SECRET = os.environ["BINANCE_API_SECRET"]
client = RestClient(HOST, KEY, SECRET, "X-MBX-APIKEY")


def buy(quantity):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity}
    return client.request("POST", "/api/v3/order", params)  # expect: BL202 BL203 BL304 BL401 BL502


def sell(quantity):
    params = {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": quantity}
    return RestClient(HOST, KEY, SECRET, "X-MBX-APIKEY").request("POST", "/api/v3/order", params)  # expect: BL304 BL401
