import os
import uuid

from rest import RestClient

HOST = "https://api.binance.com"
KEY = os.environ["BINANCE_API_KEY"]
SECRET = os.environ["BINANCE_API_SECRET"]
client = RestClient(HOST, KEY, SECRET, "X-MBX-APIKEY")


def buy(quantity):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity, "recvWindow": 5000,
              "newClientOrderId": f"bot-{uuid.uuid4().hex[:20]}"}
    return client.request("POST", "/api/v3/order", params)


def sell(quantity):
    params = {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": quantity, "recvWindow": 5000,
              "newClientOrderId": f"bot-{uuid.uuid4().hex[:20]}"}
    return RestClient(HOST, KEY, SECRET, "X-MBX-APIKEY").request("POST", "/api/v3/order", params)
