import hashlib
import hmac
import logging
import os
import time
import uuid
from urllib.parse import urlencode

from layer import RestLayer


class SpotApi(RestLayer):
    def __init__(self, key, secret):
        super().__init__("https://api.binance.com")
        self.key = key
        self.secret = secret

    def sign(self, request):
        request.params.pop("signature", None)
        request.params["timestamp"] = int(time.time() * 1000)
        request.params["recvWindow"] = 5000
        query = urlencode(request.params)
        request.params["signature"] = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        request.headers["X-MBX-APIKEY"] = self.key
        return request

    def on_failure(self, error):
        logging.warning("order failed: %s", error)

    def sell(self, quantity):
        params = {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": quantity,
                  "newClientOrderId": f"bot-{uuid.uuid4().hex[:20]}"}
        return self.add_request(method="POST", path="/api/v3/order", params=params, on_failure=self.on_failure)


api = SpotApi(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
