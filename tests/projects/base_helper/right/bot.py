import os
import uuid

from base import BaseBot


class Bot(BaseBot):
    def _place(self, side, quantity, cid):
        params = {"symbol": "BTCUSDT", "side": side, "type": "MARKET", "quantity": quantity,
                  "newClientOrderId": cid}
        return self._signed("POST", "/api/v3/order", params)

    def buy(self, quantity):
        return self.retry(self._place, "BUY", quantity, f"bot-{uuid.uuid4().hex[:20]}")

    def sell(self, quantity):
        return self.retry(self._place, "SELL", quantity, f"bot-{uuid.uuid4().hex[:20]}")


bot = Bot(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
bot.buy("0.01")
bot.sell("0.01")
