import os

from base import BaseBot


class Bot(BaseBot):
    def buy(self, quantity):
        params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": quantity}
        return self._signed("POST", "/api/v3/order", params)  # expect: BL401

    def _sell(self, quantity):
        params = {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": quantity}
        return self._signed("POST", "/api/v3/order", params)  # expect: BL403

    def sell(self, quantity):
        return self.retry(self._sell, quantity)  # expect: BL402


bot = Bot(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
bot.buy("0.01")
bot.sell("0.01")
